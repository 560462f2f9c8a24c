//! The mail the desk sends, as templates an administrator may edit: a subject, a plain-text
//! body and an HTML body each, in MiniJinja. The shipped ones are compiled into the binary
//! (`templates/<name>/{subject.txt,body.txt,body.html}`); an administrator's version is kept
//! in the database and replaces the shipped one until it is reset.
//!
//! The HTML body escapes every value (a requester's subject is not markup, and a link is
//! escaped inside `href` too); the text parts do not. Links (`desk.url`, `ticket.url`,
//! `ticket.portal_url`) are empty strings when the desk has no public URL, and the shipped
//! templates then leave them out. An edited template is checked by rendering it with sample values before it is
//! saved, so a typo is a 422 and never a message that cannot be sent. Whatever the subject
//! says, the ticket tag `[#N]` stays in it: replies are threaded by it.

use std::sync::OnceLock;

use frontline_domain::mail::SavedTemplate;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::{Actor, CoreError, Mail, Permission, Result};

/// The line above which a person writes their answer; the quoted rest is cut off when the
/// reply comes back.
pub const REPLY_MARKER: &str = "-- Reply above this line --";

/// Every template, with what it is for.
pub const TEMPLATES: [(&str, &str); 7] = [
    (
        "ticket_created",
        "to the requester when a ticket is opened (not for automatic mail)",
    ),
    (
        "agent_reply",
        "to the requester and watchers: an agent's public reply",
    ),
    (
        "status_changed",
        "to the requester and watchers: the ticket's status changed",
    ),
    (
        "ticket_resolved",
        "to the requester and watchers: the ticket was resolved",
    ),
    ("assigned", "to an agent: a ticket was assigned to them"),
    (
        "mentioned",
        "to an agent: someone @mentioned them on a ticket",
    ),
    (
        "notification",
        "to agents: SLA warnings, breaches and rule notifications",
    ),
];

/// Longest template part an administrator may save.
const MAX_PART: usize = 64 * 1024;

/// A template as it applies now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailTemplate {
    pub name: String,
    pub description: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// False while the shipped version applies.
    pub customized: bool,
    pub updated_at: Option<i64>,
}

/// What an administrator saves.
#[derive(Debug, Clone)]
pub struct TemplateEdit {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A message's three rendered parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn shipped(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    macro_rules! parts {
        ($n:literal) => {
            Some((
                include_str!(concat!("templates/", $n, "/subject.txt")),
                include_str!(concat!("templates/", $n, "/body.txt")),
                include_str!(concat!("templates/", $n, "/body.html")),
            ))
        };
    }
    match name {
        "ticket_created" => parts!("ticket_created"),
        "agent_reply" => parts!("agent_reply"),
        "status_changed" => parts!("status_changed"),
        "ticket_resolved" => parts!("ticket_resolved"),
        "assigned" => parts!("assigned"),
        "mentioned" => parts!("mentioned"),
        "notification" => parts!("notification"),
        _ => None,
    }
}

fn description(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

impl MailTemplate {
    /// The version shipped in the binary.
    pub fn shipped(name: &str) -> Option<Self> {
        let (subject, text, html) = shipped(name)?;
        Some(Self {
            name: name.to_owned(),
            description: description(name).unwrap_or_default().to_owned(),
            subject: subject.trim().to_owned(),
            body_text: text.to_owned(),
            body_html: html.to_owned(),
            customized: false,
            updated_at: None,
        })
    }

    fn from_saved(row: SavedTemplate) -> Option<Self> {
        Some(Self {
            description: description(&row.name)?.to_owned(),
            name: row.name,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
            customized: true,
            updated_at: Some(row.updated_at.as_micros()),
        })
    }

    /// Renders the three parts with `values`.
    pub fn render(&self, values: &Value) -> std::result::Result<Rendered, String> {
        let env = environment();
        let part = |which: &str, source: &str| {
            env.render_named_str(which, source, values.clone())
                .map_err(|e| format!("the {which} of template {}: {}", self.name, describe(&e)))
        };
        let subject = part("subject.txt", &self.subject)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered {
            subject,
            text: part("body.txt", &self.body_text)?,
            html: part("body.html", &self.body_html)?,
        })
    }
}

/// One environment for the process: HTML escaping for `.html` parts, an error for a name
/// that does not exist (a typo) except in `{% if %}`, and a fuel limit so no template loops
/// for long.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_fuel(Some(200_000));
        env
    })
}

fn describe(e: &minijinja::Error) -> String {
    match e.line() {
        Some(line) => format!("line {line}: {}", e.detail().unwrap_or(&e.to_string())),
        None => e.to_string(),
    }
}

/// Values every template can use, for checking an edit.
pub(crate) fn sample_values() -> Value {
    Value::from(Serde(serde_json::json!({
        "desk": {"name": "Help Desk", "address": "help@example.org", "url": "https://help.example.org"},
        "reply_marker": REPLY_MARKER,
        "ticket": {
            "id": 42, "tag": "[#42]", "subject": "VPN drops every few minutes",
            "description": "Since 9:00", "status": "open", "status_label": "open",
            "priority": "P2", "group": "Tier 1", "assignee": "ana@example.org",
            "url": "https://help.example.org/portal/tickets/42",
            "portal_url": "https://help.example.org/portal/tickets/42",
        },
        "requester": {"name": "Bob", "email": "bob@example.org"},
        "recipient": {"name": "Bob", "email": "bob@example.org"},
        "actor": {"name": "Ana Agent", "email": "ana@example.org"},
        "comment": {"body": "Looking into it", "internal": false},
        "change": {"old": "open", "new": "pending", "old_label": "open", "new_label": "waiting for your answer"},
        "reason": {"code": "sla_breached:resolution", "label": "SLA breached (resolution)"},
        "files": {
            "attached": [{"name": "screenshot.png", "size": "120.0 KiB"}],
            "too_large": [{"name": "memory.dmp", "size": "512.0 MiB"}],
            "limit": "7.0 MiB",
        },
    })))
}

impl Mail {
    /// Every template as it applies now, in the order of [`TEMPLATES`]. For administrators.
    pub async fn mail_templates(&self, actor: &Actor) -> Result<Vec<MailTemplate>> {
        actor.require(Permission::MailTemplates)?;
        let mut pc = self.core.store.read().await?;
        let stored = pc.conn().mail_templates().await?;
        Ok(TEMPLATES
            .iter()
            .filter_map(|(name, _)| {
                stored
                    .iter()
                    .find(|r| r.name == *name)
                    .cloned()
                    .and_then(MailTemplate::from_saved)
                    .or_else(|| MailTemplate::shipped(name))
            })
            .collect())
    }

    /// One template as it applies now. For administrators.
    pub async fn mail_template(&self, actor: &Actor, name: &str) -> Result<MailTemplate> {
        actor.require(Permission::MailTemplates)?;
        known(name)?;
        let mut pc = self.core.store.read().await?;
        self.template_in(&mut pc.conn(), name).await
    }

    /// Saves an administrator's version of a template once it renders. For administrators.
    pub async fn put_mail_template(
        &self,
        actor: &Actor,
        name: &str,
        edit: TemplateEdit,
    ) -> Result<MailTemplate> {
        actor.require(Permission::MailTemplates)?;
        known(name)?;
        let mut errors = Vec::new();
        for (field, text) in [
            ("subject", &edit.subject),
            ("body_text", &edit.body_text),
            ("body_html", &edit.body_html),
        ] {
            if text.trim().is_empty() {
                errors.push((field, "must not be empty".to_owned()));
            } else if text.len() > MAX_PART {
                errors.push((field, format!("is longer than {MAX_PART} bytes")));
            }
        }
        if let Some((field, message)) = errors.into_iter().next() {
            return Err(CoreError::invalid(field, message));
        }
        let candidate = MailTemplate {
            name: name.to_owned(),
            description: String::new(),
            subject: edit.subject.trim().to_owned(),
            body_text: edit.body_text,
            body_html: edit.body_html,
            customized: true,
            updated_at: None,
        };
        check(&candidate)?;
        let row = SavedTemplate {
            name: name.to_owned(),
            subject: candidate.subject.clone(),
            body_text: candidate.body_text.clone(),
            body_html: candidate.body_html.clone(),
            updated_by: Some(actor.id),
            updated_at: self.core.now(),
        };
        let mut tx = self.core.begin().await?;
        tx.conn().put_mail_template(&row).await?;
        tx.commit().await?;
        tracing::info!(template = name, actor = %actor.id, "mail template changed");
        MailTemplate::from_saved(row).ok_or(CoreError::NotFound("mail template"))
    }

    /// Drops the administrator's version: the shipped template applies again.
    pub async fn reset_mail_template(&self, actor: &Actor, name: &str) -> Result<MailTemplate> {
        actor.require(Permission::MailTemplates)?;
        known(name)?;
        let mut tx = self.core.begin().await?;
        tx.conn().delete_mail_template(name).await?;
        tx.commit().await?;
        tracing::info!(template = name, actor = %actor.id, "mail template reset");
        MailTemplate::shipped(name).ok_or(CoreError::NotFound("mail template"))
    }

    /// The template as it applies now, read in the caller's transaction.
    pub(crate) async fn template_in(
        &self,
        c: &mut frontline_store::Conn<'_>,
        name: &str,
    ) -> Result<MailTemplate> {
        let stored = c
            .mail_templates()
            .await?
            .into_iter()
            .find(|r| r.name == name)
            .and_then(MailTemplate::from_saved);
        stored
            .or_else(|| MailTemplate::shipped(name))
            .ok_or(CoreError::NotFound("mail template"))
    }
}

fn known(name: &str) -> Result<()> {
    if description(name).is_some() {
        Ok(())
    } else {
        Err(CoreError::NotFound("mail template"))
    }
}

/// A template must render with the values the desk gives it; the error names the part.
fn check(t: &MailTemplate) -> Result<()> {
    let values = sample_values();
    let env = environment();
    for (field, which, source) in [
        ("subject", "subject.txt", &t.subject),
        ("body_text", "body.txt", &t.body_text),
        ("body_html", "body.html", &t.body_html),
    ] {
        if let Err(e) = env.render_named_str(which, source, values.clone()) {
            return Err(CoreError::invalid(
                field,
                format!("the template does not render: {}", describe(&e)),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_renders_and_escapes_html() {
        for (name, _) in TEMPLATES {
            let t = MailTemplate::shipped(name).expect("shipped");
            check(&t).expect("renders");
        }
        let mut values: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&sample_values()).expect("serializes"))
                .expect("json");
        values["ticket"]["subject"] = "<script>x</script>".into();
        let t = MailTemplate::shipped("ticket_created").expect("shipped");
        let r = t.render(&Value::from(Serde(&values))).expect("renders");
        assert!(r.subject.contains("[#42]"));
        assert!(r.subject.contains("<script>"), "subjects are text");
        assert!(!r.html.contains("<script>x"), "HTML escapes values");
        assert!(r.text.starts_with(REPLY_MARKER));
    }

    #[test]
    fn a_reply_lists_the_files_too_large_to_attach() {
        let t = MailTemplate::shipped("agent_reply").expect("shipped");
        let r = t.render(&sample_values()).expect("renders");
        assert!(
            r.text
                .contains("on the portal, https://help.example.org/portal/tickets/42:"),
            "{}",
            r.text
        );
        let without = t.render(&without_links()).expect("renders");
        for part in [&r.text, &r.html, &without.text, &without.html] {
            assert!(part.contains("memory.dmp (512.0 MiB)"), "{part}");
            assert!(part.contains("on the portal"), "{part}");
            assert!(
                !part.contains("screenshot.png"),
                "attached files are not listed: {part}"
            );
        }
    }

    /// The sample values with the links taken out, as a desk without a public URL has them.
    fn without_links() -> Value {
        let mut values: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&sample_values()).expect("serializes"))
                .expect("json");
        values["desk"]["url"] = "".into();
        values["ticket"]["url"] = "".into();
        values["ticket"]["portal_url"] = "".into();
        Value::from(Serde(&values))
    }

    #[test]
    fn every_shipped_template_links_the_ticket_only_when_it_can() {
        for (name, _) in TEMPLATES {
            let t = MailTemplate::shipped(name).expect("shipped");
            let r = t.render(&sample_values()).expect("renders");
            let link = "https://help.example.org/portal/tickets/42";
            assert!(r.text.contains(link), "{name}: {}", r.text);
            assert!(
                r.html.contains(
                    "href=\"https:&#x2f;&#x2f;help.example.org&#x2f;portal&#x2f;tickets&#x2f;42\""
                ),
                "{name}: {}",
                r.html
            );
            let r = t.render(&without_links()).expect("renders");
            for part in [&r.text, &r.html] {
                assert!(!part.contains("http"), "{name}: {part}");
                assert!(!part.contains("href"), "{name}: {part}");
                assert!(!part.contains("View your request"), "{name}: {part}");
                assert!(
                    !part.contains("\n\n\n"),
                    "{name}: no gap where the link was: {part:?}"
                );
            }
        }
    }

    #[test]
    fn a_broken_edit_names_its_part() {
        let t = MailTemplate {
            body_html: "{% if %}".into(),
            ..MailTemplate::shipped("agent_reply").expect("shipped")
        };
        match check(&t) {
            Err(CoreError::Invalid(errors)) => assert_eq!(errors[0].field, "body_html"),
            other => panic!("expected a 422, got {other:?}"),
        }
    }
}
