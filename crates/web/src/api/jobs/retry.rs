//! `POST /api/v1/jobs/{id}/retry`: a dead job gets a fresh set of attempts, due now.

use axum::Json;
use axum::extract::State;
use frontline_core::Jobs;

use super::Job;
use crate::extract::ApiPath;
use crate::extract::{Allowed, JobQueue};
use crate::problem::{ApiResult, Problem};
use frontline_domain::JobId;

#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/retry", tag = "operations",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 200, body = Job), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The job is not dead")),
    security(("bearer" = []))
)]
pub async fn retry_job(
    State(jobs): State<Jobs>,
    Allowed { actor, .. }: Allowed<JobQueue>,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult<Json<Job>> {
    Ok(Json(Job::from(jobs.retry_job(&actor, id).await?)))
}
