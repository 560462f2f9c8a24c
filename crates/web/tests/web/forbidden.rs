//! A 403 comes before the body is looked at, and says which rule refused the caller: for
//! every endpoint reserved to agents, managers or admins, each role below gets the rule's
//! words, whether the body it sent is fine, breaks the schema or is not JSON at all. Runs on
//! SQLite and on PostgreSQL.

use crate::support;

use frontline_domain::Role;
use support::{App, TestResult, req};

support::stories!(a_refusal_names_the_rule_before_the_body_is_read);

const READ_DESK: &str = "only agents, managers and admins may read the desk's people and set-up";
const CONFIGURE: &str = "only managers and admins may change the desk's configuration";
const AUTOMATION: &str = "only managers and admins may see and change automation rules";
const ADD_PEOPLE: &str = "only admins may add people";
const JOB_QUEUE: &str = "only admins may see and retry jobs";
const MAIL_TEMPLATES: &str = "only admins may see and change mail templates";
const MAILBOXES: &str = "only admins may manage mailboxes";

/// `(method, path, the least role allowed, what a 403 says)`.
#[rustfmt::skip]
pub(crate) const RESERVED: &[(&str, &str, Role, &str)] = &[
    ("GET",    "/api/v1/users",                              Role::Agent,   READ_DESK),
    ("POST",   "/api/v1/users",                              Role::Admin,   ADD_PEOPLE),
    ("GET",    "/api/v1/organizations",                      Role::Agent,   READ_DESK),
    ("POST",   "/api/v1/organizations",                      Role::Manager, CONFIGURE),
    ("PATCH",  "/api/v1/organizations/1",                    Role::Manager, CONFIGURE),
    ("GET",    "/api/v1/groups",                             Role::Agent,   READ_DESK),
    ("POST",   "/api/v1/groups",                             Role::Manager, CONFIGURE),
    ("PUT",    "/api/v1/groups/Tier1/members",               Role::Manager, CONFIGURE),
    ("GET",    "/api/v1/groups/Tier1/assignment",            Role::Agent,   READ_DESK),
    ("PUT",    "/api/v1/groups/Tier1/assignment",            Role::Manager, CONFIGURE),
    ("PUT",    "/api/v1/users/ada@example.org/availability", Role::Manager, CONFIGURE),
    ("PUT",    "/api/v1/category-skills",                    Role::Manager, CONFIGURE),
    ("POST",   "/api/v1/categories",                         Role::Manager, CONFIGURE),
    ("POST",   "/api/v1/custom-fields",                      Role::Manager, CONFIGURE),
    ("PUT",    "/api/v1/priority-matrix",                    Role::Manager, CONFIGURE),
    ("GET",    "/api/v1/calendars",                          Role::Agent,   READ_DESK),
    ("POST",   "/api/v1/calendars",                          Role::Manager, CONFIGURE),
    ("GET",    "/api/v1/sla-policies",                       Role::Agent,   READ_DESK),
    ("POST",   "/api/v1/sla-policies",                       Role::Manager, CONFIGURE),
    ("GET",    "/api/v1/rules",                              Role::Manager, AUTOMATION),
    ("POST",   "/api/v1/rules",                              Role::Manager, AUTOMATION),
    ("PUT",    "/api/v1/rules/order",                        Role::Manager, AUTOMATION),
    ("PUT",    "/api/v1/rules/1",                            Role::Manager, AUTOMATION),
    ("DELETE", "/api/v1/rules/1",                            Role::Manager, AUTOMATION),
    ("GET",    "/api/v1/jobs",                               Role::Admin,   JOB_QUEUE),
    ("POST",   "/api/v1/jobs/1/retry",                       Role::Admin,   JOB_QUEUE),
    ("GET",    "/api/v1/mail-templates",                     Role::Admin,   MAIL_TEMPLATES),
    ("GET",    "/api/v1/mail-templates/agent_reply",         Role::Admin,   MAIL_TEMPLATES),
    ("PUT",    "/api/v1/mail-templates/agent_reply",         Role::Admin,   MAIL_TEMPLATES),
    ("DELETE", "/api/v1/mail-templates/agent_reply",         Role::Admin,   MAIL_TEMPLATES),
    ("GET",    "/api/v1/mailboxes",                          Role::Admin,   MAILBOXES),
    ("POST",   "/api/v1/mailboxes",                          Role::Admin,   MAILBOXES),
    ("PATCH",  "/api/v1/mailboxes/1",                        Role::Admin,   MAILBOXES),
    ("POST",   "/api/v1/mailboxes/1/disable",                Role::Admin,   MAILBOXES),
    ("POST",   "/api/v1/mailboxes/1/enable",                 Role::Admin,   MAILBOXES),
];

/// Bodies a caller might send: none, one the schema refuses (a 422 for someone allowed), and
/// one that is not JSON (a 400).
const BODIES: [Option<&str>; 3] = [
    None,
    Some(r#"{"no_such_field":[1,2,3]}"#),
    Some("{not json"),
];

async fn a_refusal_names_the_rule_before_the_body_is_read(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let callers = [
        (Role::Requester, &cast.requester),
        (Role::Agent, &cast.agent),
        (Role::Manager, &cast.manager),
    ];
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, path, least, says) in RESERVED {
        for (role, who) in callers.iter().filter(|(role, _)| role < least) {
            for body in BODIES {
                let mut request = req(method, path).token(who);
                if let Some(body) = body {
                    request = request.raw(Some("application/json"), body);
                }
                let cell = format!("{method} {path} as {} with {body:?}", role.as_str());
                let reply = app.send(request).await;
                checked += 1;
                match reply.problem(403, &cell) {
                    Ok(problem) if problem["detail"] == *says => {}
                    Ok(problem) => wrong.push(format!("{cell}: says {}", problem["detail"])),
                    Err(e) => wrong.push(e.to_string()),
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} requests checked");
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{} refusals are wrong:\n{}", wrong.len(), wrong.join("\n")).into())
    }
}
