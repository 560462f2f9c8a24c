//! SMTP commands, one line at a time: the protocol state between them (greeted, sender,
//! recipients) and the step each asks of the connection. No I/O here, so every order of
//! commands is tested without a socket.

use super::Config;

/// What a command line asks of the connection.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    Reply(String),
    /// RCPT for this address: ask the inbox.
    Check(String),
    /// DATA accepted: read the message.
    Data,
    Quit,
}

/// The protocol state between commands.
#[derive(Debug, Default)]
pub(super) struct Session {
    greeted: bool,
    /// `Some(None)` after `MAIL FROM:<>`.
    pub(super) from: Option<Option<String>>,
    pub(super) to: Vec<String>,
}

impl Session {
    pub(super) fn command(&mut self, line: &str, config: &Config) -> Step {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let ok = |text: &str| Step::Reply(text.to_owned());
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                self.reset();
                self.greeted = true;
                Step::Reply(format!(
                    "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 PIPELINING",
                    config.hostname, config.max_message_bytes
                ))
            }
            "HELO" => {
                self.reset();
                self.greeted = true;
                Step::Reply(format!("250 {}", config.hostname))
            }
            "MAIL" if !self.greeted => ok("503 5.5.1 say EHLO first"),
            "MAIL" if self.from.is_some() => ok("503 5.5.1 nested MAIL command"),
            "MAIL" => match path_arg(rest, "FROM:") {
                Some((path, params)) => {
                    if let Some(size) = size_param(params)
                        && size > config.max_message_bytes
                    {
                        return Step::Reply(format!(
                            "552 5.3.4 message larger than {} bytes",
                            config.max_message_bytes
                        ));
                    }
                    self.from = Some((!path.is_empty()).then_some(path));
                    ok("250 2.1.0 OK")
                }
                None => ok("501 5.5.4 syntax: MAIL FROM:<address>"),
            },
            "RCPT" if self.from.is_none() => ok("503 5.5.1 need MAIL before RCPT"),
            "RCPT" => match path_arg(rest, "TO:") {
                Some((path, _)) if path.contains('@') => Step::Check(path),
                _ => ok("501 5.5.4 syntax: RCPT TO:<address>"),
            },
            "DATA" if self.to.is_empty() => ok("503 5.5.1 need RCPT before DATA"),
            "DATA" => Step::Data,
            "RSET" => {
                self.reset();
                ok("250 2.0.0 OK")
            }
            "NOOP" => ok("250 2.0.0 OK"),
            "QUIT" => Step::Quit,
            "VRFY" => ok("252 2.5.0 cannot verify, but will accept"),
            "STARTTLS" | "AUTH" | "BDAT" => ok("502 5.5.1 not offered here"),
            _ => ok("500 5.5.2 unknown command"),
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }
}

/// `FROM:<a@b> PARAMS` → (`a@b` lower-cased, `PARAMS`).
fn path_arg<'a>(rest: &'a str, prefix: &str) -> Option<(String, &'a str)> {
    let head = rest.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = rest[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let path = &rest[..end];
    // A source route (`@a,@b:user@c`) names the user after the colon.
    let path = path.rsplit_once(':').map_or(path, |(_, p)| p);
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((path.to_lowercase(), rest[end + 1..].trim()))
}

fn size_param(params: &str) -> Option<usize> {
    params
        .split_whitespace()
        .find_map(|p| {
            p.get(..5)
                .filter(|k| k.eq_ignore_ascii_case("SIZE="))
                .map(|_| &p[5..])
        })
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(session: &mut Session, line: &str) -> Step {
        session.command(line, &Config::default())
    }

    fn code(step: Step) -> String {
        match step {
            Step::Reply(r) => r[..3].to_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn commands_in_order_and_out_of_order() {
        let mut s = Session::default();
        assert_eq!(code(run(&mut s, "MAIL FROM:<a@x.org>")), "503");
        assert!(matches!(run(&mut s, "EHLO client"), Step::Reply(r) if r.contains("SIZE")));
        assert_eq!(code(run(&mut s, "RCPT TO:<desk@x.org>")), "503");
        assert_eq!(code(run(&mut s, "DATA")), "503");
        assert_eq!(
            code(run(&mut s, "mail from:<A@X.org> BODY=8BITMIME")),
            "250"
        );
        assert_eq!(s.from, Some(Some("a@x.org".into())));
        assert_eq!(code(run(&mut s, "MAIL FROM:<b@x.org>")), "503");
        assert_eq!(
            run(&mut s, "RCPT TO:<Desk@X.org>"),
            Step::Check("desk@x.org".into())
        );
        assert_eq!(code(run(&mut s, "RCPT TO:desk@x.org")), "501");
        assert_eq!(code(run(&mut s, "RCPT TO:<postmaster>")), "501");
        assert_eq!(
            code(run(&mut s, "DATA")),
            "503",
            "no recipient was accepted yet"
        );
        s.to.push("desk@x.org".into());
        assert_eq!(run(&mut s, "DATA"), Step::Data);
        assert_eq!(code(run(&mut s, "RSET")), "250");
        assert!(s.from.is_none() && s.to.is_empty());
        assert_eq!(code(run(&mut s, "MAIL FROM:<>")), "250");
        assert_eq!(s.from, Some(None), "the null sender of a bounce");
        assert_eq!(code(run(&mut s, "STARTTLS")), "502");
        assert_eq!(code(run(&mut s, "HELP ME")), "500");
        assert_eq!(run(&mut s, "QUIT"), Step::Quit);
    }

    #[test]
    fn announced_size_over_the_limit_is_refused_at_mail() {
        let mut s = Session::default();
        run(&mut s, "EHLO c");
        let config = Config {
            max_message_bytes: 1000,
            ..Config::default()
        };
        assert!(
            matches!(s.command("MAIL FROM:<a@x.org> SIZE=5000", &config), Step::Reply(r) if r.starts_with("552"))
        );
        assert!(
            matches!(s.command("MAIL FROM:<a@x.org> SIZE=500", &config), Step::Reply(r) if r.starts_with("250"))
        );
    }
}
