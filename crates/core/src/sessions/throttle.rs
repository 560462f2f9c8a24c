//! The rules that slow password guessing without letting a guesser lock a person out; pure
//! arithmetic over the times of earlier failures, which `sessions` reads from the store.
//!
//! Three limits, each over its own key in `sign_in_failures`:
//! - **pair** (account, client address): three failures are free, then each further attempt
//!   waits 2, 4, 8 … seconds after the last failure, up to 15 minutes; counted over a day.
//!   This is what a guesser at one address meets: after the first quarter hour (about a
//!   dozen guesses) one guess per 15 minutes, against twenty an hour before.
//! - **address** (any account): twenty failures in 15 minutes, as before.
//! - **account**, for browsers that have not signed in to it before (no valid device
//!   cookie): five failures in 15 minutes. A guesser spread over many addresses meets this,
//!   so guessing an account stays as slow as before, while its owner's known browsers are
//!   not held back by it. A known browser's own failures count under its cookie instead, and
//!   after five in 15 minutes it is treated as unknown (a stolen cookie buys nothing).

/// The window of the address and account limits.
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins to one account from unknown browsers within the window before browsers
/// it has not seen are held back.
pub const ACCOUNT_FAILURES: i64 = 5;
/// Failed sign-ins from one address (to any account) within the window.
pub const ADDRESS_FAILURES: i64 = 20;
/// Failures for one account from one address before attempts are spaced out.
pub const PAIR_FREE_FAILURES: i64 = 3;
/// The longest wait between two attempts for one account from one address.
pub const PAIR_MAX_DELAY_SECS: i64 = 15 * 60;
/// Failures for one account from one address are counted over this long.
pub const PAIR_WINDOW_SECS: i64 = 24 * 60 * 60;
/// Failures through a known browser within the window before it is trusted no more.
pub const DEVICE_FAILURES: i64 = 5;

pub(crate) const SECOND: i64 = 1_000_000;

/// Which limit held a sign-in back; the page words its message by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many failures for this account from this address.
    Pair,
    /// Too many failures from this address.
    Address,
    /// Too many failures for this account from browsers it does not know.
    Account,
}

/// A limit that holds, and for how many whole seconds more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub limit: Limit,
    pub retry_after_secs: i64,
}

fn held(limit: Limit, reopens_at: i64, now: i64) -> Option<Held> {
    (reopens_at > now).then(|| Held {
        limit,
        retry_after_secs: (reopens_at - now + SECOND - 1) / SECOND,
    })
}

/// A sliding-window limit: `times` (oldest first, all inside the window) are the failures;
/// the next attempt may come once fewer than `limit` remain inside the window.
pub(crate) fn window(
    limit: Limit,
    times: &[i64],
    most: i64,
    window_secs: i64,
    now: i64,
) -> Option<Held> {
    let n = times.len();
    let most = usize::try_from(most).unwrap_or(usize::MAX);
    if n < most || most == 0 {
        return None;
    }
    held(limit, times[n - most] + window_secs * SECOND, now)
}

/// The wait after `failures` failures for one account from one address.
pub(crate) fn pair_delay_secs(failures: i64) -> i64 {
    if failures < PAIR_FREE_FAILURES {
        return 0;
    }
    let doubling = failures - PAIR_FREE_FAILURES + 1;
    if doubling >= 20 {
        PAIR_MAX_DELAY_SECS
    } else {
        (1_i64 << doubling).min(PAIR_MAX_DELAY_SECS)
    }
}

/// The growing delay for one account from one address; `times` oldest first.
pub(crate) fn pair(times: &[i64], now: i64) -> Option<Held> {
    let last = *times.last()?;
    let count = i64::try_from(times.len()).unwrap_or(i64::MAX);
    held(Limit::Pair, last + pair_delay_secs(count) * SECOND, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000 * SECOND;

    #[test]
    fn three_failures_are_free_then_the_wait_doubles_up_to_its_cap() {
        let waits: Vec<i64> = (0..16).map(pair_delay_secs).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900
            ]
        );
        assert_eq!(pair_delay_secs(i64::MAX), PAIR_MAX_DELAY_SECS);
    }

    #[test]
    fn the_pair_wait_counts_from_the_last_failure() {
        let times = [NOW - 10 * SECOND, NOW - 5 * SECOND, NOW - SECOND];
        assert_eq!(
            pair(&times, NOW),
            Some(Held {
                limit: Limit::Pair,
                retry_after_secs: 1
            })
        );
        assert_eq!(pair(&times, NOW + SECOND), None);
        assert_eq!(pair(&times[..2], NOW), None);
        assert_eq!(pair(&[], NOW), None);
    }

    #[test]
    fn a_window_reopens_when_its_oldest_counted_failure_ages_out() {
        let times: Vec<i64> = (0..5).map(|i| NOW - (100 - i) * SECOND).collect();
        let h = window(Limit::Account, &times, 5, 900, NOW);
        assert_eq!(
            h,
            Some(Held {
                limit: Limit::Account,
                retry_after_secs: 800
            })
        );
        assert_eq!(window(Limit::Account, &times[1..], 5, 900, NOW), None);
        // Over the limit (concurrent failures): the one that brings it under counts.
        let more: Vec<i64> = (0..7).map(|i| NOW - (100 - i) * SECOND).collect();
        let h = window(Limit::Address, &more, 5, 900, NOW);
        assert_eq!(h.map(|h| h.retry_after_secs), Some(802));
    }
}
