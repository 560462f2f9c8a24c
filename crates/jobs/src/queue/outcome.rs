//! Recording how an attempt ended: done, retried with backoff while attempts remain (soon
//! after a lost race for the database, later after other trouble), or dead.

use frontline_core::Desk;
use frontline_core::jobs::{Job, Lease};
use frontline_domain::Timestamp;

use super::{JobError, WorkerConfig};

/// Records how an attempt ended: `Ok(true)` when its transaction already marked it done,
/// `Ok(false)` when it succeeded without one, or the error (retried with backoff while
/// attempts remain, else dead).
pub(super) async fn record(
    desk: &Desk,
    config: &WorkerConfig,
    job: &Job,
    lease: &Lease,
    outcome: Result<bool, JobError>,
) {
    let now = desk.now().as_micros();
    let recorded = match &outcome {
        Ok(true) => Ok(true),
        Ok(false) => desk.jobs().finish_job(lease).await,
        Err(JobError::LeaseLost) => Ok(false),
        Err(e) => {
            let retry_at = match e {
                _ if job.attempts >= job.max_attempts => None,
                JobError::Retry(_) => Some(now + backoff(config, job.attempts)),
                JobError::Contended(_) => Some(now + soon(config, job)),
                _ => None,
            };
            let retry_at = retry_at.map(Timestamp::from_micros);
            desk.jobs().fail_job(lease, &e.to_string(), retry_at).await
        }
    };
    match (&outcome, recorded) {
        (Ok(_), Ok(true)) => tracing::debug!("job done"),
        (Err(e), Ok(true)) => tracing::warn!(error = %e, "job failed"),
        (_, Ok(false)) => tracing::warn!("job's lease ran out; another worker has it"),
        (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot record the job's outcome; it runs again when its lease ends")
        }
    }
}

/// Delay before attempt `attempt + 1`: doubling from `backoff`, capped at `max_backoff`.
fn backoff(config: &WorkerConfig, attempt: i64) -> i64 {
    let base = i64::try_from(config.backoff.as_micros()).unwrap_or(i64::MAX);
    let cap = i64::try_from(config.max_backoff.as_micros()).unwrap_or(i64::MAX);
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(1_i64 << doublings).min(cap)
}

/// Delay before the next attempt of a job that lost to contention: 100 ms doubling with each
/// attempt, never more than the first ordinary retry delay, spread by up to 81 ms so that the
/// jobs of one deadlock do not meet again.
fn soon(config: &WorkerConfig, job: &Job) -> i64 {
    let doublings = u32::try_from(job.attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let spread = job.id.get().rem_euclid(10) * 9_000;
    (100_000_i64 << doublings).min(backoff(config, 1)) + spread
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use frontline_core::jobs::JobState;
    use frontline_domain::JobId;

    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_the_cap() {
        let config = WorkerConfig {
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..WorkerConfig::default()
        };
        let secs = |a| backoff(&config, a) / 1_000_000;
        assert_eq!(
            [secs(1), secs(2), secs(3), secs(4), secs(40)],
            [10, 20, 40, 60, 60]
        );
    }

    #[test]
    fn contention_retries_soon_and_never_later_than_a_first_retry() {
        let config = WorkerConfig {
            backoff: Duration::from_secs(1),
            ..WorkerConfig::default()
        };
        let job = |id, attempts| Job {
            id,
            kind: "mail.ingest".into(),
            payload: "{}".into(),
            dedup_key: None,
            state: JobState::Queued,
            run_at: Timestamp::from_micros(0),
            attempts,
            max_attempts: 25,
            locked_by: None,
            locked_until: None,
            last_error: None,
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
            finished_at: None,
        };
        let ms = |id, a| soon(&config, &job(JobId::new(id), a)) / 1_000;
        assert_eq!(
            [ms(10, 1), ms(10, 2), ms(10, 4), ms(10, 9)],
            [100, 200, 800, 1_000]
        );
        // Jobs that deadlocked together come back at different times.
        assert_eq!([ms(11, 1), ms(19, 1)], [109, 181]);
    }
}
