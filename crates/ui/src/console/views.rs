//! Saving the queue on screen as a named view, renaming and deleting one. The view page itself
//! is the queue page with `?view=ID` (`queue`).

use axum::extract::{Path, State};
use axum::response::Redirect;
use frontline_core::Views;
use frontline_core::views::{ViewSpec, Visibility};
use serde::Deserialize;

use crate::console::queue::{QueueQuery, spec_of};
use crate::error::UiError;
use crate::session::{CsrfForm, Posted};
use frontline_domain::ViewId;

#[derive(Deserialize)]
pub(crate) struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    /// `private`, `group:<name>` or `everyone`.
    #[serde(default)]
    share: String,
    #[serde(default)]
    queue: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
}

impl CsrfForm for SaveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn visibility(share: &str) -> Result<Visibility, UiError> {
    match share {
        "" | "private" => Ok(Visibility::Private),
        "everyone" => Ok(Visibility::Everyone),
        other => other
            .strip_prefix("group:")
            .filter(|g| !g.is_empty())
            .map(|g| Visibility::Group(g.to_owned()))
            .ok_or_else(|| UiError::BadRequest("Choose who the view is shared with.".into())),
    }
}

pub(crate) async fn save(
    State(views): State<Views>,
    posted: Posted<SaveForm>,
) -> Result<Redirect, UiError> {
    let (signed, f) = (&posted.signed, &posted.form);
    let filters = QueueQuery {
        queue: Some(f.queue.clone()),
        sort: Some(f.sort.clone()),
        after: None,
        q: Some(f.q.clone()),
        view: None,
        priority: Some(f.priority.clone()),
        group: Some(f.group.clone()),
    };
    let spec = ViewSpec {
        name: f.name.clone(),
        visibility: visibility(&f.share)?,
        ..spec_of(&filters)?
    };
    let view = views.add_view(signed.actor(), spec).await?;
    Ok(Redirect::to(&format!("/console?view={}", view.id)))
}

#[derive(Deserialize)]
pub(crate) struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

impl CsrfForm for RenameForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(crate) async fn rename(
    State(views): State<Views>,
    Path(id): Path<ViewId>,
    posted: Posted<RenameForm>,
) -> Result<Redirect, UiError> {
    let view = views
        .rename_view(posted.signed.actor(), id, &posted.form.name)
        .await?;
    Ok(Redirect::to(&format!("/console?view={}", view.id)))
}

pub(crate) async fn delete(
    State(views): State<Views>,
    Path(id): Path<ViewId>,
    posted: Posted<crate::login::CsrfOnly>,
) -> Result<Redirect, UiError> {
    views.delete_view(posted.signed.actor(), id).await?;
    Ok(Redirect::to("/console"))
}
