//! Frontline's web pages: sign-in, the agent console (`/console`) and the self-service portal
//! (`/portal`), rendered on the server from askama templates (`templates/`), with one small
//! script and one stylesheet (`assets/`) compiled into the binary.
//!
//! A page handler takes a signed-in person from a session extractor (`session`), calls one
//! `frontline_core` operation, and renders a template. Every form carries the session's CSRF
//! token and the extractors refuse a state-changing request without it. The pages work
//! without script; `app.js` adds keyboard navigation and live queue updates (server-sent
//! events from `console::live`).

mod admin;
mod assets;
mod console;
mod dress;
mod error;
mod forms;
mod login;
mod portal;
mod proxy;
mod session;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use frontline_core::Desk;
use tower_http::set_header::SetResponseHeaderLayer;

pub use dress::dress_errors;
pub use error::not_found_page;
pub use proxy::{Cidr, TrustedProxies};

/// Requests with attachments may be this large; the desk's per-file limit applies on top.
const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// Scripts and styles only from this origin and never inline; no framing, no plugins, and
/// forms post only back here.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// What every page handler can reach.
#[derive(Clone)]
pub(crate) struct Ui {
    pub desk: Desk,
    /// Who is viewing which ticket, on this node.
    pub viewers: std::sync::Arc<console::viewers::Viewers>,
}

/// Every service of the desk, for handlers that take only the ones they use.
macro_rules! from_state {
    ($($(#[doc = $doc:literal])* $service:ident => $accessor:ident),* $(,)?) => {
        $(
            impl axum::extract::FromRef<Ui> for frontline_core::$service {
                fn from_ref(state: &Ui) -> Self {
                    state.desk.$accessor()
                }
            }
        )*
    };
}

frontline_core::with_services!(from_state);

/// Declares what a group of screens uses: a struct of the core services they take, extracted
/// from the pages' state (`State(s): State<RuleScreens>`), so each screen names its services
/// and reaches no others. `; viewers` adds this node's list of who is viewing which ticket.
macro_rules! screens {
    (
        $(#[doc = $doc:literal])*
        $name:ident { $($field:ident: $service:ident),* $(,)? $(; $viewers:ident)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone)]
        pub(crate) struct $name {
            $(pub $field: frontline_core::$service,)*
            $(pub $viewers: std::sync::Arc<crate::console::viewers::Viewers>,)?
        }

        impl axum::extract::FromRef<crate::Ui> for $name {
            fn from_ref(ui: &crate::Ui) -> Self {
                use frontline_core::Service;
                Self {
                    $($field: frontline_core::$service::of(&ui.desk),)*
                    $($viewers: ui.viewers.clone(),)?
                }
            }
        }
    };
}
pub(crate) use screens;

/// The ticket page's forms that change the ticket: its fields, links and merging.
fn ticket_changes() -> Router<Ui> {
    Router::new()
        .route(
            "/console/tickets/{id}/fields",
            post(console::ticket_edit::fields),
        )
        .route(
            "/console/tickets/{id}/links",
            post(console::ticket_edit::link),
        )
        .route(
            "/console/tickets/{id}/links/delete",
            post(console::ticket_edit::unlink),
        )
        .route(
            "/console/tickets/{id}/merge",
            post(console::ticket_edit::merge),
        )
}

/// The pages, for the web front end to merge next to its API. `S` is the outer router's
/// state; the pages carry their own.
pub fn router<S: Clone + Send + Sync + 'static>(desk: Desk) -> Router<S> {
    let uploads = Router::new()
        .route("/portal/tickets", post(portal::new::submit))
        .route("/console/tickets", post(console::new::submit))
        .route("/portal/tickets/{id}/replies", post(portal::ticket::reply))
        .route(
            "/console/tickets/{id}/comments",
            post(console::ticket::comment),
        )
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/account/password",
            get(login::password_form).post(login::change_password),
        )
        .route("/assets/{name}", get(assets::serve))
        .route("/console", get(console::queue::page))
        .route("/console/search", get(console::search::page))
        .route("/console/live", get(console::live::events))
        .route("/console/new", get(console::new::form))
        .route("/console/bulk", post(console::bulk::apply))
        .route("/console/views", post(console::views::save))
        .route(
            "/console/canned",
            get(console::canned::page).post(console::canned::add),
        )
        .route("/console/canned/{id}", post(console::canned::change))
        .route("/console/canned/{id}/delete", post(console::canned::delete))
        .route("/console/views/{id}/rename", post(console::views::rename))
        .route("/console/views/{id}/delete", post(console::views::delete))
        .route("/console/tickets/{id}", get(console::ticket::page))
        .route("/portal", get(portal::list::page))
        .route("/portal/new", get(portal::new::form))
        .route("/portal/tickets/{id}", get(portal::ticket::page))
        .route("/portal/tickets/{id}/close", post(portal::ticket::close))
        .route(
            "/tickets/{id}/attachments/{attachment}",
            get(assets::attachment),
        )
        .merge(uploads)
        .merge(ticket_changes())
        .merge(admin::router())
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            dress::dress_errors,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(Ui {
            desk,
            viewers: Default::default(),
        })
}
