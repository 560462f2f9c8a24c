//! Live updates for an open queue or ticket: a server-sent event stream that says "changed"
//! whenever a ticket is created or changed anywhere on the desk (or, with `ticket`, that one
//! ticket changes), whoever made the change (a page, the API, mail, another node). It polls one
//! cheap query, so it needs no coordination between nodes; the queue page then fetches itself
//! again, and the ticket page says who changed what.
//!
//! A stream ends after `STREAM_SECS` and the browser reconnects, passing the last state it
//! saw (`Last-Event-ID`), so nothing is missed and a server that shuts down is not held up
//! by open streams for longer than that.

use frontline_domain::TicketId;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use frontline_core::{Actor, CoreError};
use futures_util::Stream;
use serde::Deserialize;

use crate::error::UiError;
use crate::session::Staff;

crate::screens! {
    /// What the console's live updates use.
    LiveScreens {
        presence: Presence,
        tickets: Tickets,
        views: Views;
        viewers
    }
}

const POLL: Duration = Duration::from_secs(2);
const STREAM_SECS: u64 = 25;

#[derive(Deserialize)]
pub(crate) struct LiveQuery {
    /// The state the page was rendered from: `<highest ticket id>-<latest change>`.
    #[serde(default)]
    since: String,
    /// Watch this ticket only: its version and last change.
    ticket: Option<TicketId>,
}

/// What the stream compares: the desk's or one ticket's state, as text.
async fn watermark(
    ui: &LiveScreens,
    actor: &Actor,
    ticket: Option<TicketId>,
) -> Result<String, CoreError> {
    Ok(match ticket {
        Some(id) => {
            let t = ui.tickets.ticket(actor, id).await?;
            format!(
                "{}-{}",
                t.record.version,
                t.record.times.updated_at.as_micros()
            )
        }
        None => {
            let (id, at) = ui.views.desk_watermark(actor).await?;
            format!("{id}-{at}")
        }
    })
}

/// What one stream remembers between polls.
struct Watch {
    ui: LiveScreens,
    actor: Actor,
    ticket: Option<TicketId>,
    /// The state last reported (or the page's).
    seen: String,
    deadline: Instant,
    first: bool,
    /// The other viewers last reported, on a ticket.
    viewers: Option<Vec<String>>,
}

pub(crate) async fn events(
    State(ui): State<LiveScreens>,
    Staff(signed): Staff,
    headers: HeaderMap,
    Query(q): Query<LiveQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, UiError> {
    let actor = signed.session.actor;
    let seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or(q.since);
    let ticket = q.ticket;
    let seen = if seen.is_empty() {
        watermark(&ui, &actor, ticket).await?
    } else {
        seen
    };
    let deadline = Instant::now() + Duration::from_secs(STREAM_SECS);
    let state = Watch {
        ui,
        actor,
        ticket,
        seen,
        deadline,
        first: true,
        // Unknown at first, so the first poll on a ticket always reports its viewers.
        viewers: None,
    };
    let stream = futures_util::stream::unfold(state, |mut w| async move {
        if !w.first {
            tokio::time::sleep(POLL).await;
        }
        w.first = false;
        loop {
            if Instant::now() >= w.deadline {
                return None;
            }
            if let Some(id) = w.ticket {
                let others = match w.ui.viewers.see(&w.ui.presence, &w.actor, id).await {
                    Ok(others) => others,
                    Err(e) => {
                        tracing::warn!(error = %e, "live updates cannot record a viewer");
                        return None;
                    }
                };
                if w.viewers.as_ref() != Some(&others) {
                    let event = Event::default().event("viewers").data(others.join(", "));
                    w.viewers = Some(others);
                    return Some((Ok(event), w));
                }
            }
            let now = match watermark(&w.ui, &w.actor, w.ticket).await {
                Ok(now) => now,
                Err(e) => {
                    tracing::warn!(error = %e, "live updates cannot read the desk");
                    return None;
                }
            };
            if now != w.seen {
                let event = Event::default()
                    .event("changed")
                    .id(now.clone())
                    .data(now.clone());
                w.seen = now;
                return Some((Ok(event), w));
            }
            tokio::time::sleep(POLL).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10))))
}
