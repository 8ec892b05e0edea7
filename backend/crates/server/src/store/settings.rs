//! Run-time settings by key (`server_settings`): read one, write one.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, sea_query::OnConflict};

use super::{StoreError, entities::server_setting};

/// The stored JSON of `key`, if it was ever set.
pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<String>, StoreError> {
    Ok(server_setting::Entity::find_by_id(key.to_string()).one(db).await?.map(|r| r.value))
}

pub async fn set<C: ConnectionTrait>(
    db: &C,
    key: &str,
    value: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = server_setting::ActiveModel {
        key: sea_orm::Set(key.to_string()),
        value: sea_orm::Set(value),
        updated_at: sea_orm::Set(now),
    };
    server_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(server_setting::Column::Key)
                .update_columns([server_setting::Column::Value, server_setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
