//! `Desk`: the composition root. It opens the shared core (the store, the clock, the limits
//! and each module's cache) and hands out the services named for the product's nouns:
//! [`Tickets`], [`Comments`], [`Sla`], [`Rules`], [`Assignment`], [`People`], [`Views`],
//! [`Config`], [`Canned`], [`Mail`], [`Auth`], [`Jobs`] and [`Presence`].
//!
//! A service is a cheap handle (one `Arc`); a front end or job holds the ones it uses.
//! Each cache's type is private to the module of the service that fills and invalidates it.

use std::sync::Arc;

use frontline_domain::Timestamp;
use frontline_store::{Store, Tx};

use crate::Result;
use crate::mail::outbound::PublicUrl;

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

/// What every service shares: settings fixed when the desk opens, and the caches.
pub(crate) struct Core {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub(crate) limits: Limits,
    /// Where people reach the desk, for links in mail; none: mail carries no links.
    pub(crate) public_url: Option<PublicUrl>,
    /// SLA policies and calendars as last read (see `cache`).
    pub(crate) sla_policies: crate::sla::PolicyCache,
    /// Custom field definitions and the priority matrix as last read.
    pub(crate) ticket_config: crate::config::ConfigCache,
    /// New tickets waiting to be written together (see `tickets::writer`).
    pub(crate) creations: crate::tickets::CreationQueue,
    /// API tokens recently found valid.
    pub(crate) tokens: crate::auth::TokenCache,
    /// Automation rules as last read.
    pub(crate) rules: crate::rules::RuleCache,
    /// Groups that assign automatically, as last read.
    pub(crate) assignment: crate::assignment::ModeCache,
    /// Whether any mailbox sends mail, as last read.
    pub(crate) outbound: crate::mail::outbound::OutboundCache,
}

impl Core {
    fn new(store: Store, clock: Clock, limits: Limits, public_url: Option<PublicUrl>) -> Self {
        Self {
            store,
            clock,
            limits,
            public_url,
            sla_policies: Default::default(),
            ticket_config: Default::default(),
            creations: Default::default(),
            tokens: Default::default(),
            rules: Default::default(),
            assignment: Default::default(),
            outbound: Default::default(),
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        (self.clock)()
    }

    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(self.store.begin().await?)
    }
}

/// The desk: opens the core and hands out its services.
#[derive(Clone)]
pub struct Desk {
    core: Arc<Core>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("store", &self.core.store)
            .finish()
    }
}

impl Desk {
    pub fn new(store: Store) -> Self {
        Self::with_clock(store, Timestamp::now)
    }

    /// A desk whose clock is `clock`, for tests of time-dependent rules.
    pub fn with_clock(store: Store, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Self {
            core: Arc::new(Core::new(store, Arc::new(clock), Limits::default(), None)),
        }
    }

    /// This desk, linking mail to `url`. Settings are fixed before the desk is shared: on a
    /// desk already cloned, the result is a new desk with fresh caches.
    pub fn with_public_url(mut self, url: Option<PublicUrl>) -> Self {
        if let Some(core) = Arc::get_mut(&mut self.core) {
            core.public_url = url;
            return self;
        }
        let c = &self.core;
        Self {
            core: Arc::new(Core::new(c.store.clone(), c.clock.clone(), c.limits, url)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.core.store
    }

    pub fn now(&self) -> Timestamp {
        self.core.now()
    }

    pub fn public_url(&self) -> Option<&PublicUrl> {
        self.core.public_url.as_ref()
    }

    pub async fn is_ready(&self) -> Result<bool> {
        Ok(self.core.store.is_ready().await?)
    }
}

/// A service a front end or job can be handed: made from the desk, cheap to clone.
pub trait Service: Clone + Send + Sync + 'static {
    fn of(desk: &Desk) -> Self;
}

/// Declares the services: each a handle on the shared core, reachable from the desk and from
/// every other service (`self.sla()` inside `Tickets`), so an operation that crosses nouns
/// says which one it calls.
macro_rules! services {
    ($($(#[doc = $doc:literal])* $service:ident => $accessor:ident),* $(,)?) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone)]
            pub struct $service {
                pub(crate) core: Arc<Core>,
            }

            impl Service for $service {
                fn of(desk: &Desk) -> Self {
                    desk.$accessor()
                }
            }

            impl std::fmt::Debug for $service {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(stringify!($service)).finish_non_exhaustive()
                }
            }
        )*

        impl Desk {
            $(
                $(#[doc = $doc])*
                pub fn $accessor(&self) -> $service {
                    $service { core: self.core.clone() }
                }
            )*
        }

        services!(@reach [$($service => $accessor),*] $($service),*);
    };
    (@reach $all:tt $($service:ident),*) => {
        $( services!(@one $service $all); )*
    };
    (@one $service:ident [$($other:ident => $accessor:ident),*]) => {
        #[allow(dead_code)]
        impl $service {
            $(
                pub(crate) fn $accessor(&self) -> $other {
                    $other { core: self.core.clone() }
                }
            )*
        }
    };
}

/// Calls `$then! { /// doc  Service => accessor, … }` with every service, so front ends can
/// derive what they need per service (e.g. axum's `FromRef` from their app state).
#[macro_export]
macro_rules! with_services {
    ($then:ident) => {
        $then! {
            /// Tickets: create, read, list, update, link and merge.
            Tickets => tickets,
            /// The conversation on a ticket: replies, notes and their attachments.
            Comments => comments,
            /// SLA policies, business calendars and each ticket's targets and timers.
            Sla => sla,
            /// Automation rules: kept in order, run on changes, on due times and on time.
            Rules => rules,
            /// Who gets a ticket: automatic assignment by group, availability and skill.
            Assignment => assignment,
            /// Users, organizations, groups and the staff directory.
            People => people,
            /// Saved views and the console's queues and counts.
            Views => views,
            /// Ticket configuration: categories, custom fields and the priority matrix.
            Config => config,
            /// Canned responses agents insert into replies.
            Canned => canned,
            /// Mail in and out: mailboxes, receiving and ingest, quarantine, templates, the outbox and notifications.
            Mail => mail,
            /// Who is asking: API tokens, passwords and browser sessions.
            Auth => auth,
            /// The durable job queue and the upkeep that keeps it small.
            Jobs => jobs,
            /// Who is looking at a ticket right now.
            Presence => presence,
        }
    };
}

with_services!(services);
