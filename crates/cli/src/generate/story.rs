//! The life of one generated ticket: opened, triaged, answered, perhaps paused and resumed,
//! resolved and closed, with the comments and audit events the real operations would have
//! written, in time order and never later than "now". Where it ends depends on its age.

use frontline_domain::{
    CommentId, CommentRecord, EventId, EventKind, EventRecord, PriorityMatrix, Status, TicketId,
    TicketRecord, Timestamp, UserId,
};
use frontline_store::rules::RuleClocks;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::cast::{Agent, Cast};
use super::content::pick;
use super::content::{self, Topic};
use super::request::Request;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Everything one ticket adds to the database.
#[derive(Default)]
pub struct Written {
    pub tickets: Vec<TicketRecord>,
    pub comments: Vec<CommentRecord>,
    pub events: Vec<EventRecord>,
    pub tags: Vec<(TicketId, String)>,
    /// The clocks time rules measure from (migration 0012), of tickets still worked: a
    /// closed ticket is never looked at by rules, and its clocks stay empty.
    pub clocks: Vec<(TicketId, RuleClocks)>,
}

/// Writes ticket `id`, created at `created_at`, into `out`; comment ids start at
/// `*next_comment` and move it on.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub fn tell(
    rng: &mut StdRng,
    out: &mut Written,
    id: i64,
    created_at: i64,
    now: i64,
    topic: &Topic,
    cast: &Cast<'_>,
    matrix: &PriorityMatrix,
    next_comment: &mut i64,
) {
    let age = now - created_at;
    let goal = final_status(rng, age);
    let request = Request::of(rng, topic, cast);
    let mut s = Story {
        id,
        at: created_at,
        // Everything happens inside the ticket's life so far, and long stories are squeezed.
        step: (age / 12).clamp(MINUTE, rng.random_range(HOUR..2 * DAY)),
        out,
        version: 1,
        status: Status::New,
        clocks: RuleClocks::default(),
    };
    s.event(
        Some(request.logged_by),
        EventKind::Created,
        Some("status"),
        None,
        Some("new"),
        false,
    );
    let mut row = request.row(id, created_at, topic, cast, matrix);
    for tag in topic.tags {
        if rng.random_bool(0.5) {
            s.out.tags.push((TicketId::new(id), (*tag).to_owned()));
        }
    }
    // A desk without agents cannot work a ticket: it stays new.
    if goal != Status::New
        && let Some(agent) = triage(rng, &mut s, &mut row, cast, next_comment)
    {
        ask_and_answer(rng, &mut s, agent, cast.requester.0, goal, next_comment);
        conclude(rng, &mut s, &mut row, agent, goal, now, next_comment);
    }
    finish(s, row);
}

/// Triage: tier 1 takes the ticket, or it goes straight to the team that owns the topic, and
/// the agent answers first; a ticket tier 1 took may then go on to a specialist. Returns the
/// agent who works it, `None` when the desk has no agents.
fn triage(
    rng: &mut StdRng,
    s: &mut Story<'_>,
    row: &mut TicketRecord,
    cast: &Cast<'_>,
    next_comment: &mut i64,
) -> Option<UserId> {
    let escalate = cast.group_id != cast.tier1_id && rng.random_bool(0.4);
    let (group, group_name, pool) = if escalate {
        (cast.tier1_id, cast.tier1_name, cast.tier1)
    } else {
        (cast.group_id, cast.group_name, cast.specialists)
    };
    let first = pool.choose(rng).or_else(|| cast.tier1.first())?;
    let agent = first.id;
    s.tick(rng);
    s.event(
        Some(agent),
        EventKind::FieldChanged,
        Some("group"),
        None,
        Some(group_name),
        false,
    );
    s.event(
        Some(agent),
        EventKind::FieldChanged,
        Some("assignee"),
        None,
        Some(&first.email),
        false,
    );
    s.set_status(Some(agent), Status::Open);
    row.group_id = Some(group);
    row.assignee_id = Some(agent);

    s.tick(rng);
    let reply = s.reply(rng, agent, "agent", content::AGENT_REPLIES, next_comment);
    s.event(
        Some(agent),
        EventKind::FirstResponse,
        None,
        None,
        Some(&reply),
        false,
    );
    row.times.first_response_at = Some(Timestamp::from_micros(s.at));

    match cast.specialists.choose(rng).filter(|_| escalate) {
        Some(specialist) => {
            hand_to_specialist(rng, s, row, cast, first, specialist, next_comment);
            Some(specialist.id)
        }
        None => Some(agent),
    }
}

/// Tier 1 notes what it found and moves the ticket to the topic's group and a specialist.
fn hand_to_specialist(
    rng: &mut StdRng,
    s: &mut Story<'_>,
    row: &mut TicketRecord,
    cast: &Cast<'_>,
    first: &Agent,
    specialist: &Agent,
    next_comment: &mut i64,
) {
    s.tick(rng);
    s.note(rng, first.id, next_comment);
    s.event(
        Some(first.id),
        EventKind::FieldChanged,
        Some("group"),
        Some(cast.tier1_name),
        Some(cast.group_name),
        false,
    );
    s.event(
        Some(first.id),
        EventKind::FieldChanged,
        Some("assignee"),
        Some(&first.email),
        Some(&specialist.email),
        false,
    );
    row.group_id = Some(cast.group_id);
    row.assignee_id = Some(specialist.id);
}

/// Questions and answers: the clock would pause while the requester is asked. A ticket
/// that ends pending may stop at a question.
fn ask_and_answer(
    rng: &mut StdRng,
    s: &mut Story<'_>,
    agent: UserId,
    requester: UserId,
    goal: Status,
    next_comment: &mut i64,
) {
    for _ in 0..rng.random_range(0..=2) {
        s.tick(rng);
        s.reply(rng, agent, "agent", content::AGENT_REPLIES, next_comment);
        s.set_status(Some(agent), Status::Pending);
        if goal == Status::Pending && rng.random_bool(0.5) {
            break;
        }
        s.tick(rng);
        s.reply(
            rng,
            requester,
            "requester",
            content::REQUESTER_REPLIES,
            next_comment,
        );
        s.set_status(Some(requester), Status::Open);
    }
}

/// The last steps to where the ticket stands today: waiting on the requester, on hold, or
/// resolved and, by the desk's housekeeping, closed.
fn conclude(
    rng: &mut StdRng,
    s: &mut Story<'_>,
    row: &mut TicketRecord,
    agent: UserId,
    goal: Status,
    now: i64,
    next_comment: &mut i64,
) {
    match goal {
        Status::Pending if s.status != Status::Pending => {
            s.tick(rng);
            s.reply(rng, agent, "agent", content::AGENT_REPLIES, next_comment);
            s.set_status(Some(agent), Status::Pending);
        }
        Status::OnHold => {
            s.tick(rng);
            s.note(rng, agent, next_comment);
            s.set_status(Some(agent), Status::OnHold);
        }
        Status::Resolved | Status::Closed => {
            s.tick(rng);
            s.reply(rng, agent, "agent", content::RESOLUTIONS, next_comment);
            s.set_status(Some(agent), Status::Resolved);
            row.times.resolved_at = Some(Timestamp::from_micros(s.at));
            if goal == Status::Closed {
                // Closed by the desk's housekeeping a few days after resolution.
                s.at = (s.at + 3 * DAY).min(s.at + (now - s.at) / 2);
                s.set_status(None, Status::Closed);
                row.times.closed_at = Some(Timestamp::from_micros(s.at));
            }
        }
        _ => {}
    }
}

fn finish(s: Story<'_>, mut row: TicketRecord) {
    if s.status != Status::Closed && !s.clocks.is_empty() {
        s.out.clocks.push((TicketId::new(s.id), s.clocks));
    }
    row.status = s.status;
    row.version = s.version;
    row.times.updated_at = Timestamp::from_micros(s.at);
    s.out.tickets.push(row);
}

/// Where a ticket of this age stands today: recent ones are still being worked, old ones
/// are almost all closed, with a thin backlog of forgotten ones.
fn final_status(rng: &mut StdRng, age: i64) -> Status {
    use Status::*;
    let weights: &[(Status, u32)] = if age < DAY {
        &[
            (New, 35),
            (Open, 35),
            (Pending, 15),
            (OnHold, 5),
            (Resolved, 10),
        ]
    } else if age < 7 * DAY {
        &[
            (New, 5),
            (Open, 25),
            (Pending, 15),
            (OnHold, 5),
            (Resolved, 25),
            (Closed, 25),
        ]
    } else if age < 30 * DAY {
        &[
            (Open, 5),
            (Pending, 4),
            (OnHold, 2),
            (Resolved, 9),
            (Closed, 80),
        ]
    } else {
        &[(Open, 10), (Pending, 5), (OnHold, 5), (Closed, 980)]
    };
    pick(rng, weights)
}

/// The story being written: the clock, the status and the rows so far.
struct Story<'o> {
    id: i64,
    at: i64,
    step: i64,
    out: &'o mut Written,
    version: i64,
    status: Status,
    clocks: RuleClocks,
}

impl Story<'_> {
    /// Time passes: a few minutes to a couple of steps.
    fn tick(&mut self, rng: &mut StdRng) {
        self.at += rng.random_range(MINUTE..=self.step.max(MINUTE + 1));
    }

    fn set_status(&mut self, actor: Option<UserId>, to: Status) {
        let from = self.status.as_str();
        self.event(
            actor,
            EventKind::FieldChanged,
            Some("status"),
            Some(from),
            Some(to.as_str()),
            false,
        );
        self.status = to;
        self.clocks.status_changed_at = Some(self.at);
    }

    fn event(
        &mut self,
        actor: Option<UserId>,
        kind: EventKind,
        field: Option<&str>,
        old: Option<&str>,
        new: Option<&str>,
        internal: bool,
    ) {
        if kind != EventKind::Created {
            self.version += 1;
        }
        self.out.events.push(EventRecord {
            id: EventId::default(),
            ticket_id: TicketId::new(self.id),
            actor_id: actor,
            at: Timestamp::from_micros(self.at),
            kind,
            field: field.map(str::to_owned),
            old_value: old.map(str::to_owned),
            new_value: new.map(str::to_owned),
            internal,
        });
    }

    /// A public reply: the comment and its `replied` event (the author's role in `field`).
    fn reply(
        &mut self,
        rng: &mut StdRng,
        author: UserId,
        role: &str,
        phrases: &[&str],
        next_comment: &mut i64,
    ) -> String {
        let id = self.comment(rng, author, phrases, false, next_comment);
        if role == "requester" {
            self.clocks.requester_replied_at = Some(self.at);
        } else {
            self.clocks.agent_replied_at = Some(self.at);
        }
        self.event(
            Some(author),
            EventKind::Replied,
            Some(role),
            None,
            Some(&id),
            false,
        );
        id
    }

    /// An internal note from `author` and its `note_added` event.
    fn note(&mut self, rng: &mut StdRng, author: UserId, next_comment: &mut i64) {
        let id = self.comment(rng, author, content::INTERNAL_NOTES, true, next_comment);
        self.event(
            Some(author),
            EventKind::NoteAdded,
            None,
            None,
            Some(&id),
            true,
        );
    }

    /// Adds a comment from `author` and returns its id as the events record it.
    fn comment(
        &mut self,
        rng: &mut StdRng,
        author: UserId,
        phrases: &[&str],
        internal: bool,
        next_comment: &mut i64,
    ) -> String {
        let id = *next_comment;
        *next_comment += 1;
        self.out.comments.push(CommentRecord {
            id: CommentId::new(id),
            ticket_id: TicketId::new(self.id),
            author_id: author,
            body: phrases.choose(rng).copied().unwrap_or("…").to_owned(),
            internal,
            source_ticket_id: TicketId::new(self.id),
            created_at: Timestamp::from_micros(self.at),
        });
        id.to_string()
    }
}
