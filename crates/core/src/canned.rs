//! Canned responses: named reply templates an agent picks on the ticket page. Admins keep the
//! desk's, which every agent sees; each agent keeps their own. A template names the ticket's
//! details by placeholder (`{{requester.name}}`, `{{ticket.number}}`, `{{agent.name}}`, …),
//! filled in for one ticket and one agent when it is picked; an unknown placeholder is refused
//! when the template is saved, so a requester never receives a raw `{{…}}`.

use frontline_domain::{CannedId, DomainError};
pub use frontline_domain::{CannedResponse, TicketId, UserId};

use crate::{Actor, Canned, CoreError, Permission, Result};

const NAME_MAX: usize = 80;
const BODY_MAX: usize = 20_000;

/// Every placeholder, and what it stands for (for forms and error messages).
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("requester.name", "the requester's name"),
    ("requester.first_name", "the requester's first name"),
    ("requester.email", "the requester's email"),
    ("ticket.number", "the ticket's number"),
    ("ticket.subject", "the ticket's subject"),
    ("agent.name", "your name"),
];

/// The values placeholders are filled with.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub requester_name: String,
    pub requester_email: String,
    pub ticket_number: TicketId,
    pub ticket_subject: String,
    pub agent_name: String,
}

impl Fill {
    fn value(&self, key: &str) -> Option<String> {
        Some(match key {
            "requester.name" => self.requester_name.clone(),
            "requester.first_name" => self
                .requester_name
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned(),
            "requester.email" => self.requester_email.clone(),
            "ticket.number" => self.ticket_number.to_string(),
            "ticket.subject" => self.ticket_subject.clone(),
            "agent.name" => self.agent_name.clone(),
            _ => return None,
        })
    }
}

/// The placeholders in `body`, in order: `{{ key }}` with optional spaces inside the braces.
fn placeholders(body: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = body[from..].find("{{").map(|i| i + from) {
        let Some(end) = body[start + 2..].find("}}").map(|i| i + start + 2) else {
            break;
        };
        out.push((start, end + 2, body[start + 2..end].trim().to_owned()));
        from = end + 2;
    }
    out
}

/// Puts the ticket's details into a template; unknown placeholders stay as written.
pub fn fill(body: &str, values: &Fill) -> String {
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for (start, end, key) in placeholders(body) {
        out.push_str(&body[at..start]);
        match values.value(&key) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&body[start..end]),
        }
        at = end;
    }
    out.push_str(&body[at..]);
    out
}

/// A template's body: not empty, not too long, and every placeholder one we know.
pub fn check_body(raw: &str) -> Result<String, DomainError> {
    let body = frontline_domain::text::clean_text("body", raw, BODY_MAX, true)?;
    if let Some((_, _, key)) = placeholders(&body)
        .into_iter()
        .find(|(_, _, k)| !PLACEHOLDERS.iter().any(|(p, _)| p == k))
    {
        let known: Vec<String> = PLACEHOLDERS
            .iter()
            .map(|(p, _)| format!("{{{{{p}}}}}"))
            .collect();
        return Err(DomainError::new(
            "body",
            format!(
                "has an unknown placeholder {{{{{key}}}}}; use {}",
                known.join(", ")
            ),
        ));
    }
    Ok(body)
}

fn name(raw: &str) -> Result<String, DomainError> {
    frontline_domain::text::clean_text("name", raw, NAME_MAX, false)
}

fn duplicate(e: frontline_store::StoreError, name: &str) -> CoreError {
    match e {
        frontline_store::StoreError::Duplicate(_) => {
            CoreError::Conflict(format!("a canned response named {name:?} already exists"))
        }
        other => other.into(),
    }
}

impl Canned {
    /// The desk's responses and `actor`'s own, the desk's first.
    pub async fn canned_responses(&self, actor: &Actor) -> Result<Vec<CannedResponse>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let rows = pc.conn().canned_for(actor.id).await?;
        Ok(rows)
    }

    /// One response `actor` may use: the desk's or their own.
    pub async fn canned_response(&self, actor: &Actor, id: CannedId) -> Result<CannedResponse> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        match pc.conn().canned_by_id(id).await? {
            Some(r) if r.owner_id.is_none() || r.owner_id == Some(actor.id) => Ok(r),
            _ => Err(CoreError::NotFound("canned response")),
        }
    }

    /// Adds a response: the desk's (`for_desk`, admins only) or `actor`'s own.
    pub async fn add_canned(
        &self,
        actor: &Actor,
        for_desk: bool,
        name_raw: &str,
        body_raw: &str,
    ) -> Result<CannedResponse> {
        actor.require_staff()?;
        if for_desk {
            actor.require(Permission::DeskCanned)?;
        }
        let (n, b) = valid(name_raw, body_raw)?;
        let owner = (!for_desk).then_some(actor.id);
        let mut tx = self.core.begin().await?;
        let id = tx
            .conn()
            .insert_canned(owner, &n, &b, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate(e, &n))?;
        tx.commit().await?;
        self.canned_response(actor, id).await
    }

    /// Renames or rewrites a response: an admin the desk's, an agent their own.
    pub async fn change_canned(
        &self,
        actor: &Actor,
        id: CannedId,
        name_raw: &str,
        body_raw: &str,
    ) -> Result<CannedResponse> {
        let current = self.canned_response(actor, id).await?;
        may_change(actor, &current)?;
        let (n, b) = valid(name_raw, body_raw)?;
        let mut tx = self.core.begin().await?;
        tx.conn()
            .update_canned(id, &n, &b, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate(e, &n))?;
        tx.commit().await?;
        self.canned_response(actor, id).await
    }

    pub async fn delete_canned(&self, actor: &Actor, id: CannedId) -> Result<()> {
        let current = self.canned_response(actor, id).await?;
        may_change(actor, &current)?;
        let mut tx = self.core.begin().await?;
        tx.conn().delete_canned(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A response filled in for `ticket` as `actor` would send it.
    pub async fn fill_canned(
        &self,
        actor: &Actor,
        id: CannedId,
        ticket: TicketId,
    ) -> Result<String> {
        let response = self.canned_response(actor, id).await?;
        let t = self.tickets().ticket(actor, ticket).await?;
        let values = Fill {
            requester_name: t.requester_name.clone(),
            requester_email: t.requester_email.to_string(),
            ticket_number: t.record.id,
            ticket_subject: t.record.subject.clone(),
            agent_name: actor.name.clone(),
        };
        Ok(fill(&response.body, &values))
    }
}

fn valid(name_raw: &str, body_raw: &str) -> Result<(String, String)> {
    let n = name(name_raw);
    let b = check_body(body_raw);
    match (n, b) {
        (Ok(n), Ok(b)) => Ok((n, b)),
        (n, b) => Err(CoreError::Invalid(
            [n.err(), b.err()].into_iter().flatten().collect(),
        )),
    }
}

fn may_change(actor: &Actor, r: &CannedResponse) -> Result<()> {
    match r.owner_id {
        None => actor.require(Permission::DeskCanned),
        Some(owner) if owner == actor.id => Ok(()),
        Some(_) => Err(CoreError::NotFound("canned response")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Fill {
        Fill {
            requester_name: "Rita Requester".into(),
            requester_email: "rita@example.org".into(),
            ticket_number: TicketId::new(42),
            ticket_subject: "VPN drops".into(),
            agent_name: "Ada Agent".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_in() {
        let body = "Hello {{requester.first_name}},\nabout #{{ ticket.number }} ({{ticket.subject}}): \
                    fixed.\n{{agent.name}}";
        assert_eq!(
            fill(body, &values()),
            "Hello Rita,\nabout #42 (VPN drops): fixed.\nAda Agent"
        );
        assert_eq!(fill("no braces {{", &values()), "no braces {{");
        assert_eq!(
            fill("{{who}} {{agent.name}}", &values()),
            "{{who}} Ada Agent"
        );
    }

    #[test]
    fn unknown_placeholders_are_refused_on_save() {
        assert!(check_body("Hi {{requester.name}}").is_ok());
        let e = check_body("Hi {{requester.nmae}}").expect_err("a typo");
        assert!(e.message.contains("{{requester.nmae}}"), "{}", e.message);
        assert!(check_body("   ").is_err());
    }
}
