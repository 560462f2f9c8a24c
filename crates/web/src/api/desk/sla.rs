//! `/api/v1/calendars` and `/api/v1/sla-policies`: business hours and the SLA policies that
//! use them. Agents read them; managers and admins add them. Policies apply in the order they
//! were added (the first whose conditions match a ticket).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Sla;
use frontline_core::sla::ConfiguredPolicy;
use frontline_domain::Calendar;
use frontline_domain::calendar::{CalendarSpec, Holiday, Week};
use frontline_domain::sla::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::extract::{Allowed, Configure, ReadDesk};
use crate::problem::{ApiResult, Problem};

/// A business-hours calendar: shifts per weekday as `HH:MM-HH:MM` (an end before the start
/// runs past midnight), holidays as `YYYY-MM-DD` or `MM-DD` (every year).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    pub name: String,
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    #[schema(value_type = Object)]
    pub week: Week,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    pub items: Vec<CalendarBody>,
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "configuration",
    responses((status = 200, body = CalendarList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_calendars(
    State(sla): State<Sla>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
) -> ApiResult<Json<CalendarList>> {
    let items = sla
        .calendars(&actor)
        .await?
        .into_iter()
        .map(|(name, calendar)| {
            let spec = CalendarSpec::from(calendar);
            CalendarBody {
                name,
                time_zone: spec.time_zone,
                week: spec.week,
                holidays: spec.holidays,
            }
        });
    Ok(Json(CalendarList {
        items: items.collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/calendars", tag = "configuration", request_body = CalendarBody,
    responses((status = 201, body = CalendarBody), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_calendar(
    State(sla): State<Sla>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CalendarBody>,
) -> ApiResult<(StatusCode, Json<CalendarBody>)> {
    let b = body.value;
    let spec = CalendarSpec {
        time_zone: b.time_zone.clone(),
        week: b.week.clone(),
        holidays: b.holidays.clone(),
    };
    let calendar = Calendar::try_from(spec)?;
    sla.add_calendar(&actor, &b.name, &calendar).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

/// An SLA policy and the calendar its targets count in.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// The name of a calendar.
    pub calendar: String,
    /// name, conditions (priorities, types, categories, organizations, channels), targets
    /// (first_response, next_response, resolution in business minutes), pause_when,
    /// warn_at_percent, and optionally escalation on breach: notify (assignee, group,
    /// manager), move_to_group (an existing group's name), raise_priority.
    #[schema(value_type = Object)]
    pub policy: Policy,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyItem {
    pub id: i64,
    pub position: i64,
    pub calendar: String,
    #[schema(value_type = Object)]
    pub policy: Policy,
}

impl From<ConfiguredPolicy> for PolicyItem {
    fn from(p: ConfiguredPolicy) -> Self {
        Self {
            id: p.id.get(),
            position: p.position,
            calendar: p.calendar,
            policy: p.policy,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    pub items: Vec<PolicyItem>,
}

#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "configuration",
    responses((status = 200, body = PolicyList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_policies(
    State(sla): State<Sla>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
) -> ApiResult<Json<PolicyList>> {
    let items = sla
        .sla_policies(&actor)
        .await?
        .into_iter()
        .map(PolicyItem::from);
    Ok(Json(PolicyList {
        items: items.collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "configuration", request_body = PolicyBody,
    responses((status = 201, body = PolicyItem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_policy(
    State(sla): State<Sla>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<PolicyBody>,
) -> ApiResult<(StatusCode, Json<PolicyItem>)> {
    let b = body.value;
    let added = sla.add_sla_policy(&actor, &b.policy, &b.calendar).await?;
    Ok((StatusCode::CREATED, Json(PolicyItem::from(added))))
}
