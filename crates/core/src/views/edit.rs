//! Keeping saved views: the ones a person sees, adding, changing, renaming and deleting, and
//! who may share with whom.

use frontline_domain::{GroupId, ViewId, ViewVisibility};
use frontline_store::views::ViewValues;

use super::stored::{from_record, stored};
use super::{MOST_VIEWS, SavedView, ViewSpec, Visibility, sort_text, view_name};
use crate::{Actor, CoreError, Result, Views};

impl Views {
    /// The views `actor` sees: their own and those shared with them, by name.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<SavedView>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let rows = pc.conn().views_for(actor.id).await?;
        rows.into_iter().map(from_record).collect()
    }

    /// One view, when `actor` sees it.
    pub async fn view(&self, actor: &Actor, id: ViewId) -> Result<SavedView> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let row = c.view_by_id(id).await?.ok_or(CoreError::NotFound("view"))?;
        let visible = row.owner_id == actor.id
            || row.visibility == ViewVisibility::Everyone
            || (row.visibility == ViewVisibility::Group
                && match row.shared_group_id {
                    Some(g) => c.is_group_member(g, actor.id).await?,
                    None => false,
                });
        if !visible {
            return Err(CoreError::NotFound("view"));
        }
        from_record(row)
    }

    /// Checks who may share with whom and resolves the shared group; the group's id.
    async fn share_target(&self, actor: &Actor, spec: &ViewSpec) -> Result<Option<GroupId>> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        if let Some(g) = &spec.group
            && c.group_by_name(g).await?.is_none()
        {
            return Err(CoreError::invalid(
                "group",
                format!("no group is named {g:?}"),
            ));
        }
        match &spec.visibility {
            Visibility::Private => Ok(None),
            Visibility::Everyone if actor.role.can_configure() => Ok(None),
            Visibility::Everyone => Err(CoreError::forbidden(
                "only managers and admins may share a view with every agent",
            )),
            Visibility::Group(name) => {
                let group = c.group_by_name(name).await?.ok_or_else(|| {
                    CoreError::invalid("shared_with", format!("no group is named {name:?}"))
                })?;
                if actor.role.can_configure() || c.is_group_member(group.id, actor.id).await? {
                    Ok(Some(group.id))
                } else {
                    Err(CoreError::forbidden(
                        "you may share a view only with a group you belong to",
                    ))
                }
            }
        }
    }

    /// Saves a new view owned by `actor`.
    pub async fn add_view(&self, actor: &Actor, spec: ViewSpec) -> Result<SavedView> {
        actor.require_staff()?;
        let name = view_name(&spec.name)?;
        let group_id = self.share_target(actor, &spec).await?;
        let filters = stored(&spec)?;
        let sort = sort_text(spec.sort);
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let owned = c
            .views_for(actor.id)
            .await?
            .iter()
            .filter(|v| v.owner_id == actor.id)
            .count();
        if owned >= MOST_VIEWS {
            return Err(CoreError::Conflict(format!(
                "you already have {MOST_VIEWS} saved views; delete one first"
            )));
        }
        let values = ViewValues {
            name: &name,
            visibility: spec.visibility.kind(),
            shared_group_id: group_id,
            filters: &filters,
            sort: &sort,
        };
        let id = c
            .insert_view(actor.id, &values, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate_name(e, &name))?;
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Replaces what a view holds (its name, sharing, queue, filters and sort).
    pub async fn change_view(
        &self,
        actor: &Actor,
        id: ViewId,
        spec: ViewSpec,
    ) -> Result<SavedView> {
        let current = self.view(actor, id).await?;
        if !current.editable_by(actor) {
            return Err(CoreError::forbidden(
                "only its owner, or a manager or admin, may change a shared view",
            ));
        }
        let name = view_name(&spec.name)?;
        let group_id = self.share_target(actor, &spec).await?;
        let filters = stored(&spec)?;
        let sort = sort_text(spec.sort);
        let values = ViewValues {
            name: &name,
            visibility: spec.visibility.kind(),
            shared_group_id: group_id,
            filters: &filters,
            sort: &sort,
        };
        let mut tx = self.core.begin().await?;
        let changed = tx
            .conn()
            .update_view(id, &values, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate_name(e, &name))?;
        if !changed {
            return Err(CoreError::NotFound("view"));
        }
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Renames a view, keeping everything else.
    pub async fn rename_view(&self, actor: &Actor, id: ViewId, name: &str) -> Result<SavedView> {
        let current = self.view(actor, id).await?;
        let spec = ViewSpec {
            name: name.to_owned(),
            ..current.spec
        };
        self.change_view(actor, id, spec).await
    }

    pub async fn delete_view(&self, actor: &Actor, id: ViewId) -> Result<()> {
        let current = self.view(actor, id).await?;
        if !current.editable_by(actor) {
            return Err(CoreError::forbidden(
                "only its owner, or a manager or admin, may delete a shared view",
            ));
        }
        let mut tx = self.core.begin().await?;
        tx.conn().delete_view(id).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A second view of one owner with the same name is refused with a message that says so.
fn duplicate_name(e: frontline_store::StoreError, name: &str) -> CoreError {
    match e {
        frontline_store::StoreError::Duplicate(_) => CoreError::Conflict(format!(
            "you already have a view named {name:?}; pick another name"
        )),
        other => other.into(),
    }
}
