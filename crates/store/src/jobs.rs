//! The durable job queue's rows: enqueue (inside the transaction that causes the job), claim
//! with a lease, and finish, retry or bury, each only by the worker that holds the lease.
//!
//! Claiming on PostgreSQL skips rows other workers have locked (`FOR UPDATE SKIP LOCKED`), so
//! several nodes take different jobs; on SQLite the single writer does the same. Every call
//! that ends an attempt names the worker and the attempt it holds: after a lease ran out and
//! another worker took the job over, the first worker's late answer changes nothing.

use frontline_domain::job::{Job, JobState};
use frontline_domain::{JobId, Timestamp};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Database, Encode, FromRow, Type};

pub use frontline_domain::job::Lease;

use crate::conn::on;
use crate::{Conn, Result, StoreError};

pub const QUEUED: &str = "queued";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// JSON the handler reads.
    pub payload: String,
    /// A second job with the same key is not added (while the first is kept).
    pub dedup_key: Option<String>,
    pub run_at: i64,
    pub max_attempts: i64,
}

/// A `jobs` row as stored; read out as a [`Job`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    dedup_key: Option<String>,
    state: String,
    run_at: i64,
    attempts: i64,
    max_attempts: i64,
    locked_by: Option<String>,
    locked_until: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self> {
        Ok(Job {
            id: JobId::new(r.id),
            kind: r.kind,
            payload: r.payload,
            dedup_key: r.dedup_key,
            state: JobState::parse(&r.state).map_err(|e| StoreError::corrupt("jobs.state", e))?,
            run_at: Timestamp::from_micros(r.run_at),
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            locked_by: r.locked_by,
            locked_until: r.locked_until.map(Timestamp::from_micros),
            last_error: r.last_error,
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
            finished_at: r.finished_at.map(Timestamp::from_micros),
        })
    }
}

/// Rows read out as jobs; one whose state is unknown fails the read.
fn jobs(rows: Vec<JobRow>) -> Result<Vec<Job>> {
    rows.into_iter().map(Job::try_from).collect()
}

const COLUMNS: &str = "id, kind, payload, dedup_key, state, run_at, attempts, max_attempts, \
    locked_by, locked_until, last_error, created_at, updated_at, finished_at";

/// The condition of every call that extends or ends an attempt: the job is still queued and
/// the lease bound by [`bind_lease`] (`$1` to `$3`) still holds it. A macro, not a const, so
/// `concat!` can put it into each statement's literal.
macro_rules! lease_held {
    () => {
        "id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'queued'"
    };
}

/// Binds `lease` as `$1` (the job), `$2` (the worker) and `$3` (the attempt): the parameters
/// of [`lease_held!`]. The statement's own parameters follow from `$4`.
fn bind_lease<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    lease: &Lease,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
    for<'s> &'s str: Encode<'s, DB> + Type<DB>,
{
    query
        .bind(lease.job_id.get())
        .bind(lease.worker.as_str())
        .bind(lease.attempt)
}

/// Which job kinds a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum Kinds<'k> {
    Any,
    Only(&'k [String]),
    Except(&'k [String]),
}

impl Conn<'_> {
    /// Adds a job; `None` when one with the same `dedup_key` exists already.
    pub async fn enqueue_job(&mut self, job: &NewJob, now: i64) -> Result<Option<JobId>> {
        const SQL: &str = "INSERT INTO jobs (kind, payload, dedup_key, run_at, max_attempts, \
            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
            ON CONFLICT (dedup_key) DO NOTHING RETURNING id";
        let id: Option<i64> = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(&job.dedup_key)
            .bind(job.run_at)
            .bind(job.max_attempts.max(1))
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(id.map(JobId::new))
    }

    /// Takes up to `limit` due jobs that nobody holds, for `lease` microseconds, and counts
    /// the attempt. Oldest due first.
    pub async fn claim_jobs(
        &mut self,
        worker: &str,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Job>> {
        self.claim_jobs_of(worker, now, lease, limit, Kinds::Any)
            .await
    }

    /// [`Conn::claim_jobs`] for the job kinds `kinds` selects.
    pub async fn claim_jobs_of(
        &mut self,
        worker: &str,
        now: i64,
        lease: i64,
        limit: i64,
        kinds: Kinds<'_>,
    ) -> Result<Vec<Job>> {
        let skip_locked = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let (listed, negate) = match kinds {
            Kinds::Any => (&[][..], false),
            Kinds::Only([]) => return Ok(Vec::new()),
            Kinds::Only(k) => (k, false),
            Kinds::Except(k) => (k, true),
        };
        let filter = if listed.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..listed.len()).map(|i| format!("${}", i + 4)).collect();
            let not = if negate { "NOT " } else { "" };
            format!(" AND kind {not}IN ({})", marks.join(", "))
        };
        let sql = format!(
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1, \
             updated_at = $3 WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' \
             AND run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3){filter} \
             ORDER BY run_at, id {}{skip_locked}) RETURNING {COLUMNS}",
            crate::dialect::limit(limit)
        );
        let mut jobs: Vec<JobRow> = on!(self, |c| {
            let mut q = sqlx::query_as(AssertSqlSafe(sql))
                .bind(worker)
                .bind(now + lease)
                .bind(now);
            for kind in listed {
                q = q.bind(kind);
            }
            q.fetch_all(c).await?
        });
        jobs.sort_by_key(|j| (j.run_at, j.id));
        self::jobs(jobs)
    }

    /// Extends a held lease to `until` while its handler still runs. False when the lease is
    /// no longer held (it ran out and another worker took the job, or the job ended).
    pub async fn renew_job(&mut self, lease: &Lease, until: i64, now: i64) -> Result<bool> {
        const SQL: &str = concat!(
            "UPDATE jobs SET locked_until = $4, updated_at = $5 WHERE ",
            lease_held!()
        );
        let n = on!(self, |c| bind_lease(sqlx::query(SQL), lease)
            .bind(until)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Marks the attempt done. False when `lease` is no longer held (the lease ran out and
    /// another worker took the job): the caller must then roll back what it did.
    pub async fn finish_job(&mut self, lease: &Lease, now: i64) -> Result<bool> {
        const SQL: &str = concat!(
            "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, \
             last_error = NULL, finished_at = $4, updated_at = $4 WHERE ",
            lease_held!()
        );
        let n = on!(self, |c| bind_lease(sqlx::query(SQL), lease)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Ends a failed attempt: the job runs again at `retry_at`, or, with `None`, is dead
    /// (kept for an administrator to read and revive). False when the lease is lost.
    pub async fn fail_job(
        &mut self,
        lease: &Lease,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = concat!(
            "UPDATE jobs SET state = $4, run_at = COALESCE($5, run_at), locked_by = NULL, \
             locked_until = NULL, last_error = $6, updated_at = $7, \
             finished_at = CASE WHEN $5 IS NULL THEN $7 ELSE NULL END WHERE ",
            lease_held!()
        );
        let state = if retry_at.is_some() { QUEUED } else { DEAD };
        let n = on!(self, |c| bind_lease(sqlx::query(SQL), lease)
            .bind(state)
            .bind(retry_at)
            .bind(error)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Gives a dead job a fresh set of attempts, due now.
    pub async fn revive_job(&mut self, id: JobId, now: i64) -> Result<bool> {
        const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, \
            finished_at = NULL, updated_at = $1 WHERE id = $2 AND state = 'dead'";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(now)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    pub async fn job(&mut self, id: JobId) -> Result<Option<Job>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row: Option<JobRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(Job::try_from).transpose()
    }

    /// Jobs in `state` (any with `None`), newest first, before `before_id` for paging (0 for
    /// the start).
    pub async fn jobs_in_state(
        &mut self,
        state: Option<JobState>,
        before_id: JobId,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let filter = if state.is_some() {
            "state = $1"
        } else {
            "$1 IS NULL"
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE {filter} AND ($2 = 0 OR id < $2) \
             ORDER BY id DESC {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<JobRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(state.map(JobState::as_str))
            .bind(before_id.get())
            .fetch_all(c)
            .await?);
        jobs(rows)
    }

    /// Forgets finished jobs older than `before`; returns how many.
    pub async fn purge_jobs(&mut self, before: i64) -> Result<u64> {
        const SQL: &str = "DELETE FROM jobs WHERE state = 'done' AND finished_at < $1";
        Ok(on!(self, |c| sqlx::query(SQL)
            .bind(before)
            .execute(c)
            .await?
            .rows_affected()))
    }
}
