//! The session store in Redis, for deployments that set `redis_url`.
//!
//! Every request reads its session, so with several servers the session records are the control plane's
//! busiest rows; Redis takes that load off the database and expires records by itself. Only the
//! tower-sessions records move here. Which sessions a user has (the `auth_sessions` rows shown on the
//! security page, ended one by one, all at once, or by a workspace policy) stays in the control-plane
//! database, so ending a session works the same whichever store holds the browser's record.
//!
//! The maintainers' `tower-sessions-redis-store` is built for tower-sessions 0.14 (we use 0.15) and
//! writes bare session ids as keys, so this is a small adapter over redis-rs instead: one key per session,
//! `<prefix><id>`, holding the record as JSON and expiring with it (`EXAT`). The prefix keeps Strongroom's
//! keys apart from anything else in the same Redis database.

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret as _, SecretString};
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// How long one connection attempt, or one command, may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct RedisSessionStore {
    /// Multiplexes every request over one connection and reconnects by itself after an outage.
    connection: ConnectionManager,
    key_prefix: Arc<str>,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore").field("key_prefix", &self.key_prefix).finish_non_exhaustive()
    }
}

fn backend(e: redis::RedisError) -> Error {
    Error::Backend(e.to_string())
}

impl RedisSessionStore {
    /// Connects now, so that an unreachable Redis stops the server at start-up rather than failing
    /// its first requests.
    #[tracing::instrument(skip_all, fields(key_prefix))]
    pub async fn connect(url: &SecretString, key_prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url.expose_secret())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self { connection, key_prefix: key_prefix.into() })
    }

    /// The connection, for other state that servers sharing this Redis must share (rate limits).
    pub fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// The prefix of every key Strongroom writes to this Redis.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{id}", self.key_prefix)
    }

    /// Writes `record`, expiring with it. With `only_if_new` nothing is overwritten: the answer is
    /// false when the key already exists.
    async fn write(&self, record: &Record, only_if_new: bool) -> Result<bool> {
        let value = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
        let mut command = redis::cmd("SET");
        command.arg(self.key(&record.id)).arg(value);
        if only_if_new {
            command.arg("NX");
        }
        command.arg("EXAT").arg(record.expiry_date.unix_timestamp());
        let reply: Option<String> = command.query_async(&mut self.connection.clone()).await.map_err(backend)?;
        Ok(reply.is_some())
    }

    /// For readiness checks: does Redis answer?
    pub async fn ping(&self) -> std::result::Result<(), String> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.connection.clone())
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A fresh id until one is free (as in the database store: unexpected, but cheap to handle).
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.write(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let value: Option<String> =
            redis::cmd("GET").arg(self.key(id)).query_async(&mut self.connection.clone()).await.map_err(backend)?;
        let Some(value) = value else { return Ok(None) };
        let record: Record = serde_json::from_str(&value).map_err(|e| Error::Decode(e.to_string()))?;
        // A record stored under another id would hand one browser another's session: refuse it.
        Ok((record.id == *id).then_some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        redis::cmd("DEL").arg(self.key(id)).query_async::<()>(&mut self.connection.clone()).await.map_err(backend)
    }
}
