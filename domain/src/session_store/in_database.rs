//! The default session store: the control-plane database (SQLite or PostgreSQL).
//!
//! tower-sessions ships a sqlx store, but for sqlx 0.8 while sea-orm 2 uses sqlx 0.9; this adapter over
//! sea-orm (SQLite and PostgreSQL alike) is the `SessionStore` trait's four methods, nothing more. The
//! browser holds only the random 128-bit session id; the data (which `auth_sessions` row it belongs to,
//! the CSRF token, a pending sign-in) stays here.

use crate::entities::control::tower_session;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{QueryFilter as _, SqlErr};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result, SessionStore};

#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn to_chrono(at: time::OffsetDateTime) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond())
        .ok_or_else(|| Error::Encode("expiry out of range".into()))
}

fn row_of(record: &Record) -> Result<tower_session::ActiveModel> {
    Ok(tower_session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?),
        expiry_date: Set(to_chrono(record.expiry_date)?),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A fresh id until one is free (a collision of 128 random bits is not expected, but cheap to handle).
        loop {
            match row_of(record)?.insert(&self.db).await {
                Ok(_) => return Ok(()),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default()
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        tower_session::Entity::insert(row_of(record)?)
            .on_conflict(
                OnConflict::column(tower_session::Column::Id)
                    .update_columns([tower_session::Column::Data, tower_session::Column::ExpiryDate])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row = tower_session::Entity::find_by_id(id.to_string())
            .filter(tower_session::Column::ExpiryDate.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expiry_date.timestamp())
            .map_err(|e| Error::Decode(e.to_string()))?;
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        tower_session::Entity::delete_by_id(id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> Result<()> {
        tower_session::Entity::delete_many()
            .filter(tower_session::Column::ExpiryDate.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
