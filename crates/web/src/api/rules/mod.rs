//! `/api/v1/rules`: automation rules, for managers and admins. A rule is JSON as the domain
//! defines it (`frontline_domain::rules::Rule`): name, trigger (`created`, `updated`, `time`),
//! conditions, a time condition for time rules, actions, `stop` and `enabled`. Unknown fields
//! or values and names of groups, agents or categories that do not exist are a 422.

pub mod change;
pub mod list;

use frontline_core::rules::ConfiguredRule;
use serde::Serialize;
use utoipa::ToSchema;

/// A rule with its id and place in the order.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleItem {
    pub id: i64,
    pub position: i64,
    /// name, trigger, conditions ({field, op, value}), time ({since, minutes}), actions
    /// ({action, …}), stop, enabled.
    #[schema(value_type = Object)]
    pub rule: frontline_domain::rules::Rule,
}

impl From<ConfiguredRule> for RuleItem {
    fn from(r: ConfiguredRule) -> Self {
        Self {
            id: r.id.get(),
            position: r.position,
            rule: r.rule,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleItem>,
}
