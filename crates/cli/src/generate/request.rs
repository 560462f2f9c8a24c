//! What a generated ticket's requester asks for, and how (impact, urgency, channel, the
//! words): the start of its story (`story.rs`), and the ticket as it is opened.

use frontline_domain::{
    Channel, Level, PriorityMatrix, Status, TicketId, TicketRecord, Timestamp, Timestamps, UserId,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::cast::Cast;
use super::content::Topic;
use super::content::pick;

/// What the requester asks for, and how.
pub(super) struct Request {
    impact: Level,
    urgency: Level,
    channel: Channel,
    /// The requester, or the agent who took their call.
    pub(super) logged_by: UserId,
    subject: &'static str,
    description: &'static str,
}

impl Request {
    pub(super) fn of(rng: &mut StdRng, topic: &Topic, cast: &Cast<'_>) -> Self {
        let impact = pick(
            rng,
            &[(Level::High, 10), (Level::Medium, 50), (Level::Low, 40)],
        );
        let urgency = pick(
            rng,
            &[(Level::High, 15), (Level::Medium, 55), (Level::Low, 30)],
        );
        let channel = pick(
            rng,
            &[
                (Channel::Portal, 40),
                (Channel::Email, 35),
                (Channel::Phone, 15),
                (Channel::Api, 5),
                (Channel::Chat, 5),
            ],
        );
        // Phone calls are logged by the agent who took them.
        let logged_by = match cast.tier1.choose(rng) {
            Some(agent) if channel == Channel::Phone => agent.id,
            _ => cast.requester.0,
        };
        let (subject, description) = topic
            .requests
            .choose(rng)
            .copied()
            .unwrap_or(("Help needed", "Please call me back."));
        Request {
            impact,
            urgency,
            channel,
            logged_by,
            subject,
            description,
        }
    }

    /// The ticket as it was opened.
    pub(super) fn row(
        &self,
        id: i64,
        created_at: i64,
        topic: &Topic,
        cast: &Cast<'_>,
        matrix: &PriorityMatrix,
    ) -> TicketRecord {
        let (requester_id, organization_id) = cast.requester;
        TicketRecord {
            id: TicketId::new(id),
            subject: self.subject.to_owned(),
            description: self.description.to_owned(),
            status: Status::New,
            ticket_type: topic.ticket_type,
            impact: self.impact,
            urgency: self.urgency,
            priority: matrix.priority(self.impact, self.urgency),
            priority_overridden: false,
            category_id: Some(cast.category_id),
            requester_id,
            organization_id,
            group_id: None,
            assignee_id: None,
            channel: self.channel,
            custom_fields: Default::default(),
            merged_into_id: None,
            version: 1,
            times: Timestamps::opened(Timestamp::from_micros(created_at)),
        }
    }
}
