//! The desk's configuration: categories, custom fields, the priority matrix and the default
//! group of tickets nothing else routes. Everyone on the desk may read it; managers and admins
//! change it.

use frontline_domain::{Category, CategoryPath, CustomFieldDef, GroupId, PriorityMatrix};
use frontline_store::Conn;

use crate::{Actor, Config, CoreError, Result};

const MATRIX_KEY: &str = "priority_matrix";
/// The id of the group a new ticket joins when neither its creator nor a rule gave it one.
const DEFAULT_GROUP_KEY: &str = "default_group";

impl Config {
    pub async fn categories(&self) -> Result<Vec<Category>> {
        let mut c = self.core.store.read().await?;
        Ok(c.conn().categories().await?)
    }

    /// Adds a category, creating any missing ancestors; adding an existing one is a no-op.
    pub async fn add_category(
        &self,
        actor: Option<&Actor>,
        path: &CategoryPath,
    ) -> Result<Category> {
        if let Some(a) = actor {
            a.require_configure()?;
        }
        let mut tx = self.core.begin().await?;
        let row = ensure_category(&mut tx.conn(), path).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn custom_fields(&self) -> Result<Vec<CustomFieldDef>> {
        let mut c = self.core.store.read().await?;
        load_custom_fields(&mut c.conn()).await
    }

    pub async fn add_custom_field(
        &self,
        actor: Option<&Actor>,
        def: CustomFieldDef,
    ) -> Result<CustomFieldDef> {
        if let Some(a) = actor {
            a.require_configure()?;
        }
        def.validate()?;
        let json = serde_json::to_string(&def).map_err(|e| CoreError::Internal(e.to_string()))?;
        let mut tx = self.core.begin().await?;
        tx.conn()
            .insert_custom_field(&def.key, &json)
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => {
                    CoreError::Conflict(format!("a custom field {:?} already exists", def.key))
                }
                other => other,
            })?;
        tx.commit().await?;
        self.core.ticket_config.forget();
        Ok(def)
    }

    pub async fn priority_matrix(&self) -> Result<PriorityMatrix> {
        let mut c = self.core.store.read().await?;
        load_matrix(&mut c.conn()).await
    }

    pub async fn set_priority_matrix(
        &self,
        actor: &Actor,
        matrix: PriorityMatrix,
    ) -> Result<PriorityMatrix> {
        actor.require_configure()?;
        matrix.validate()?;
        let json =
            serde_json::to_string(&matrix).map_err(|e| CoreError::Internal(e.to_string()))?;
        let mut tx = self.core.begin().await?;
        tx.conn().put_setting(MATRIX_KEY, &json).await?;
        tx.commit().await?;
        self.core.ticket_config.forget();
        tracing::info!(actor = %actor.id, "priority matrix changed");
        Ok(matrix)
    }
}

impl Config {
    /// The group a new ticket joins when neither its creator nor a created rule gave it one;
    /// `None` leaves such tickets without a group.
    pub async fn default_group(&self) -> Result<Option<String>> {
        let mut c = self.core.store.read().await?;
        Ok(load_default_group(&mut c.conn())
            .await?
            .map(|(_, name)| name))
    }

    /// Sets (or with `None` clears) the default group; the group must exist.
    pub async fn set_default_group(
        &self,
        actor: &Actor,
        group: Option<&str>,
    ) -> Result<Option<String>> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let value = match group {
            Some(name) => {
                let id = crate::tickets::fields::group_id(&mut c, name).await?;
                id.get().to_string()
            }
            None => String::new(),
        };
        c.put_setting(DEFAULT_GROUP_KEY, &value).await?;
        tx.commit().await?;
        self.core.ticket_config.forget();
        tracing::info!(actor = %actor.id, group = ?group, "default group changed");
        Ok(group.map(str::to_owned))
    }
}

/// The default group's id and name; a group removed since it was chosen is no default.
pub(crate) async fn load_default_group(c: &mut Conn<'_>) -> Result<Option<(GroupId, String)>> {
    let id = match c.setting(DEFAULT_GROUP_KEY).await? {
        Some(text) if !text.is_empty() => text
            .parse::<i64>()
            .map_err(|e| CoreError::Internal(format!("stored default group is unreadable: {e}")))?,
        _ => return Ok(None),
    };
    Ok(c.group_by_id(GroupId::new(id))
        .await?
        .map(|g| (g.id, g.name)))
}

pub(crate) async fn ensure_category(c: &mut Conn<'_>, path: &CategoryPath) -> Result<Category> {
    if let Some(found) = c.category_by_path(path.as_str()).await? {
        return Ok(found);
    }
    let parent_id = match path.parent() {
        Some(parent) => Some(Box::pin(ensure_category(c, &parent)).await?.id),
        None => None,
    };
    let id = c
        .insert_category(path.as_str(), path.name(), parent_id)
        .await?;
    Ok(Category {
        id,
        path: path.as_str().to_owned(),
        name: path.name().to_owned(),
        parent_id,
    })
}

/// What every new ticket is checked and ranked with.
pub(crate) struct TicketConfig {
    pub custom_fields: Vec<CustomFieldDef>,
    pub matrix: PriorityMatrix,
    /// Where a ticket nothing routes goes: the group's id and name.
    pub default_group: Option<(GroupId, String)>,
}

/// The ticket configuration as last read. Only this module reads or forgets it; other nouns
/// ask [`Config::ticket_config`].
#[derive(Default)]
pub(crate) struct ConfigCache(crate::cache::Cached<TicketConfig>);

impl ConfigCache {
    /// The configuration, read again when the cached one is older than the cache's TTL.
    async fn get(&self, c: &mut Conn<'_>) -> Result<std::sync::Arc<TicketConfig>> {
        if let Some(config) = self.0.fresh() {
            return Ok(config);
        }
        let custom_fields = load_custom_fields(c).await?;
        let matrix = load_matrix(c).await?;
        let default_group = load_default_group(c).await?;
        Ok(self.0.put(TicketConfig {
            custom_fields,
            matrix,
            default_group,
        }))
    }

    fn forget(&self) {
        self.0.forget();
    }
}

impl Config {
    /// Custom fields and the priority matrix, for checking and ranking a new ticket.
    pub(crate) async fn ticket_config(
        &self,
        c: &mut Conn<'_>,
    ) -> Result<std::sync::Arc<TicketConfig>> {
        self.core.ticket_config.get(c).await
    }
}

pub(crate) async fn load_custom_fields(c: &mut Conn<'_>) -> Result<Vec<CustomFieldDef>> {
    c.custom_field_definitions()
        .await?
        .iter()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| CoreError::Internal(format!("stored custom field is unreadable: {e}")))
        })
        .collect()
}

pub(crate) async fn load_matrix(c: &mut Conn<'_>) -> Result<PriorityMatrix> {
    match c.setting(MATRIX_KEY).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| CoreError::Internal(format!("stored priority matrix is unreadable: {e}"))),
        None => Ok(PriorityMatrix::default()),
    }
}
