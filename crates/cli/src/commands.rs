//! `frontline user …` and `frontline token …`: administration straight on the database, for
//! the operator who sets a desk up (no API token exists yet at that point).

use std::io::BufRead;

use anyhow::{Context, bail};
use frontline_core::Desk;
use frontline_core::people::NewUser;
use frontline_domain::{Email, Role};

use crate::args::{TokenCommand, UserCommand};

pub async fn user(desk: &Desk, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add(a) => {
            let email = Email::parse("--email", &a.email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role = Role::parse(&a.role).map_err(|e| anyhow::anyhow!("--{e}"))?;
            let password = if a.password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                let line = line.trim_end_matches(['\r', '\n']).to_owned();
                if line.is_empty() {
                    bail!("--password-stdin: no password on standard input");
                }
                Some(line)
            } else {
                None
            };
            let new = NewUser {
                email,
                name: a.name,
                role,
                organization: a.organization,
                password,
            };
            let user = desk
                .people()
                .add_user(None, new)
                .await
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!("{}", user.id);
            eprintln!(
                "added {} ({}) as {}",
                user.email,
                user.name,
                user.role.as_str()
            );
        }
    }
    desk.store().close().await;
    Ok(())
}

pub async fn token(desk: &Desk, cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create(a) => {
            let token = desk
                .auth()
                .create_token(&a.email, &a.name)
                .await
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!("{token}");
        }
    }
    desk.store().close().await;
    Ok(())
}

/// A core error as one readable line for the terminal.
pub(crate) fn describe(e: &frontline_core::CoreError) -> String {
    match e {
        frontline_core::CoreError::Invalid(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        frontline_core::CoreError::NotFound("user") => "no person with that email".to_owned(),
        other => other.to_string(),
    }
}
