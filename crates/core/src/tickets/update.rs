//! Changing a ticket's fields. Only the fields named in the patch change; with `If-Match` a
//! change made since the client read the ticket is refused instead of overwritten.

use frontline_domain::{
    CategoryPath, Email, Level, Priority, Status, Subject, Tag, Ticket, TicketId, TicketRecord,
    TicketType, Timestamp,
};
use frontline_store::Conn;
use serde_json::{Map, Value};

use super::fields;
use super::trail::Trail;
use super::{ONLY_AGENTS_SET_WATCHERS, require_owner, visible_for_update};
use crate::assignment::Pick;
use crate::config::{load_custom_fields, load_matrix};
use crate::rules;
use crate::{Actor, CoreError, Result, Tickets};

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

impl Tickets {
    pub async fn update_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        patch: TicketPatch,
        if_match: Option<i64>,
    ) -> Result<Ticket> {
        let now = self.core.now();
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let old = lock_for_patch(&mut c, actor, id, &patch, if_match).await?;
        let mut t = old.clone();
        let mut trail = Trail::new(id, Some(actor.id), now);
        apply_fields(&mut c, &mut t, &patch, now).await?;
        apply_custom_fields(&mut c, &mut t, &patch, &mut trail).await?;
        let before = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        apply_tags_and_watchers(&mut c, &before, &patch, &mut trail).await?;
        if t == old && trail.is_empty() {
            tx.commit().await?;
            return Ok(before);
        }
        let picked = self.save_patched(&mut c, &old, &mut t, now).await?;
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
        let changed = self.rules().ticket_changed(&mut c, change, now).await?;
        if changed.rules_acted {
            after = c
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
        }
        let t = changed.row;
        self.sla().reconcile_sla(&mut c, id, now, false).await?;
        self.mail()
            .mail_on_update(&mut c, &old, &t, Some(actor.id), now)
            .await?;
        tx.commit().await?;
        tracing::info!(
            ticket_id = %id,
            actor = %actor.id,
            version = t.version,
            "ticket updated"
        );
        Ok(after)
    }

    /// Saves the patched ticket with the next version. A ticket entering a group that
    /// assigns automatically, without an assignee, gets one first; the pick is returned so
    /// its event follows the field changes.
    async fn save_patched(
        &self,
        c: &mut Conn<'_>,
        old: &TicketRecord,
        t: &mut TicketRecord,
        now: Timestamp,
    ) -> Result<Option<Pick>> {
        let mut picked = None;
        if let (Some(group), None) = (t.group_id, t.assignee_id)
            && t.group_id != old.group_id
        {
            picked = self
                .assignment()
                .pick_assignee(c, group, t.category_id, now)
                .await?;
            t.assignee_id = picked.as_ref().map(|p| p.user_id);
        }
        t.version = old.version + 1;
        t.times.updated_at = now;
        c.save_ticket(t, old.version).await.map_err(|e| match e {
            frontline_store::StoreError::Stale => CoreError::Stale {
                current: old.version + 1,
            },
            other => other.into(),
        })?;
        Ok(picked)
    }
}

/// The ticket locked for the change, once the actor may make it: a requester may only close
/// their own ticket, and with `If-Match` the version read must still be the stored one.
async fn lock_for_patch(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: TicketId,
    patch: &TicketPatch,
    if_match: Option<i64>,
) -> Result<TicketRecord> {
    let old = visible_for_update(c, actor, id).await?;
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
    Ok(old)
}

/// The patch's plain fields and the names it gives (category, group, assignee), resolved;
/// a priority not set by hand follows the matrix.
async fn apply_fields(
    c: &mut Conn<'_>,
    t: &mut TicketRecord,
    p: &TicketPatch,
    now: Timestamp,
) -> Result<()> {
    if let Some(s) = &p.subject {
        t.subject = s.as_str().to_owned();
    }
    if let Some(d) = &p.description {
        t.description = d.clone();
    }
    if let Some(ty) = p.ticket_type {
        t.ticket_type = ty;
    }
    if let Some(i) = p.impact {
        t.impact = i;
    }
    if let Some(u) = p.urgency {
        t.urgency = u;
    }
    if let Some(status) = p.status {
        let to = t.status.transition(status)?;
        t.set_status(to, now);
    }
    match p.priority {
        Some(Some(prio)) => {
            t.priority = prio;
            t.priority_overridden = true;
        }
        Some(None) => t.priority_overridden = false,
        None => {}
    }
    if !t.priority_overridden {
        let m = load_matrix(c).await?;
        t.priority = m.priority(t.impact, t.urgency);
    }
    if let Some(cat) = &p.category {
        t.category_id = match cat {
            Some(path) => Some(fields::category_id(c, path).await?),
            None => None,
        };
    }
    if let Some(g) = &p.group {
        t.group_id = match g {
            Some(name) => Some(fields::group_id(c, name).await?),
            None => None,
        };
    }
    if let Some(a) = &p.assignee {
        t.assignee_id = match a {
            Some(email) => Some(fields::staff(c, "assignee", email).await?.id),
            None => None,
        };
    }
    Ok(())
}

/// The patch's custom field changes, checked against the definitions; the indexed values
/// follow and the trail records the whole set before and after.
async fn apply_custom_fields(
    c: &mut Conn<'_>,
    t: &mut TicketRecord,
    p: &TicketPatch,
    trail: &mut Trail,
) -> Result<()> {
    let Some(changes) = &p.custom_fields else {
        return Ok(());
    };
    let defs = load_custom_fields(c).await?;
    let mut current = t.custom_fields.clone();
    let index = fields::apply_custom_fields(&defs, t.ticket_type, &mut current, changes, false)?;
    if current != t.custom_fields {
        let old_json = t.custom_fields_json();
        t.custom_fields = current;
        trail.changed(
            "custom_fields",
            Some(old_json),
            Some(t.custom_fields_json()),
        );
        c.set_field_values(t.id, &index).await?;
    }
    Ok(())
}

/// Tags and watchers are rows of their own, written at once; the trail records each list
/// before and after.
async fn apply_tags_and_watchers(
    c: &mut Conn<'_>,
    before: &Ticket,
    p: &TicketPatch,
    trail: &mut Trail,
) -> Result<()> {
    let id = before.record.id;
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
        let wanted = fields::users(c, "watchers", emails).await?;
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
            Some(
                before
                    .watchers
                    .iter()
                    .map(Email::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Some(names.join(",")),
        );
    }
    Ok(())
}

/// One event per changed column, in names people read (emails, group names, paths).
pub(crate) fn record_row_changes(trail: &mut Trail, before: &Ticket, after: &Ticket) {
    let (b, a) = (&before.record, &after.record);
    let text = |s: &str| Some(s.to_owned());
    trail.changed("subject", text(&b.subject), text(&a.subject));
    trail.changed("description", text(&b.description), text(&a.description));
    trail.changed("status", text(b.status.as_str()), text(a.status.as_str()));
    trail.changed(
        "type",
        text(b.ticket_type.as_str()),
        text(a.ticket_type.as_str()),
    );
    trail.changed("impact", text(b.impact.as_str()), text(a.impact.as_str()));
    trail.changed(
        "urgency",
        text(b.urgency.as_str()),
        text(a.urgency.as_str()),
    );
    trail.changed(
        "priority",
        text(b.priority.as_str()),
        text(a.priority.as_str()),
    );
    trail.changed(
        "category",
        before.category_path.clone(),
        after.category_path.clone(),
    );
    trail.changed("group", before.group_name.clone(), after.group_name.clone());
    trail.changed(
        "assignee",
        before.assignee_email.as_ref().map(Email::to_string),
        after.assignee_email.as_ref().map(Email::to_string),
    );
}
