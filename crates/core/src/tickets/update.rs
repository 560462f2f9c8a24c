//! Changing a ticket's fields. Only the fields named in the patch change; with `If-Match` a
//! change made since the client read the ticket is refused instead of overwritten.

use frontline_domain::{CategoryPath, Email, Level, Priority, Status, Subject, Tag, TicketType};
use frontline_store::tickets::{TicketRow, TicketView};
use serde_json::{Map, Value};

use super::fields;
use super::trail::Trail;
use super::{ONLY_AGENTS_SET_WATCHERS, require_owner, visible_for_update};
use crate::config::{load_custom_fields, load_matrix};
use crate::rules;
use crate::{Actor, CoreError, Desk, Result};

/// `None` leaves a field alone; for nullable fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub subject: Option<Subject>,
    pub description: Option<String>,
    pub status: Option<Status>,
    pub ticket_type: Option<TicketType>,
    pub impact: Option<Level>,
    pub urgency: Option<Level>,
    /// `Some(None)` returns the priority to the matrix.
    pub priority: Option<Option<Priority>>,
    pub category: Option<Option<CategoryPath>>,
    pub group: Option<Option<String>>,
    pub assignee: Option<Option<Email>>,
    pub tags: Option<Vec<Tag>>,
    pub watchers: Option<Vec<Email>>,
    pub custom_fields: Option<Map<String, Value>>,
}

impl TicketPatch {
    /// The fields a requester may change on their own ticket: closing it. Watchers are
    /// refused with the words creation uses, so both paths read the same.
    fn requester_may_apply(&self) -> Result<()> {
        if self.watchers.is_some() {
            return Err(CoreError::forbidden(ONLY_AGENTS_SET_WATCHERS));
        }
        let touched = [
            ("subject", self.subject.is_some()),
            ("description", self.description.is_some()),
            ("type", self.ticket_type.is_some()),
            ("impact", self.impact.is_some()),
            ("urgency", self.urgency.is_some()),
            ("priority", self.priority.is_some()),
            ("category", self.category.is_some()),
            ("group", self.group.is_some()),
            ("assignee", self.assignee.is_some()),
            ("tags", self.tags.is_some()),
            ("custom_fields", self.custom_fields.is_some()),
            ("status", self.status.is_some_and(|s| s != Status::Closed)),
        ];
        match touched.iter().find(|(_, t)| *t) {
            Some((field, _)) => Err(CoreError::forbidden(format!(
                "requesters may only close their own tickets, not change {field}"
            ))),
            None => Ok(()),
        }
    }
}

impl Desk {
    pub async fn update_ticket(
        &self,
        actor: &Actor,
        id: i64,
        patch: TicketPatch,
        if_match: Option<i64>,
    ) -> Result<TicketView> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let mut c = tx.conn();
        let old = visible_for_update(&mut c, actor, id).await?;
        if !actor.is_staff() {
            patch.requester_may_apply()?;
            require_owner(actor, &old)?;
        }
        if let Some(v) = if_match
            && v != old.version
        {
            return Err(CoreError::Stale {
                current: old.version,
            });
        }
        let mut t = old.clone();
        let mut trail = Trail::new(id, Some(actor.id), now);
        let p = patch;
        if let Some(s) = &p.subject {
            t.subject = s.as_str().to_owned();
        }
        if let Some(d) = &p.description {
            t.description = d.clone();
        }
        if let Some(ty) = p.ticket_type {
            t.ticket_type = ty.as_str().to_owned();
        }
        if let Some(i) = p.impact {
            t.impact = i.as_str().to_owned();
        }
        if let Some(u) = p.urgency {
            t.urgency = u.as_str().to_owned();
        }
        if let Some(status) = p.status {
            let from = Status::parse("status", &old.status)?;
            set_status(&mut t, from.transition(status)?, now.as_micros());
        }
        match p.priority {
            Some(Some(prio)) => {
                t.priority = prio.rank();
                t.priority_overridden = true;
            }
            Some(None) => t.priority_overridden = false,
            None => {}
        }
        if !t.priority_overridden {
            let m = load_matrix(&mut c).await?;
            t.priority = m
                .priority(
                    Level::parse("impact", &t.impact)?,
                    Level::parse("urgency", &t.urgency)?,
                )
                .rank();
        }
        if let Some(cat) = &p.category {
            t.category_id = match cat {
                Some(path) => Some(fields::category_id(&mut c, path).await?),
                None => None,
            };
        }
        if let Some(g) = &p.group {
            t.group_id = match g {
                Some(name) => Some(fields::group_id(&mut c, name).await?),
                None => None,
            };
        }
        if let Some(a) = &p.assignee {
            t.assignee_id = match a {
                Some(email) => Some(fields::staff(&mut c, "assignee", email).await?.id),
                None => None,
            };
        }
        if let Some(changes) = &p.custom_fields {
            let defs = load_custom_fields(&mut c).await?;
            let mut current = fields::parse_custom(&t.custom_fields)?;
            let ty = TicketType::parse("type", &t.ticket_type)?;
            let index = fields::apply_custom_fields(&defs, ty, &mut current, changes, false)?;
            let new_json = Value::Object(current).to_string();
            if new_json != t.custom_fields {
                trail.changed(
                    "custom_fields",
                    Some(t.custom_fields.clone()),
                    Some(new_json.clone()),
                );
                t.custom_fields = new_json;
                c.set_field_values(id, &index).await?;
            }
        }
        let before = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if let Some(tags) = &p.tags {
            let mut tags: Vec<String> = tags.iter().map(|t| t.as_str().to_owned()).collect();
            tags.sort();
            tags.dedup();
            if tags != before.tags {
                c.set_tags(id, &tags).await?;
                trail.changed("tags", Some(before.tags.join(",")), Some(tags.join(",")));
            }
        }
        if let Some(emails) = &p.watchers {
            let wanted = fields::users(&mut c, "watchers", emails).await?;
            let current = c.watcher_ids(id).await?;
            for w in current.iter().filter(|w| !wanted.contains(w)) {
                c.remove_watcher(id, *w).await?;
            }
            for w in wanted.iter().filter(|w| !current.contains(w)) {
                c.add_watcher(id, *w).await?;
            }
            let mut names: Vec<String> = emails.iter().map(Email::to_string).collect();
            names.sort();
            names.dedup();
            trail.changed(
                "watchers",
                Some(before.watchers.join(",")),
                Some(names.join(",")),
            );
        }
        if t == old && trail.is_empty() {
            tx.commit().await?;
            return Ok(before);
        }
        // Entering a group that assigns automatically, without an assignee.
        let mut picked = None;
        if let (Some(group), None) = (t.group_id, t.assignee_id)
            && t.group_id != old.group_id
        {
            picked = self
                .pick_assignee(&mut c, group, t.category_id, now)
                .await?;
            t.assignee_id = picked.as_ref().map(|p| p.user_id);
        }
        t.version = old.version + 1;
        t.updated_at = now.as_micros();
        c.save_ticket(&t, old.version).await.map_err(|e| match e {
            frontline_store::StoreError::Stale => CoreError::Stale {
                current: old.version + 1,
            },
            other => other.into(),
        })?;
        let mut after = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        record_row_changes(&mut trail, &before, &after);
        trail.write(&mut c).await?;
        if let Some(pick) = picked {
            c.insert_event(&pick.event(id, now)).await?;
        }
        let change = rules::Change {
            before: &before,
            saved: t,
            kind: rules::Update::Edit,
        };
        let changed = self.ticket_changed(&mut c, change, now).await?;
        if changed.rules_acted {
            after = c
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
        }
        let t = changed.row;
        self.reconcile_sla(&mut c, id, now, false).await?;
        self.mail_on_update(&mut c, &old, &t, Some(actor.id), now)
            .await?;
        tx.commit().await?;
        tracing::info!(
            ticket_id = id,
            actor = actor.id,
            version = t.version,
            "ticket updated"
        );
        Ok(after)
    }
}

/// Moves a ticket to `to`, keeping the resolution and closing times in step.
pub(crate) fn set_status(t: &mut TicketRow, to: Status, at: i64) {
    t.status = to.as_str().to_owned();
    match to {
        Status::Resolved => t.resolved_at = t.resolved_at.or(Some(at)),
        Status::Closed => {
            t.resolved_at = t.resolved_at.or(Some(at));
            t.closed_at = Some(at);
        }
        _ => t.resolved_at = None,
    }
}

/// One event per changed column, in names people read (emails, group names, paths).
pub(crate) fn record_row_changes(trail: &mut Trail, before: &TicketView, after: &TicketView) {
    let (b, a) = (&before.row, &after.row);
    let prio = |r: &TicketRow| {
        Priority::from_rank(r.priority)
            .map(|p| p.as_str().to_owned())
            .ok()
    };
    trail.changed("subject", Some(b.subject.clone()), Some(a.subject.clone()));
    trail.changed(
        "description",
        Some(b.description.clone()),
        Some(a.description.clone()),
    );
    trail.changed("status", Some(b.status.clone()), Some(a.status.clone()));
    trail.changed(
        "type",
        Some(b.ticket_type.clone()),
        Some(a.ticket_type.clone()),
    );
    trail.changed("impact", Some(b.impact.clone()), Some(a.impact.clone()));
    trail.changed("urgency", Some(b.urgency.clone()), Some(a.urgency.clone()));
    trail.changed("priority", prio(b), prio(a));
    trail.changed(
        "category",
        before.category_path.clone(),
        after.category_path.clone(),
    );
    trail.changed("group", before.group_name.clone(), after.group_name.clone());
    trail.changed(
        "assignee",
        before.assignee_email.clone(),
        after.assignee_email.clone(),
    );
}
