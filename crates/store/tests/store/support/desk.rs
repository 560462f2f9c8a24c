//! A desk of sixty varied tickets, and the facts each was stored with, so that the list
//! stories can work out what a list should show without asking the store.

use std::collections::HashSet;

use frontline_domain::{
    GroupId, OrganizationId, Priority, Status, Ticket, TicketId, TicketRecord, TicketType,
    Timestamp, Timestamps, UserId,
};
use frontline_domain::{Sort, SortKey, TicketFilter};
use frontline_store::{Result, Store};

use super::{T0, group, org, ticket, user};

/// Category paths; `Hardwarez` and `NetXwork/Sub` only look like members of a subtree.
pub const CATEGORIES: [&str; 6] = [
    "Hardware",
    "Hardware/Laptop",
    "Hardwarez",
    "Software",
    "Net_work",
    "NetXwork/Sub",
];

/// One stored ticket and what hangs off it.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub row: TicketRecord,
    pub category: Option<&'static str>,
    pub tags: Vec<String>,
    pub fields: Vec<(String, String)>,
    pub watchers: Vec<UserId>,
}

#[derive(Debug)]
pub struct Desk {
    pub tickets: Vec<Seeded>,
    /// Shares tickets among its people.
    pub acme: OrganizationId,
    /// Does not share tickets (until a story changes that).
    pub globex: OrganizationId,
    /// Two of Acme, two of Globex, one without an organization.
    pub requesters: [UserId; 5],
    pub agents: [UserId; 2],
    pub network: GroupId,
    pub desktop: GroupId,
}

/// Fills a migrated store with the desk.
pub async fn seed(store: &Store) -> Result<Desk> {
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let acme = c
        .insert_organization(&org("Acme", Some("acme.test"), true))
        .await?;
    let globex = c
        .insert_organization(&org("Globex", Some("globex.test"), false))
        .await?;
    let orgs = [Some(acme), Some(acme), Some(globex), Some(globex), None];
    let mut requesters = [UserId::default(); 5];
    for (i, (slot, org)) in requesters.iter_mut().zip(orgs).enumerate() {
        let mut row = user(&format!("requester{i}@desk.test"), "requester");
        row.organization_id = org;
        *slot = c.insert_user(&row).await?;
    }
    let agents = [
        c.insert_user(&user("agent0@it.test", "agent")).await?,
        c.insert_user(&user("agent1@it.test", "agent")).await?,
    ];
    let network = c.insert_group(&group("Network")).await?;
    let desktop = c.insert_group(&group("Desktop")).await?;
    let mut category_ids = Vec::new();
    for path in CATEGORIES {
        let name = path.rsplit('/').next().unwrap_or(path);
        category_ids.push(c.insert_category(path, name, None).await?);
    }

    let mut tickets = Vec::new();
    for i in 0..60_usize {
        let n = i64::try_from(i).unwrap_or_default();
        let subject = match i {
            10 => "Printer 100% broken".to_owned(),
            11 => "Printer 100 broken".to_owned(),
            12 => "snake_case error".to_owned(),
            13 => "snakeXcase error".to_owned(),
            14 => r"Disk C:\Temp full".to_owned(),
            _ if i % 9 == 0 => format!("VPN down ({i})"),
            _ => format!("Ticket {i}"),
        };
        let category = (i % 8 < 6).then_some(i % 8);
        let created_at = T0 + ((n * 13) % 20) * 1_000_000;
        let mut row = TicketRecord {
            description: if i % 9 == 4 {
                "the vpn client hangs".into()
            } else {
                format!("Details {i}")
            },
            status: Status::ALL[i % 6],
            ticket_type: TicketType::ALL[(i / 3) % 4],
            priority: Priority::from_rank(1 + (n * 7) % 4).expect("a rank of 1 to 4"),
            category_id: category.map(|k| category_ids[k]),
            organization_id: orgs[i % 5],
            group_id: [Some(network), Some(desktop), None][i % 3],
            assignee_id: [Some(agents[0]), None, Some(agents[1]), None][i % 4],
            times: Timestamps {
                updated_at: Timestamp::from_micros(created_at + ((n * 11) % 7) * 60_000_000),
                ..Timestamps::opened(Timestamp::from_micros(created_at))
            },
            ..ticket(requesters[i % 5], &subject)
        };
        row.id = c.insert_ticket(&row).await?;

        let mut tags = Vec::new();
        if i % 6 == 0 {
            tags.push("vip".to_owned());
        }
        if i % 10 == 0 {
            tags.insert(0, "laptop".to_owned());
        }
        c.set_tags(row.id, &tags).await?;
        let mut fields = Vec::new();
        match i % 7 {
            0 => fields.push(("site".to_owned(), "paris".to_owned())),
            3 => fields.push(("site".to_owned(), "berlin".to_owned())),
            _ => {}
        }
        if i % 2 == 0 {
            fields.push(("os".to_owned(), "linux".to_owned()));
        }
        c.set_field_values(row.id, &fields).await?;
        let mut watchers = Vec::new();
        if i % 11 == 5 {
            watchers.push(requesters[2]);
        }
        if i % 13 == 7 {
            watchers.push(requesters[4]);
        }
        for w in &watchers {
            c.add_watcher(row.id, *w).await?;
        }
        tickets.push(Seeded {
            row,
            category: category.map(|k| CATEGORIES[k]),
            tags,
            fields,
            watchers,
        });
    }
    tx.commit().await?;
    Ok(Desk {
        tickets,
        acme,
        globex,
        requesters,
        agents,
        network,
        desktop,
    })
}

/// The order a list promises, stated independently of the store: P1 before P4 and then
/// oldest first; or by creation or last update; ties broken by ticket number.
pub fn key(sort: SortKey, r: &TicketRecord) -> Vec<i64> {
    let (created, updated) = (
        r.times.created_at.as_micros(),
        r.times.updated_at.as_micros(),
    );
    match sort {
        SortKey::Priority => vec![r.priority.rank(), created, r.id.get()],
        SortKey::Created => vec![created, r.id.get()],
        SortKey::Updated => vec![updated, r.id.get()],
        // The seeded desk has no SLA policy: no ticket has a due time.
        SortKey::Due => vec![frontline_domain::ticket_list::NO_DUE, r.id.get()],
    }
}

impl Desk {
    /// Numbers of the seeded tickets that `keep` accepts, in `sort` order.
    pub fn expected(&self, sort: Sort, keep: impl Fn(&Seeded) -> bool) -> Vec<TicketId> {
        let mut rows: Vec<&TicketRecord> = self
            .tickets
            .iter()
            .filter(|t| keep(t))
            .map(|t| &t.row)
            .collect();
        rows.sort_by_key(|r| key(sort.key, r));
        if sort.descending {
            rows.reverse();
        }
        rows.iter().map(|r| r.id).collect()
    }

    pub fn get(&self, id: TicketId) -> &Seeded {
        self.tickets
            .iter()
            .find(|t| t.row.id == id)
            .unwrap_or_else(|| panic!("ticket {id} is not part of the desk"))
    }

    /// Whether a requester of `org` sees the ticket, given the organizations that share.
    pub fn visible(
        t: &Seeded,
        user: UserId,
        org: Option<OrganizationId>,
        sharing: &HashSet<OrganizationId>,
    ) -> bool {
        t.row.requester_id == user
            || t.watchers.contains(&user)
            || org.is_some_and(|o| t.row.organization_id == Some(o) && sharing.contains(&o))
    }
}

/// Every ticket a filter finds, read `limit` at a time, each page continuing after the key
/// of the last row of the one before.
pub async fn list_all(
    store: &Store,
    filter: &TicketFilter,
    sort: Sort,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let mut all: Vec<Ticket> = Vec::new();
    let mut read = store.read().await?;
    loop {
        let after = all.last().map(|t| sort.key.key_of(t));
        let page = read
            .conn()
            .list_tickets(filter, sort, after.as_deref(), limit)
            .await?;
        assert!(page.len() as i64 <= limit, "a page holds at most its limit");
        let full = page.len() as i64 == limit;
        all.extend(page);
        assert!(all.len() < 1_000, "paging does not end");
        if !full {
            return Ok(all);
        }
    }
}

pub fn ids(views: &[Ticket]) -> Vec<TicketId> {
    views.iter().map(|t| t.record.id).collect()
}

/// All eight orders a list can be read in.
pub fn all_sorts() -> Vec<Sort> {
    let mut sorts = Vec::new();
    for key in [
        SortKey::Priority,
        SortKey::Created,
        SortKey::Updated,
        SortKey::Due,
    ] {
        for descending in [false, true] {
            sorts.push(Sort { key, descending });
        }
    }
    sorts
}
