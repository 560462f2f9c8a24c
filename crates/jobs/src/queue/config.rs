//! How a worker paces itself: its name among the nodes, its lease, its timeout, how often
//! it looks for due jobs, and how many it runs at once.

use std::time::Duration;

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// A name unique among the nodes (host, process and start time by default).
    pub id: String,
    /// How long a claim lasts unless renewed. The worker renews it every third of this while
    /// the handler runs, so a job held by a node that died is free again within one lease:
    /// short, because that is how late such a job can be.
    pub lease: Duration,
    /// Longest a handler may run; after that the attempt fails and is retried.
    pub timeout: Duration,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll: Duration,
    /// Batches of database-only jobs run at once.
    pub concurrency: usize,
    /// Other jobs run at once, each on its own: mostly waiting on the network (a mail
    /// server, a webhook), so more of them than batches.
    pub alone: usize,
    /// Most database-only jobs of one kind run in one transaction.
    pub batch: usize,
    /// First retry delay; each further attempt doubles it, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            id: default_worker_id(),
            lease: Duration::from_secs(2),
            timeout: Duration::from_secs(60),
            poll: Duration::from_millis(250),
            concurrency: 4,
            alone: 16,
            batch: 16,
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3_600),
        }
    }
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "node".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("{host}-{}-{started}", std::process::id())
}
