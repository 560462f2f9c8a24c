//! `frontline serve --demo`: an empty desk becomes one a newcomer can click through — two
//! years of generated history, named accounts for every role, and a few live tickets in the
//! demo agent's queue. A desk that already has people is left alone.

use frontline_core::people::NewUser;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_core::{Actor, Desk};
use frontline_domain::{CategoryPath, Email, Level, Role, Subject, TicketType};

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
        let u = desk.add_user(None, new).await?;
        actors.push(Actor {
            id: u.id,
            email: u.email,
            name: u.name,
            role,
            organization_id: u.organization_id,
        });
    }
    let (agent, requester) = (&actors[2], &actors[3]);
    let agent_email = Email::parse("email", &agent.email).map_err(|e| anyhow::anyhow!("{e}"))?;
    // The demo agent works in a group, so "unassigned in my groups" has work in it.
    let group = "First line (demo)";
    desk.add_group(None, group, "The demo agent's own queue")
        .await?;
    desk.set_group_members(None, group, std::slice::from_ref(&agent_email))
        .await?;
    for (i, (subject, description, category, urgency)) in LIVE_TICKETS.into_iter().enumerate() {
        let category =
            CategoryPath::parse("category", category).map_err(|e| anyhow::anyhow!("{e}"))?;
        desk.add_category(None, &category).await?;
        let subject = Subject::parse(subject).map_err(|e| anyhow::anyhow!("{e}"))?;
        let new = NewTicket {
            ticket_type: if i == 2 {
                TicketType::ServiceRequest
            } else {
                TicketType::Incident
            },
            urgency,
            category: Some(category),
            ..NewTicket::new(subject, description, "portal")
        };
        let t = desk.create_ticket(requester, new, None).await?.ticket;
        let patch = frontline_core::tickets::TicketPatch {
            group: Some(Some(group.to_owned())),
            assignee: (i % 2 == 0).then(|| Some(agent_email.clone())),
            ..Default::default()
        };
        desk.update_ticket(agent, t.row.id, patch, None).await?;
        if i % 2 == 0 {
            let reply = NewComment {
                body: "Thanks for reporting this, I'm looking into it now.".into(),
                internal: false,
                attachments: vec![],
            };
            desk.add_comment(agent, t.row.id, reply).await?;
        }
    }
    print_accounts();
    Ok(())
}

fn print_accounts() {
    println!("Demo accounts (email / password):");
    for (email, _, role, password) in ACCOUNTS {
        println!("  {:<10} {email} / {password}", role.as_str());
    }
    println!("API token for the demo agent: frontline token create --email agent@demo.example");
}
