//! Rule webhooks: POST the JSON a rule put in the job to its URL. An answer other than 2xx,
//! or none within the timeout, is a failure the queue retries with doubling backoff; the
//! receiver may see a call twice (a crash between its answer and the job's completion), so
//! the body carries the rule and ticket for it to recognise a repeat.

use std::sync::OnceLock;
use std::time::Duration;

use frontline_core::rules::WebhookCall;

use crate::queue::{HandlerFuture, JobContext, JobError};

const TIMEOUT: Duration = Duration::from_secs(10);

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

pub(crate) fn call(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move {
        let call: WebhookCall = ctx.payload()?;
        let answer = client()
            .post(&call.url)
            .header("User-Agent", "Frontline")
            .json(&call.body)
            .send()
            .await
            .map_err(|e| JobError::Retry(format!("webhook {} failed: {e}", call.url)))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(JobError::Retry(format!(
                "webhook {} answered {status}",
                call.url
            )));
        }
        tracing::info!(job_id = ctx.job.id, url = %call.url, "webhook delivered");
        Ok(())
    })
}
