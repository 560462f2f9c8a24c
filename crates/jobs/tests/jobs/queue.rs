//! The durable job queue on SQLite and on PostgreSQL: dedup, exactly-once effects, retries
//! with backoff into dead jobs, revival, leases that run out when a worker dies, and several
//! workers (as several nodes would) sharing one queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use frontline_core::CoreError;
use frontline_core::Desk;
use frontline_core::jobs::JobState::{Dead as DEAD, Done as DONE, Queued as QUEUED};
use frontline_core::jobs::{Job, JobState, JobTx};
use frontline_domain::{JobId, Timestamp};
use frontline_jobs::queue::run_due;
use frontline_jobs::{HandlerFuture, JobContext, JobError, Registry, WorkerConfig};
use frontline_store::jobs::NewJob;
use frontline_store::{Conn, Store, StoreError};

frontline_testkit::stories!(
    dedup_keys_refuse_a_second_job,
    effects_commit_with_completion_exactly_once,
    failures_retry_with_backoff_then_die,
    a_dead_workers_jobs_run_when_its_lease_ends,
    many_workers_share_the_queue,
    database_only_jobs_run_in_batches_and_fail_alone,
    a_deadlocked_job_runs_again_within_a_second
        on sqlite #[ignore = "SQLite cannot be made to report contention on demand: its busy \
                              timeout waits 10 s first; the PostgreSQL run checks the path"],
);

type Result<T = ()> = std::result::Result<T, CoreError>;

const SECOND: i64 = 1_000_000;

/// A desk whose clock the test moves.
fn desk_at(store: &Store, clock: &Arc<AtomicI64>) -> Desk {
    let clock = clock.clone();
    Desk::with_clock(store.clone(), move || {
        Timestamp::from_micros(clock.load(Ordering::SeqCst))
    })
}

fn config(id: &str) -> WorkerConfig {
    WorkerConfig {
        id: id.into(),
        lease: Duration::from_secs(60),
        concurrency: 8,
        backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(60),
        ..WorkerConfig::default()
    }
}

fn job(kind: &str, payload: &str, dedup: Option<&str>, run_at: i64) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: payload.into(),
        dedup_key: dedup.map(Into::into),
        run_at,
        max_attempts: 3,
    }
}

async fn enqueue(store: &Store, new: &NewJob, now: i64) -> Result<Option<JobId>> {
    let mut tx = store.begin().await?;
    let id = tx.conn().enqueue_job(new, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn state_of(store: &Store, id: JobId) -> Result<(JobState, i64, Option<String>)> {
    let mut c = store.read().await?;
    let j = c
        .conn()
        .job(id)
        .await?
        .ok_or(StoreError::Corrupt("job vanished".into()))?;
    Ok((j.state, j.attempts, j.last_error))
}

/// Records `effect:<payload>` as a setting in the job's own transaction, counting each run.
fn record_effect(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move {
        let key = format!("effect:{}", ctx.job.payload);
        let mut tx = ctx.begin().await?;
        let mut c = tx.conn();
        let n: i64 = c
            .setting(&key)
            .await
            .map_err(CoreError::from)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        c.put_setting(&key, &(n + 1).to_string())
            .await
            .map_err(CoreError::from)?;
        tx.commit().await?;
        Ok(())
    })
}

/// The database-only twin of `record_effect`, run inside the worker's batch transaction;
/// a payload starting with `fail` writes its effect and then fails.
fn effect_in_tx<'a>(_: &'a Desk, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let key = format!("effect:{}", job.payload);
        let n: i64 = c
            .setting(&key)
            .await
            .map_err(CoreError::from)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        c.put_setting(&key, &(n + 1).to_string())
            .await
            .map_err(CoreError::from)?;
        if job.payload.starts_with("fail") {
            return Err(JobError::Retry("the handler failed after writing".into()));
        }
        Ok(())
    })
}

/// Fails its first attempt as a deadlock's victim does: PostgreSQL itself reports SQLSTATE
/// 40P01 (deadlock_detected) for a statement of the job's transaction.
fn deadlocked_once<'a>(_: &'a Desk, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        if let (Conn::Postgres(pg), 1) = (&mut **c, job.attempts) {
            sqlx::raw_sql(
                "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$",
            )
            .execute(&mut **pg)
            .await
            .map_err(|e| CoreError::from(StoreError::from(e)))?;
        }
        Ok(())
    })
}

fn always_fails(_: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async { Err(JobError::Retry("the mail server said 421".into())) })
}

fn bad_payload(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move { ctx.payload::<Vec<i64>>().map(drop) })
}

async fn effects(store: &Store, payload: &str) -> Result<i64> {
    let mut c = store.read().await?;
    let v = c.conn().setting(&format!("effect:{payload}")).await?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

async fn dedup_keys_refuse_a_second_job(store: &Store) -> Result {
    store.migrate().await?;
    let t = 1_000 * SECOND;
    let first = enqueue(
        store,
        &job("sla.warn", "42", Some("warn:42:first_response"), t),
        t,
    )
    .await?;
    let again = enqueue(
        store,
        &job("sla.warn", "42", Some("warn:42:first_response"), t),
        t,
    )
    .await?;
    assert!(first.is_some());
    assert_eq!(again, None, "a second job for the same cause is not added");
    // Without a key, every enqueue is a job.
    assert!(
        enqueue(store, &job("mail", "a", None, t), t)
            .await?
            .is_some()
    );
    assert!(
        enqueue(store, &job("mail", "a", None, t), t)
            .await?
            .is_some()
    );
    Ok(())
}

async fn effects_commit_with_completion_exactly_once(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let desk = desk_at(store, &clock);
    let registry = Arc::new(Registry::new().register("effect", record_effect));
    let now = clock.load(Ordering::SeqCst);
    let due = enqueue(store, &job("effect", "due", None, now - SECOND), now)
        .await?
        .unwrap_or(JobId::default());
    let later = enqueue(store, &job("effect", "later", None, now + 30 * SECOND), now)
        .await?
        .unwrap_or(JobId::default());

    assert_eq!(
        run_due(&desk, &registry, &config("a")).await?,
        1,
        "only the due job runs"
    );
    assert_eq!(effects(store, "due").await?, 1);
    assert_eq!(state_of(store, due).await?.0, DONE);
    assert_eq!(state_of(store, later).await?.0, QUEUED);
    // Running again finds nothing: done is done.
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 0);

    clock.fetch_add(31 * SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("b")).await?, 1);
    assert_eq!(effects(store, "later").await?, 1);
    assert_eq!(effects(store, "due").await?, 1);
    Ok(())
}

async fn failures_retry_with_backoff_then_die(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let desk = desk_at(store, &clock);
    let registry = Arc::new(
        Registry::new()
            .register("flaky", always_fails)
            .register("garbled", bad_payload),
    );
    let now = clock.load(Ordering::SeqCst);
    let id = enqueue(store, &job("flaky", "{}", None, now), now)
        .await?
        .unwrap_or(JobId::default());

    run_due(&desk, &registry, &config("a")).await?;
    let (state, attempts, error) = state_of(store, id).await?;
    assert_eq!((state, attempts), (QUEUED, 1));
    assert_eq!(error.as_deref(), Some("the mail server said 421"));
    // Not before the 10 s backoff.
    clock.fetch_add(9 * SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 0);
    clock.fetch_add(2 * SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 1);
    // Then 20 s; the third attempt is the last.
    clock.fetch_add(21 * SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 1);
    assert_eq!(state_of(store, id).await?.0, DEAD);
    clock.fetch_add(3_600 * SECOND, Ordering::SeqCst);
    assert_eq!(
        run_due(&desk, &registry, &config("a")).await?,
        0,
        "dead jobs stay dead"
    );

    // An administrator sees it and gives it another go.
    let mut c = store.read().await?;
    let dead = c
        .conn()
        .jobs_in_state(Some(DEAD), JobId::default(), 10)
        .await?;
    assert_eq!(dead.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    drop(c);
    let mut tx = store.begin().await?;
    assert!(
        tx.conn()
            .revive_job(id, clock.load(Ordering::SeqCst))
            .await?
    );
    tx.commit().await?;
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 1);
    assert_eq!(
        state_of(store, id).await?.1,
        1,
        "a revived job starts counting again"
    );

    // A payload no attempt can read is dead at once.
    let now = clock.load(Ordering::SeqCst);
    let garbled = enqueue(store, &job("garbled", "not json", None, now), now)
        .await?
        .unwrap_or(JobId::default());
    run_due(&desk, &registry, &config("a")).await?;
    assert_eq!(state_of(store, garbled).await?.0, DEAD);
    Ok(())
}

async fn a_dead_workers_jobs_run_when_its_lease_ends(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let desk = desk_at(store, &clock);
    let now = clock.load(Ordering::SeqCst);
    let id = enqueue(store, &job("effect", "orphan", None, now), now)
        .await?
        .unwrap_or(JobId::default());

    // Worker "crashed" claims the job and dies before finishing it.
    let mut tx = store.begin().await?;
    let claimed = tx
        .conn()
        .claim_jobs("crashed", now, 60 * SECOND, 10)
        .await?;
    tx.commit().await?;
    assert_eq!(claimed.len(), 1);

    let registry = Arc::new(Registry::new().register("effect", record_effect));
    assert_eq!(
        run_due(&desk, &registry, &config("b")).await?,
        0,
        "held while the lease lasts"
    );
    clock.fetch_add(61 * SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("b")).await?, 1);
    assert_eq!(effects(store, "orphan").await?, 1);

    // The crashed worker's late answer changes nothing.
    let lease = frontline_store::jobs::Lease {
        job_id: id,
        worker: "crashed".into(),
        attempt: 1,
    };
    let mut tx = store.begin().await?;
    assert!(
        !tx.conn()
            .finish_job(&lease, clock.load(Ordering::SeqCst))
            .await?
    );
    assert!(
        !tx.conn()
            .fail_job(&lease, "late", None, clock.load(Ordering::SeqCst))
            .await?
    );
    tx.commit().await?;
    assert_eq!(state_of(store, id).await?.0, DONE);
    Ok(())
}

async fn many_workers_share_the_queue(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let now = clock.load(Ordering::SeqCst);
    let jobs = 300;
    let mut tx = store.begin().await?;
    for i in 0..jobs {
        tx.conn()
            .enqueue_job(&job("effect", &i.to_string(), None, now), now)
            .await?;
    }
    tx.commit().await?;

    let registry = Arc::new(Registry::new().register("effect", record_effect));
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let (desk, registry) = (desk_at(store, &clock), registry.clone());
        workers.spawn(async move {
            let config = config(&format!("node-{w}"));
            let mut ran = 0;
            loop {
                match run_due(&desk, &registry, &config).await {
                    Ok(0) => return Ok(ran),
                    Ok(n) => ran += n,
                    Err(CoreError::Store(e)) if e.is_transient() => tokio::task::yield_now().await,
                    Err(e) => return Err(e),
                }
            }
        });
    }
    let mut total = 0;
    while let Some(done) = workers.join_next().await {
        total += done.map_err(|e| StoreError::Corrupt(e.to_string()))??;
    }
    assert_eq!(total, jobs, "every job claimed once in all");
    for i in 0..jobs {
        assert_eq!(
            effects(store, &i.to_string()).await?,
            1,
            "job {i} ran exactly once"
        );
    }
    let mut c = store.read().await?;
    assert_eq!(
        c.conn()
            .jobs_in_state(Some(DONE), JobId::default(), 1_000)
            .await?
            .len(),
        jobs
    );
    Ok(())
}

async fn database_only_jobs_run_in_batches_and_fail_alone(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let desk = desk_at(store, &clock);
    let registry = Arc::new(
        Registry::new()
            .register_in_tx("batched", effect_in_tx)
            .register("effect", record_effect),
    );
    let now = clock.load(Ordering::SeqCst);
    let mut tx = store.begin().await?;
    let mut ids = Vec::new();
    for i in 0..40 {
        let payload = if i == 7 {
            "fail-7".to_owned()
        } else {
            i.to_string()
        };
        ids.push(
            tx.conn()
                .enqueue_job(&job("batched", &payload, None, now), now)
                .await?
                .unwrap_or(JobId::default()),
        );
    }
    tx.conn()
        .enqueue_job(&job("effect", "alone", None, now), now)
        .await?;
    tx.commit().await?;

    let config = WorkerConfig {
        concurrency: 2,
        batch: 16,
        ..config("a")
    };
    // Two batches of 16 and one job on its own; the rest wait for the next round.
    assert_eq!(run_due(&desk, &registry, &config).await?, 33);
    assert_eq!(run_due(&desk, &registry, &config).await?, 8);
    assert_eq!(run_due(&desk, &registry, &config).await?, 0);
    assert_eq!(effects(store, "alone").await?, 1);
    for i in (0..40).filter(|i| *i != 7) {
        assert_eq!(effects(store, &i.to_string()).await?, 1, "job {i} ran once");
    }
    // The failing job's write rolled back with it; only it waits for its retry.
    assert_eq!(effects(store, "fail-7").await?, 0);
    let (state, attempts, error) = state_of(store, ids[7]).await?;
    assert_eq!((state, attempts), (QUEUED, 1));
    assert_eq!(error.as_deref(), Some("the handler failed after writing"));
    let mut c = store.read().await?;
    assert_eq!(
        c.conn()
            .jobs_in_state(Some(DONE), JobId::default(), 100)
            .await?
            .len(),
        40
    );
    Ok(())
}

/// A job that lost to a deadlock is not put behind the 10 s backoff: it is due again within a
/// second, and then runs.
async fn a_deadlocked_job_runs_again_within_a_second(store: &Store) -> Result {
    store.migrate().await?;
    let clock = Arc::new(AtomicI64::new(1_000 * SECOND));
    let desk = desk_at(store, &clock);
    let registry = Arc::new(Registry::new().register_in_tx("locky", deadlocked_once));
    let now = clock.load(Ordering::SeqCst);
    let id = enqueue(store, &job("locky", "{}", None, now), now)
        .await?
        .unwrap_or(JobId::default());

    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 1);
    let (state, attempts, error) = state_of(store, id).await?;
    assert_eq!((state, attempts), (QUEUED, 1));
    assert!(
        error.as_deref().unwrap_or("").contains("deadlock"),
        "the error is kept: {error:?}"
    );
    clock.fetch_add(SECOND, Ordering::SeqCst);
    assert_eq!(run_due(&desk, &registry, &config("a")).await?, 1);
    assert_eq!(state_of(store, id).await?.0, DONE);
    Ok(())
}
