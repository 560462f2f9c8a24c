//! `Desk`: the handle every operation hangs off — the store, the clock and the limits.

use std::sync::Arc;

use frontline_domain::Timestamp;
use frontline_store::{Store, Tx};

use crate::Result;

/// Sizes the desk refuses to exceed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest single attachment, in bytes.
    pub attachment_bytes: usize,
    /// Most attachments on one comment.
    pub attachments_per_comment: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            attachment_bytes: 20 * 1024 * 1024,
            attachments_per_comment: 10,
        }
    }
}

type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

#[derive(Clone)]
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub limits: Limits,
    /// Where people reach the desk, for links in mail; none: mail carries no links.
    pub public_url: Option<crate::mail::outbound::PublicUrl>,
    /// SLA policies and calendars as last read (see `cache`).
    pub(crate) sla_policies: Arc<crate::sla::PolicyCache>,
    /// Custom field definitions and the priority matrix as last read.
    pub(crate) ticket_config: Arc<crate::config::ConfigCache>,
    /// New tickets waiting to be written together (see `tickets::writer`).
    pub(crate) creations: Arc<crate::tickets::CreationQueue>,
    /// API tokens recently found valid.
    pub(crate) tokens: Arc<crate::auth::TokenCache>,
    /// Automation rules as last read.
    pub(crate) rules: Arc<crate::rules::RuleCache>,
    /// Groups that assign automatically, as last read.
    pub(crate) assignment: Arc<crate::assignment::ModeCache>,
    /// Whether any mailbox sends mail, as last read.
    pub(crate) outbound: Arc<crate::mail::outbound::OutboundCache>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("store", &self.store).finish()
    }
}

impl Desk {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            clock: Arc::new(Timestamp::now),
            limits: Limits::default(),
            public_url: None,
            sla_policies: Arc::default(),
            ticket_config: Arc::default(),
            creations: Arc::default(),
            tokens: Arc::default(),
            rules: Arc::default(),
            assignment: Arc::default(),
            outbound: Arc::default(),
        }
    }

    /// A desk whose clock is `clock`, for tests of time-dependent rules.
    pub fn with_clock(store: Store, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            ..Self::new(store)
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(self.store.begin().await?)
    }

    /// Ticket counts by status, for metrics.
    pub async fn tickets_by_status(&self) -> Result<Vec<(String, i64)>> {
        let mut c = self.store.read().await?;
        Ok(c.conn().tickets_by_status().await?)
    }

    pub async fn is_ready(&self) -> Result<bool> {
        Ok(self.store.is_ready().await?)
    }
}
