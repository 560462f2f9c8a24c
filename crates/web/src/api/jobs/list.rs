//! `GET /api/v1/jobs`: jobs newest first, optionally in one state, keyset-paginated.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Jobs;
use frontline_core::jobs::JobState;
use serde::Serialize;
use utoipa::ToSchema;

use super::Job;
use crate::extract::{Allowed, JobQueue};
use crate::extract::{Cursor, PageParams, QueryPairs, paginate, unknown_parameter};
use crate::problem::{ApiError, ApiResult, Problem};
use frontline_domain::JobId;

#[derive(Debug, Serialize, ToSchema)]
pub struct JobPage {
    pub items: Vec<Job>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/jobs", tag = "operations",
    params(
        ("state" = Option<String>, Query, pattern = "^(queued|done|dead)$", description = "queued, done or dead; every state when left out"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "1–200, default 50"), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = JobPage), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_jobs(
    State(jobs): State<Jobs>,
    Allowed { actor, .. }: Allowed<JobQueue>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<JobPage>> {
    let mut wanted = None;
    let mut rest = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "state" => match JobState::parse(&v) {
                Ok(s) => wanted = Some(s),
                Err(_) => {
                    return Err(ApiError::field(
                        StatusCode::BAD_REQUEST,
                        "state",
                        "must be queued, done or dead",
                    ));
                }
            },
            "limit" | "cursor" => rest.push((k, v)),
            other => return Err(unknown_parameter(other)),
        }
    }
    let page = PageParams::from_pairs(&rest)?;
    let tag = format!("jobs-{}", wanted.map_or("all", JobState::as_str));
    let before = page.after_id(&tag)?;
    let jobs = jobs
        .list(&actor, wanted, JobId::new(before), page.limit + 1)
        .await?;
    let (jobs, next_cursor) = paginate(jobs, page.limit, |j| Cursor::encode(&tag, &[j.id.get()]));
    Ok(Json(JobPage {
        items: jobs.into_iter().map(Job::from).collect(),
        next_cursor,
    }))
}
