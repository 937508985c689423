//! Putting mails into the outbox, and reading the dev outbox.

use super::delivery::Transport;
use crate::entities::control::mail_outbox;
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use model::EmailAddress;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection};
use sea_orm::{EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _};
use std::sync::Arc;
use tokio::sync::Notify;
use url::Url;

/// How mail leaves the system.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The sender, e.g. `Strongroom <no-reply@example.com>`.
    pub from: String,
    /// `smtp://` or `smtps://` URL (lettre syntax, credentials included); `None`: the dev outbox.
    pub smtp_url: Option<secrecy::SecretString>,
    /// The public address of the site, for links in mails.
    pub public_url: Url,
}

/// A mail about to be sent.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: &'static str,
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail as stored in the outbox.
#[derive(Debug, Clone)]
pub struct StoredMail {
    pub id: uuid::Uuid,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

impl From<mail_outbox::Model> for StoredMail {
    fn from(row: mail_outbox::Model) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            to: row.to_address,
            subject: row.subject,
            text: row.text_body,
            html: row.html_body,
            status: row.status,
            attempts: row.attempts,
            created_at: row.created_at,
        }
    }
}

pub(super) mod status {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const DEV_OUTBOX: &str = "dev-outbox";
    pub const FAILED: &str = "failed";
}

pub struct Mailer {
    pub(super) db: DatabaseConnection,
    pub(super) settings: MailSettings,
    pub(super) transport: Transport,
    pub(super) wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(db: DatabaseConnection, settings: MailSettings) -> DomainResult<Self> {
        let transport = Transport::from_settings(&settings)?;
        Ok(Self { db, settings, transport, wake: Arc::new(Notify::new()) })
    }

    /// The database the outbox lives in (the control plane), for mails not tied to a control-plane change.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// An absolute link to `path_and_query` on this site.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.settings.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }

    /// Queues a mail. Pass the transaction of the change the mail reports, so both happen or neither.
    pub async fn enqueue<C: ConnectionTrait>(&self, conn: &C, mail: OutgoingMail) -> DomainResult<()> {
        let now = Utc::now();
        mail_outbox::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            kind: Set(mail.kind.to_owned()),
            to_address: Set(mail.to.to_string()),
            subject: Set(mail.subject),
            text_body: Set(mail.text),
            html_body: Set(mail.html),
            status: Set(status::PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
        }
        .insert(conn)
        .await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Mails sent to `address`, newest first (the dev outbox; tests read it too).
    pub async fn messages_to(&self, address: &str) -> DomainResult<Vec<StoredMail>> {
        Ok(mail_outbox::Entity::find()
            .filter(mail_outbox::Column::ToAddress.eq(address.trim().to_lowercase()))
            .order_by_desc(mail_outbox::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(StoredMail::from)
            .collect())
    }

    /// The newest mails, whoever they went to.
    pub async fn recent(&self, limit: u64) -> DomainResult<Vec<StoredMail>> {
        Ok(mail_outbox::Entity::find()
            .order_by_desc(mail_outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(StoredMail::from)
            .collect())
    }

    /// How many mails went to `address` since `since` (to cap mails per hour per recipient).
    pub async fn count_to_since(&self, address: &EmailAddress, kind: &str, since: DateTime<Utc>) -> DomainResult<u64> {
        use sea_orm::PaginatorTrait as _;
        Ok(mail_outbox::Entity::find()
            .filter(mail_outbox::Column::ToAddress.eq(address.as_str()))
            .filter(mail_outbox::Column::Kind.eq(kind))
            .filter(mail_outbox::Column::CreatedAt.gte(since))
            .count(&self.db)
            .await?)
    }
}
