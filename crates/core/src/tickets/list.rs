//! Ticket lists: filters in the names people use, resolved to ids, and keyset pages.

use frontline_domain::ticket_list::SlaFilter;
use frontline_domain::{
    CategoryPath, Email, Priority, Sort, Status, Tag, Ticket, TicketFilter, TicketType, Timestamp,
};

use frontline_store::Conn;

use crate::config::load_custom_fields;
use crate::{Actor, CoreError, Result, Tickets};

/// `None` means "any". `group` and `assignee` take `Some(None)` for "none set".
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub types: Vec<TicketType>,
    pub category: Option<CategoryPath>,
    pub group: Option<Option<String>>,
    pub assignee: Option<Option<Email>>,
    pub requester: Option<Email>,
    pub organization: Option<String>,
    pub tag: Option<Tag>,
    pub updated_since: Option<Timestamp>,
    /// Words (or "quoted phrases") that must all be in the subject or description.
    pub text: Option<String>,
    /// Whether a word of `text` may also be in the ticket's replies and notes (staff only:
    /// a requester's text stays on subjects and descriptions, which never hold internal notes).
    pub text_in_comments: bool,
    /// `cf.<key>=<value>` filters, raw; checked against the field definitions.
    pub custom: Vec<(String, String)>,
    pub sla: Option<SlaQuery>,
    pub sort: Sort,
    pub after: Option<Vec<i64>>,
    pub limit: i64,
}

impl ListQuery {
    /// Every ticket the actor may see, in `sort` order, `limit` a page; filters are added
    /// with struct update syntax.
    pub fn new(sort: Sort, limit: i64) -> Self {
        Self {
            statuses: Vec::new(),
            priorities: Vec::new(),
            types: Vec::new(),
            category: None,
            group: None,
            assignee: None,
            requester: None,
            organization: None,
            tag: None,
            updated_since: None,
            text: None,
            text_in_comments: false,
            custom: Vec::new(),
            sla: None,
            sort,
            after: None,
            limit,
        }
    }
}

/// Tickets by SLA state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaQuery {
    /// A target breached.
    Breached,
    /// About to breach: due within this many minutes from now, not overdue yet.
    DueWithin(u32),
}

impl SlaQuery {
    /// The SLA state asked for, as of `now`.
    pub fn as_of(self, now: Timestamp) -> SlaFilter {
        match self {
            SlaQuery::Breached => SlaFilter::Breached,
            SlaQuery::DueWithin(minutes) => SlaFilter::DueBetween {
                after: now,
                until: now.plus_seconds(i64::from(minutes) * 60),
            },
        }
    }
}

#[derive(Debug)]
pub struct Page {
    pub items: Vec<Ticket>,
    /// The sort key of the last item when more may follow.
    pub next: Option<Vec<i64>>,
}

impl Tickets {
    pub async fn list_tickets(&self, actor: &Actor, q: ListQuery) -> Result<Page> {
        if q.after
            .as_ref()
            .is_some_and(|a| a.len() != q.sort.key.key_len())
        {
            return Err(CoreError::invalid(
                "cursor",
                "does not belong to this sort order",
            ));
        }
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let Some(mut f) = self.filter_of(&mut c, &q).await? else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        if actor.is_staff() {
            f.text_in_comments = q.text_in_comments;
        } else {
            f.visible_to = Some((actor.id, actor.organization_id));
        }
        let items = c
            .list_tickets(&f, q.sort, q.after.as_deref(), q.limit + 1)
            .await?;
        Ok(page_of(items, &q))
    }

    /// The store's filter for `q`, names resolved to ids and custom fields checked; `None`
    /// when a name matches nothing.
    async fn filter_of(&self, c: &mut Conn<'_>, q: &ListQuery) -> Result<Option<TicketFilter>> {
        let mut f = TicketFilter {
            statuses: q.statuses.clone(),
            priorities: q.priorities.clone(),
            types: q.types.clone(),
            category_path: q.category.as_ref().map(|c| c.as_str().to_owned()),
            tag: q.tag.as_ref().map(|t| t.as_str().to_owned()),
            updated_since: q.updated_since,
            text: q
                .text
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            sla: q.sla.map(|s| s.as_of(self.core.now())),
            ..TicketFilter::default()
        };
        if !resolve_names(c, q, &mut f).await? {
            return Ok(None);
        }
        if !q.custom.is_empty() {
            let defs = load_custom_fields(c).await?;
            for (key, value) in &q.custom {
                let def = defs.iter().find(|d| d.key == *key).ok_or_else(|| {
                    CoreError::invalid(&format!("cf.{key}"), "no such custom field")
                })?;
                f.custom.push((key.clone(), def.filter_key(value)?));
            }
        }
        Ok(Some(f))
    }
}

/// Puts the ids of the group, assignee, requester and organization `q` names into `f`; false
/// when one of them matches nothing. Such a name filters to nothing rather than being an
/// error: the list is simply empty, as for any other filter.
async fn resolve_names(c: &mut Conn<'_>, q: &ListQuery, f: &mut TicketFilter) -> Result<bool> {
    match &q.group {
        Some(Some(name)) => match c.group_by_name(name).await? {
            Some(g) => f.group_id = Some(Some(g.id)),
            None => return Ok(false),
        },
        Some(None) => f.group_id = Some(None),
        None => {}
    }
    match &q.assignee {
        Some(Some(email)) => match c.user_by_email(email.as_str()).await? {
            Some(u) => f.assignee_id = Some(Some(u.id)),
            None => return Ok(false),
        },
        Some(None) => f.assignee_id = Some(None),
        None => {}
    }
    if let Some(email) = &q.requester {
        match c.user_by_email(email.as_str()).await? {
            Some(u) => f.requester_id = Some(u.id),
            None => return Ok(false),
        }
    }
    if let Some(name) = &q.organization {
        match c.organization_by_name(name).await? {
            Some(o) => f.organization_id = Some(o.id),
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// At most `q.limit` tickets of the `q.limit + 1` read, and the cursor of the next page when
/// the extra one came.
fn page_of(mut items: Vec<Ticket>, q: &ListQuery) -> Page {
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more {
        items.last().map(|t| q.sort.key.key_of(t))
    } else {
        None
    };
    Page { items, next }
}
