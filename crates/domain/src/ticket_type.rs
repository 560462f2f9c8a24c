//! The kinds of ticket a desk handles.

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    /// Something is broken or degraded.
    Incident,
    /// Someone asks for something: access, software, hardware, a password reset.
    ServiceRequest,
    Question,
    /// The unknown cause of one or more incidents.
    Problem,
}

impl TicketType {
    pub const ALL: [TicketType; 4] = [
        TicketType::Incident,
        TicketType::ServiceRequest,
        TicketType::Question,
        TicketType::Problem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketType::Incident => "incident",
            TicketType::ServiceRequest => "service_request",
            TicketType::Question => "question",
            TicketType::Problem => "problem",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| {
                DomainError::new(
                    field,
                    "must be incident, service_request, question or problem",
                )
            })
    }
}
