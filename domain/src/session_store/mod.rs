//! Where browser sessions live (ID8: server-side; the browser holds only a random 128-bit id).
//!
//! The control-plane database by default, so that a single server needs nothing else; Redis when the
//! operator sets `redis_url`. The choice is made once at start-up: [`SessionBackend`] is the store the
//! session layer is given, whichever it is.

mod in_database;
mod in_redis;

pub use self::in_database::DbSessionStore;
pub use self::in_redis::RedisSessionStore;
use async_trait::async_trait;
use secrecy::SecretString;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion as _, Result, SessionStore};

/// Where the operator wants sessions kept.
#[derive(Debug, Clone, Default)]
pub enum SessionStorage {
    #[default]
    ControlDatabase,
    Redis {
        url: SecretString,
        /// Put before every session id to make the key, e.g. `strongroom:session:`.
        key_prefix: String,
    },
}

/// The session store in use.
#[derive(Debug, Clone)]
pub enum SessionBackend {
    Database(DbSessionStore),
    Redis(RedisSessionStore),
}

impl SessionBackend {
    /// Removes expired records. Redis expires its keys by itself.
    pub async fn delete_expired(&self) -> Result<()> {
        match self {
            Self::Database(store) => store.delete_expired().await,
            Self::Redis(_) => Ok(()),
        }
    }

    /// For readiness: the database store is checked with the control plane itself.
    pub async fn check(&self) -> std::result::Result<(), String> {
        match self {
            Self::Database(_) => Ok(()),
            Self::Redis(store) => store.ping().await,
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> Result<()> {
        match self {
            Self::Database(store) => store.create(record).await,
            Self::Redis(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        match self {
            Self::Database(store) => store.save(record).await,
            Self::Redis(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        match self {
            Self::Database(store) => store.load(id).await,
            Self::Redis(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        match self {
            Self::Database(store) => store.delete(id).await,
            Self::Redis(store) => store.delete(id).await,
        }
    }
}
