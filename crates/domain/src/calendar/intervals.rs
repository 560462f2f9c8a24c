//! From wall-clock ranges to UTC intervals. A local range `[start, end)` covers the instants
//! whose wall-clock time lies in it; where the zone's offset changes inside the range, the
//! range is split at the change, so a spring-forward night yields less real time and an
//! autumn night more.

use chrono::{NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

pub(super) const DAY: i64 = 86_400_000_000;
const SECOND: i64 = 1_000_000;
/// Wider than any UTC offset (±18 h), so every instant of a local range lies inside.
const MARGIN: i64 = DAY + DAY / 12;

/// The zone's offset at an instant, in microseconds.
fn offset(tz: Tz, at: i64) -> i64 {
    let utc = chrono::DateTime::from_timestamp_micros(at).unwrap_or_default();
    i64::from(
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    ) * SECOND
}

/// Wall-clock time at an instant.
pub(super) fn local(tz: Tz, at: i64) -> NaiveDateTime {
    let utc = chrono::DateTime::from_timestamp_micros(at).unwrap_or_default();
    utc.naive_utc() + chrono::TimeDelta::microseconds(offset(tz, at))
}

fn naive_micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

/// Appends the UTC intervals whose wall-clock time lies in `[start, end)`.
pub(super) fn instants_of_local_range(
    tz: Tz,
    start: NaiveDateTime,
    end: NaiveDateTime,
    out: &mut Vec<(i64, i64)>,
) {
    let (ls, le) = (naive_micros(start), naive_micros(end));
    let mut segments = Vec::new();
    constant_offset_segments(tz, ls - MARGIN, le + MARGIN, &mut segments);
    for (a, b, off) in segments {
        // Instants t with t + off in [ls, le), inside this segment.
        let (lo, hi) = ((ls - off).max(a), (le - off).min(b));
        if lo < hi {
            out.push((lo, hi));
        }
    }
}

/// Splits `[a, b)` into pieces over which the zone's offset does not change. Assumes at most
/// a handful of changes in a few days, as every real zone has.
fn constant_offset_segments(tz: Tz, a: i64, b: i64, out: &mut Vec<(i64, i64, i64)>) {
    let (oa, ob) = (offset(tz, a), offset(tz, b - 1));
    if oa == ob {
        out.push((a, b, oa));
        return;
    }
    // The first instant with another offset than at `a`, to the second (changes happen
    // on whole seconds).
    let (mut lo, mut hi) = (a, b - 1);
    while hi - lo > SECOND {
        let mid = lo + (hi - lo) / 2;
        if offset(tz, mid) == oa {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let change = hi - hi.rem_euclid(SECOND);
    let change = if offset(tz, change) == oa { hi } else { change };
    out.push((a, change, oa));
    constant_offset_segments(tz, change, b, out);
}

/// Sorts and joins overlapping or touching intervals.
pub(super) fn merge(intervals: &mut Vec<(i64, i64)>) {
    intervals.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for &(a, b) in intervals.iter() {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    *intervals = merged;
}
