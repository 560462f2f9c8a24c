//! What a job's handler is and what it is given: a plain handler gets a [`JobContext`] and
//! opens the finishing transaction itself; a [`TxHandler`] is handed the worker's
//! transaction. The [`Registry`] holds both by job kind.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use frontline_core::jobs::{Job, JobTransaction, JobTx, Lease};
use frontline_core::{Desk, Service};
use serde::de::DeserializeOwned;

use super::{JobError, payload};

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs one kind of job. A plain `fn(&mut JobContext) -> HandlerFuture<'_>` is a handler.
pub trait Handler: Send + Sync {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> HandlerFuture<'a>;
}

impl<F> Handler for F
where
    F: for<'a> Fn(&'a mut JobContext) -> HandlerFuture<'a> + Send + Sync,
{
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> HandlerFuture<'a> {
        self(ctx)
    }
}

/// Runs one kind of job whose every effect is in the database, inside a transaction the
/// worker opens and commits. The worker may run many such jobs in one transaction, each
/// behind its own savepoint, so that a backlog of them costs one commit per batch instead of
/// one per job; a job that fails rolls back to its savepoint and alone is retried.
pub trait TxHandler: Send + Sync {
    fn run<'a>(&'a self, desk: &'a Desk, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a>;
}

impl<F> TxHandler for F
where
    F: for<'a, 'c> Fn(&'a Desk, &'a mut JobTx<'c>, &'a Job) -> HandlerFuture<'a> + Send + Sync,
{
    fn run<'a>(&'a self, desk: &'a Desk, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
        self(desk, c, job)
    }
}

/// A [`TxHandler`] that works through one service `S` of the desk, not the whole desk:
/// `through(fire)` for `fn fire(sla: &Sla, c: &mut JobTx<'_>, job: &Job) -> HandlerFuture<'_>`.
pub struct Through<S, F> {
    handler: F,
    service: PhantomData<fn() -> S>,
}

pub fn through<S, F>(handler: F) -> Through<S, F>
where
    S: Service,
    F: for<'a, 'c> Fn(&'a S, &'a mut JobTx<'c>, &'a Job) -> HandlerFuture<'a> + Send + Sync,
{
    Through {
        handler,
        service: PhantomData,
    }
}

impl<S, F> TxHandler for Through<S, F>
where
    S: Service,
    F: for<'a, 'c> Fn(&'a S, &'a mut JobTx<'c>, &'a Job) -> HandlerFuture<'a> + Send + Sync,
{
    fn run<'a>(&'a self, desk: &'a Desk, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let service = S::of(desk);
            (self.handler)(&service, c, job).await
        })
    }
}

/// What a handler gets: the desk, the job, and the transaction that finishes it.
pub struct JobContext {
    pub desk: Desk,
    pub job: Job,
    pub(super) lease: Lease,
    /// Set once the finishing transaction has begun; see `lease::renewing`.
    pub(super) began: Arc<AtomicBool>,
}

impl JobContext {
    /// The service `S` of the desk, for a handler that needs only it.
    pub fn service<S: Service>(&self) -> S {
        S::of(&self.desk)
    }

    /// The payload as `T`; a payload that does not parse is a permanent failure.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        payload(&self.job)
    }

    /// Begins the transaction for the job's database effects. It already marks the job done,
    /// so the effects and the completion commit together or not at all.
    pub async fn begin(&mut self) -> Result<JobTransaction, JobError> {
        // From here the transaction may hold the job's row: no more renewals.
        self.began.store(true, Ordering::SeqCst);
        let mut tx = self.desk.jobs().begin_jobs().await?;
        let now = self.desk.now();
        if !tx.conn().mark_done(&self.lease, now).await? {
            return Err(JobError::LeaseLost);
        }
        Ok(tx)
    }
}

/// Handlers by job kind.
#[derive(Default, Clone)]
pub struct Registry {
    pub(super) handlers: HashMap<String, Arc<dyn Handler>>,
    pub(super) in_tx: HashMap<String, Arc<dyn TxHandler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(mut self, kind: &str, handler: impl Handler + 'static) -> Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    /// Registers a handler whose effects are all in the database; see [`TxHandler`].
    pub fn register_in_tx(mut self, kind: &str, handler: impl TxHandler + 'static) -> Self {
        self.in_tx.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    /// The kinds run inside the worker's transactions, in a fixed order.
    pub(super) fn batched_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.in_tx.keys().cloned().collect();
        kinds.sort();
        kinds
    }
}
