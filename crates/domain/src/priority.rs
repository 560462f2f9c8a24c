//! Impact × urgency → priority, through a configurable ITIL matrix.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Impact and urgency share one three-step scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| DomainError::new(field, "must be high, medium or low"))
    }

    fn index(self) -> usize {
        match self {
            Level::High => 0,
            Level::Medium => 1,
            Level::Low => 2,
        }
    }
}

/// P1 (most urgent) to P4. Stored as its rank 1–4 so it sorts as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

impl Priority {
    pub const P1: Priority = Priority(1);
    pub const P2: Priority = Priority(2);
    pub const P3: Priority = Priority(3);
    pub const P4: Priority = Priority(4);

    pub fn from_rank(rank: i64) -> Result<Self, DomainError> {
        match rank {
            1..=4 => Ok(Priority(rank as u8)),
            _ => Err(DomainError::new("priority", "must be P1, P2, P3 or P4")),
        }
    }

    pub fn rank(self) -> i64 {
        i64::from(self.0)
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        match text {
            "P1" => Ok(Self::P1),
            "P2" => Ok(Self::P2),
            "P3" => Ok(Self::P3),
            "P4" => Ok(Self::P4),
            _ => Err(DomainError::new(field, "must be P1, P2, P3 or P4")),
        }
    }

    pub fn as_str(self) -> &'static str {
        ["P1", "P2", "P3", "P4"][usize::from(self.0 - 1)]
    }

    /// One step more urgent, stopping at P1.
    pub fn raised(self) -> Self {
        Priority(self.0.saturating_sub(1).max(1))
    }
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse("priority", &text).map_err(serde::de::Error::custom)
    }
}

/// Rows are impact (high, medium, low), columns urgency (high, medium, low). Unknown keys are
/// refused: a typo such as `hihg` must not leave a row unchanged while seeming to succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityMatrix {
    pub high: [Priority; 3],
    pub medium: [Priority; 3],
    pub low: [Priority; 3],
}

impl Default for PriorityMatrix {
    /// The common ITIL matrix: high × high is P1, low × low and the low-medium corners are P4.
    fn default() -> Self {
        use Priority as P;
        Self {
            high: [P::P1, P::P2, P::P3],
            medium: [P::P2, P::P3, P::P4],
            low: [P::P3, P::P4, P::P4],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        let row = match impact {
            Level::High => &self.high,
            Level::Medium => &self.medium,
            Level::Low => &self.low,
        };
        row[urgency.index()]
    }

    /// A matrix must never rank a less severe cell above a more severe one, or triage stops
    /// meaning anything: priority may only stay or drop as impact or urgency drops.
    pub fn validate(&self) -> Result<(), DomainError> {
        for impact in Level::ALL {
            for urgency in Level::ALL {
                let here = self.priority(impact, urgency);
                let lower_urgency = Level::ALL.get(urgency.index() + 1);
                let lower_impact = Level::ALL.get(impact.index() + 1);
                if let Some(u) = lower_urgency
                    && self.priority(impact, *u) < here
                {
                    return Err(DomainError::new(
                        format!("{}.{}", impact.as_str(), u.as_str()),
                        "a lower urgency cannot have a higher priority",
                    ));
                }
                if let Some(i) = lower_impact
                    && self.priority(*i, urgency) < here
                {
                    return Err(DomainError::new(
                        format!("{}.{}", i.as_str(), urgency.as_str()),
                        "a lower impact cannot have a higher priority",
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_matrix_is_itil() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Level::High, Level::High), Priority::P1);
        assert_eq!(m.priority(Level::High, Level::Medium), Priority::P2);
        assert_eq!(m.priority(Level::Medium, Level::High), Priority::P2);
        assert_eq!(m.priority(Level::Medium, Level::Medium), Priority::P3);
        assert_eq!(m.priority(Level::Low, Level::High), Priority::P3);
        assert_eq!(m.priority(Level::Low, Level::Low), Priority::P4);
        assert!(m.validate().is_ok());
    }

    #[test]
    fn inverted_matrix_is_refused() {
        let mut m = PriorityMatrix::default();
        m.low[2] = Priority::P1;
        assert!(m.validate().is_err());
    }

    #[test]
    fn priorities_parse_and_print() {
        for p in ["P1", "P2", "P3", "P4"] {
            assert_eq!(Priority::parse("priority", p).map(Priority::as_str), Ok(p));
        }
        assert!(Priority::parse("priority", "P5").is_err());
        assert!(Priority::from_rank(0).is_err());
        assert_eq!(Priority::P1.raised(), Priority::P1);
        assert_eq!(Priority::P3.raised(), Priority::P2);
    }

    fn level() -> impl Strategy<Value = Level> {
        prop_oneof![Just(Level::High), Just(Level::Medium), Just(Level::Low)]
    }

    proptest! {
        /// In any valid matrix, raising impact or urgency never lowers the priority.
        #[test]
        fn valid_matrices_are_monotonic(cells in proptest::array::uniform9(1i64..=4), i in level(), u in level()) {
            let p = |k: usize| Priority::from_rank(cells[k]).unwrap_or(Priority::P4);
            let m = PriorityMatrix {
                high: [p(0), p(1), p(2)],
                medium: [p(3), p(4), p(5)],
                low: [p(6), p(7), p(8)],
            };
            if m.validate().is_ok() {
                let here = m.priority(i, u);
                prop_assert!(m.priority(Level::High, u) <= here);
                prop_assert!(m.priority(i, Level::High) <= here);
                prop_assert!(m.priority(Level::Low, u) >= here);
                prop_assert!(m.priority(i, Level::Low) >= here);
            }
        }
    }
}
