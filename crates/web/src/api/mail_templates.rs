//! `/api/v1/mail-templates`: the mail the desk sends, as templates administrators edit. Each
//! has a subject, a plain-text body and an HTML body (MiniJinja; values in the HTML body
//! are escaped). `PUT` saves a version that must render; `DELETE` resets to the shipped one.

use axum::Json;
use axum::extract::State;
use frontline_core::Mail;
use frontline_core::mail::templates::{MailTemplate, TemplateEdit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::time;
use crate::extract::{Allowed, MailTemplates};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct MailTemplateItem {
    /// ticket_created, agent_reply, status_changed, ticket_resolved, assigned, mentioned or
    /// notification.
    pub name: String,
    /// Who gets it, and when.
    pub description: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// False while the shipped version applies.
    pub customized: bool,
    pub updated_at: Option<String>,
}

impl From<MailTemplate> for MailTemplateItem {
    fn from(t: MailTemplate) -> Self {
        Self {
            name: t.name,
            description: t.description,
            subject: t.subject,
            body_text: t.body_text,
            body_html: t.body_html,
            customized: t.customized,
            updated_at: t.updated_at.map(time),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailTemplateList {
    pub items: Vec<MailTemplateItem>,
}

/// An administrator's version of a template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailTemplateBody {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

#[utoipa::path(get, path = "/api/v1/mail-templates", tag = "configuration",
    responses((status = 200, body = MailTemplateList), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_mail_templates(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<MailTemplates>,
) -> ApiResult<Json<MailTemplateList>> {
    let items = mail.mail_templates(&actor).await?;
    Ok(Json(MailTemplateList {
        items: items.into_iter().map(MailTemplateItem::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/mail-templates/{name}", tag = "configuration",
    params(("name" = String, Path, description = "Template name")),
    responses((status = 200, body = MailTemplateItem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_mail_template(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<MailTemplates>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<MailTemplateItem>> {
    let t = mail.mail_template(&actor, &name).await?;
    Ok(Json(t.into()))
}

#[utoipa::path(put, path = "/api/v1/mail-templates/{name}", tag = "configuration",
    params(("name" = String, Path, description = "Template name")),
    request_body = MailTemplateBody,
    responses((status = 200, body = MailTemplateItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "A part is empty, too long or does not render")),
    security(("bearer" = [])))]
pub async fn put_mail_template(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<MailTemplates>,
    ApiPath(name): ApiPath<String>,
    body: ApiJson<MailTemplateBody>,
) -> ApiResult<Json<MailTemplateItem>> {
    let b = body.value;
    let edit = TemplateEdit {
        subject: b.subject,
        body_text: b.body_text,
        body_html: b.body_html,
    };
    let t = mail.put_mail_template(&actor, &name, edit).await?;
    Ok(Json(t.into()))
}

#[utoipa::path(delete, path = "/api/v1/mail-templates/{name}", tag = "configuration",
    params(("name" = String, Path, description = "Template name")),
    responses((status = 200, body = MailTemplateItem, description = "The shipped template, which applies again"),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn reset_mail_template(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<MailTemplates>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<MailTemplateItem>> {
    let t = mail.reset_mail_template(&actor, &name).await?;
    Ok(Json(t.into()))
}
