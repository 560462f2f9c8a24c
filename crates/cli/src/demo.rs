//! `frontline serve --demo`: an empty desk becomes one a newcomer can click through — two
//! years of generated history, named accounts for every role, a few live tickets in the
//! demo agent's queue under an SLA policy for incidents, and a mailbox whose quarantine holds the kind of mail a desk meets
//! (an out-of-office answer, a newsletter, its own mail come back). A desk that already has
//! people is left alone.

use frontline_core::mail::outbound::MailboxName;
use frontline_core::mail::{Incoming, NewMailbox};
use frontline_core::people::NewUser;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_core::{Actor, Desk};
use frontline_domain::sla::{Conditions, Policy, Targets};
use frontline_domain::{Calendar, CategoryPath, Email, Level, Role, Status, Subject, TicketType};

/// (email, name, role, password) of the accounts printed at start-up.
const ACCOUNTS: [(&str, &str, Role, &str); 4] = [
    (
        "admin@demo.example",
        "Ada Admin",
        Role::Admin,
        "demo-admin-pass",
    ),
    (
        "manager@demo.example",
        "Mona Manager",
        Role::Manager,
        "demo-manager-pass",
    ),
    (
        "agent@demo.example",
        "Alex Agent",
        Role::Agent,
        "demo-agent-pass",
    ),
    (
        "requester@demo.example",
        "Riley Requester",
        Role::Requester,
        "demo-requester-pass",
    ),
];

const LIVE_TICKETS: [(&str, &str, &str, Level); 5] = [
    (
        "VPN drops every few minutes",
        "Since this morning the VPN disconnects every 5-10 minutes when I work from home.",
        "Network/VPN",
        Level::High,
    ),
    (
        "Printer on 3rd floor shows paper jam",
        "The HP printer near the kitchen says paper jam but there is no paper stuck.",
        "Hardware/Printer",
        Level::Medium,
    ),
    (
        "Need access to the Finance share",
        "I joined the controlling team and need read access to \\\\files\\finance.",
        "Access/Permissions",
        Level::Low,
    ),
    (
        "Outlook keeps asking for my password",
        "Outlook prompts for my password every hour since the update yesterday.",
        "Software/Email",
        Level::Medium,
    ),
    (
        "Laptop battery drains in an hour",
        "My laptop battery goes from 100% to 0 in about an hour, even when idle.",
        "Hardware/Laptop",
        Level::Low,
    ),
];

pub async fn fill(desk: &Desk) -> anyhow::Result<()> {
    let existing = desk.store().read().await?.conn().count_users().await?;
    if existing > 0 {
        tracing::info!(
            people = existing,
            "the desk is not empty; demo data not added"
        );
        print_accounts();
        return Ok(());
    }
    let summary = crate::generate::run(desk, 2_000, 7, false).await?;
    tracing::info!(%summary, "demo history generated");
    let actors = accounts(desk).await?;
    service_levels(desk, &actors[0]).await?;
    live_tickets(desk, [&actors[0], &actors[2], &actors[3]]).await?;
    held_mail(desk).await?;
    print_accounts();
    Ok(())
}

/// The demo's sign-ins (`ACCOUNTS`), as the actors they act as.
async fn accounts(desk: &Desk) -> anyhow::Result<Vec<Actor>> {
    let mut actors = Vec::new();
    for (email, name, role, password) in ACCOUNTS {
        let email = Email::parse("email", email).map_err(|e| anyhow::anyhow!("{e}"))?;
        let new = NewUser {
            email,
            name: name.into(),
            role,
            organization: None,
            password: Some(password.into()),
        };
        let u = desk.people().add_user(None, new).await?;
        actors.push(Actor {
            id: u.id,
            email: u.email,
            name: u.name,
            role,
            organization_id: u.organization_id,
        });
    }
    Ok(actors)
}

/// The desk's service levels, from here on: incidents are answered within an hour and
/// solved within a working day (eight hours around the clock, so the demo's clocks run
/// whenever it is looked at), and the clocks stop while a ticket waits on the requester.
async fn service_levels(desk: &Desk, admin: &Actor) -> anyhow::Result<()> {
    let calendar = "Around the clock";
    desk.sla()
        .add_calendar(admin, calendar, &Calendar::always())
        .await?;
    let policy = Policy {
        name: "Incidents".into(),
        conditions: Conditions {
            types: vec![TicketType::Incident],
            ..Conditions::default()
        },
        targets: Targets {
            first_response: Some(60),
            next_response: Some(240),
            resolution: Some(8 * 60),
        },
        pause_when: vec![Status::Pending, Status::OnHold],
        warn_at_percent: 75,
        escalation: None,
    };
    desk.sla().add_sla_policy(admin, &policy, calendar).await?;
    Ok(())
}

/// A few open tickets of the demo requester in the demo agent's group, half of them assigned
/// to the agent and answered, so every console queue has something in it. The group is the
/// desk's default, so portal and mail tickets nothing routes land in it too.
async fn live_tickets(desk: &Desk, [admin, agent, requester]: [&Actor; 3]) -> anyhow::Result<()> {
    let agent_email = Email::parse("email", &agent.email).map_err(|e| anyhow::anyhow!("{e}"))?;
    // The demo agent works in a group, so "unassigned in my groups" has work in it.
    let group = "First line (demo)";
    desk.people()
        .add_group(None, group, "The demo agent's own queue")
        .await?;
    desk.people()
        .set_group_members(None, group, std::slice::from_ref(&agent_email))
        .await?;
    desk.config().set_default_group(admin, Some(group)).await?;
    for (i, (subject, description, category, urgency)) in LIVE_TICKETS.into_iter().enumerate() {
        let category =
            CategoryPath::parse("category", category).map_err(|e| anyhow::anyhow!("{e}"))?;
        desk.config().add_category(None, &category).await?;
        let subject = Subject::parse(subject).map_err(|e| anyhow::anyhow!("{e}"))?;
        let new = NewTicket {
            ticket_type: if i == 2 {
                TicketType::ServiceRequest
            } else {
                TicketType::Incident
            },
            urgency,
            category: Some(category),
            ..NewTicket::new(subject, description, frontline_domain::Channel::Portal)
        };
        let t = desk
            .tickets()
            .create_ticket(requester, new, None)
            .await?
            .ticket;
        let patch = frontline_core::tickets::TicketPatch {
            group: Some(Some(group.to_owned())),
            assignee: (i % 2 == 0).then(|| Some(agent_email.clone())),
            ..Default::default()
        };
        desk.tickets()
            .update_ticket(agent, t.record.id, patch, None)
            .await?;
        if i % 2 == 0 {
            let reply = NewComment {
                body: "Thanks for reporting this, I'm looking into it now.".into(),
                internal: false,
                attachments: vec![],
                time: None,
            };
            desk.comments()
                .add_comment(agent, t.record.id, reply)
                .await?;
        }
    }
    Ok(())
}

/// The demo's mailbox, the address its mail comes from.
const MAILBOX: &str = "help@demo.example";

/// Mail a desk receives and does not turn into tickets, ingested by the job worker once the
/// server runs: it waits in Admin -> Quarantine.
const HELD_MAIL: [&str; 3] = [
    "From: Dana Ortiz <dana.ortiz@client.example>\r\nTo: help@demo.example\r\n\
     Subject: Automatic reply: Printer on the 3rd floor jams\r\nAuto-Submitted: auto-replied\r\n\
     Message-ID: <demo-ooo-1@client.example>\r\nDate: Mon, 30 Nov 2026 09:12:00 +0000\r\n\r\n\
     I am out of the office until Monday 7 December with limited access to email.\r\n\
     For urgent matters please contact Sam Lee.\r\n",
    "From: Vendor News <news@vendor.example>\r\nTo: help@demo.example\r\n\
     Subject: December firmware updates for your docking stations\r\n\
     List-Id: <customers.vendor.example>\r\nList-Unsubscribe: <mailto:leave@vendor.example>\r\n\
     Message-ID: <demo-news-12@vendor.example>\r\nDate: Tue, 1 Dec 2026 07:00:00 +0000\r\n\r\n\
     New firmware 4.2 fixes display flicker on USB-C docks.\r\n",
    "From: IT Help <help@demo.example>\r\nTo: help@demo.example\r\n\
     Subject: Re: [#2001] VPN drops every few minutes\r\n\
     Message-ID: <demo-self-1@demo.example>\r\nDate: Wed, 2 Dec 2026 08:30:00 +0000\r\n\r\n\
     A reply the desk sent, come back to its own address.\r\n",
];

async fn held_mail(desk: &Desk) -> anyhow::Result<()> {
    let address = Email::parse("email", MAILBOX).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = MailboxName::parse("IT Help").map_err(|e| anyhow::anyhow!("{e}"))?;
    let mailbox = NewMailbox {
        address,
        imap: None,
        smtp: None,
        name,
    };
    let mailbox_id = desk.mail().add_mailbox(None, mailbox).await?.id;
    for raw in HELD_MAIL {
        let incoming = Incoming {
            mailbox_id: Some(mailbox_id),
            source: "smtp",
            uid: None,
            envelope_from: None,
            raw: raw.as_bytes().to_vec(),
        };
        desk.mail().receive_mail(incoming).await?;
    }
    Ok(())
}

fn print_accounts() {
    println!("Demo accounts (email / password):");
    for (email, _, role, password) in ACCOUNTS {
        println!("  {:<10} {email} / {password}", role.as_str());
    }
    println!("API token for the demo agent: frontline token create --email agent@demo.example");
}
