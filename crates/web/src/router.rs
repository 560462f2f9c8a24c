//! The router: every route, its OpenAPI description, and the layers around them.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::desk::{
    assignment, categories, custom_fields, default_group, groups, organizations, priority_matrix,
    sla as sla_config, users,
};
use crate::api::jobs::{list as jobs_list, retry as jobs_retry};
use crate::api::mail_templates;
use crate::api::mailboxes;
use crate::api::quarantine;
use crate::api::rules::{change as rules_change, list as rules_list};
use crate::api::tickets::{
    attachments, comments, create, events, get, links, list, merge, sla, time_spent, update,
};
use crate::api::views::{change as views_change, list as views_list};
use crate::api::{canned, contract};
use crate::extract::JSON_BODY_LIMIT;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::{metrics, ops};

/// Comments may carry attachments (the desk's per-file limit applies on top).
const UPLOAD_BODY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Frontline", description = "The REST API of a Frontline service desk. Errors are RFC 9457 problem details."),
    modifiers(&BearerAuth),
    tags(
        (name = "tickets", description = "Tickets, their conversation and audit trail"),
        (name = "people", description = "Users, organizations and groups"),
        (name = "configuration", description = "Categories, custom fields and the priority matrix"),
        (name = "operations", description = "The job queue, for administrators"),
        (name = "views", description = "Saved views: the console's named queues"),
        (name = "canned responses", description = "Reply templates with placeholders"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route with its OpenAPI description, grouped by the nouns of the document's tags.
fn api() -> OpenApiRouter<AppState> {
    // Comments may carry files; every other body is JSON and small.
    let uploads = OpenApiRouter::new()
        .routes(routes!(comments::list_comments, comments::create_comment))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ticket_routes())
        .merge(people_routes())
        .merge(configuration_routes())
        .merge(automation_routes())
        .merge(workspace_routes())
        .merge(mail_routes())
        .merge(operations_routes())
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .merge(uploads)
}

/// Tickets and what hangs off one: trail, SLA, files, merge, links (comments are uploads).
fn ticket_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list_tickets, create::create_ticket))
        .routes(routes!(get::get_ticket, update::update_ticket))
        .routes(routes!(events::list_events))
        .routes(routes!(sla::ticket_sla))
        .routes(routes!(time_spent::ticket_time))
        .routes(routes!(time_spent::time_spent))
        .routes(routes!(attachments::download_attachment))
        .routes(routes!(merge::merge_ticket))
        .routes(routes!(links::list_links, links::create_link))
        .routes(routes!(links::delete_link))
}

/// Users, organizations, groups and who takes which tickets.
fn people_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::me))
        .routes(routes!(
            organizations::list_organizations,
            organizations::create_organization
        ))
        .routes(routes!(organizations::update_organization))
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(groups::set_members))
        .routes(routes!(
            assignment::get_assignment,
            assignment::put_assignment
        ))
        .routes(routes!(assignment::put_availability))
        .routes(routes!(assignment::put_category_skill))
}

/// Categories, custom fields, the priority matrix.
fn configuration_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            categories::list_categories,
            categories::create_category
        ))
        .routes(routes!(
            custom_fields::list_custom_fields,
            custom_fields::create_custom_field
        ))
        .routes(routes!(
            priority_matrix::get_matrix,
            priority_matrix::put_matrix
        ))
        .routes(routes!(
            default_group::get_default_group,
            default_group::put_default_group
        ))
}

/// Calendars, SLA policies and automation rules.
fn automation_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            sla_config::list_calendars,
            sla_config::create_calendar
        ))
        .routes(routes!(
            sla_config::list_policies,
            sla_config::create_policy
        ))
        .routes(routes!(rules_list::list_rules, rules_change::create_rule))
        .routes(routes!(rules_list::reorder_rules))
        .routes(routes!(
            rules_change::replace_rule,
            rules_change::delete_rule
        ))
}

/// An agent's own tools: saved views and canned responses.
fn workspace_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(views_list::list_views, views_change::create_view))
        .routes(routes!(
            views_list::get_view,
            views_change::update_view,
            views_change::delete_view
        ))
        .routes(routes!(views_list::view_tickets))
        .routes(routes!(canned::list_canned, canned::create_canned))
        .routes(routes!(canned::update_canned, canned::delete_canned))
        .routes(routes!(canned::fill_canned))
}

/// Mail templates, mailboxes and the quarantine.
fn mail_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mail_templates::list_mail_templates))
        .routes(routes!(
            mail_templates::get_mail_template,
            mail_templates::put_mail_template,
            mail_templates::reset_mail_template
        ))
        .routes(routes!(
            mailboxes::list_mailboxes,
            mailboxes::create_mailbox
        ))
        .routes(routes!(mailboxes::update_mailbox))
        .routes(routes!(mailboxes::disable_mailbox))
        .routes(routes!(mailboxes::enable_mailbox))
        .routes(routes!(quarantine::list_quarantine))
        .routes(routes!(quarantine::get_quarantined))
        .routes(routes!(quarantine::release_quarantined))
        .routes(routes!(quarantine::discard_quarantined))
}

/// The job queue, for administrators.
fn operations_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(jobs_list::list_jobs))
        .routes(routes!(jobs_retry::retry_job))
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api().split_for_parts().1;
    contract::complete(&mut doc);
    doc
}

pub fn router(state: AppState) -> Router {
    let (api, mut doc) = api().split_for_parts();
    contract::complete(&mut doc);
    let doc = std::sync::Arc::new(doc);
    Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(frontline_ui::router(state.desk.clone()))
        .fallback(|uri: axum::http::Uri| async move {
            // A path under the API answers in problem details; any other is a page.
            if uri.path().starts_with("/api/") {
                ApiError::not_found("route").into_response()
            } else {
                frontline_ui::not_found_page()
            }
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "this route does not take that method")
        })
        .layer(axum::middleware::from_fn_with_state(
            state.desk.clone(),
            frontline_ui::dress_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), actor = tracing::field::Empty)
            }),
        )
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}
