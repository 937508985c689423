//! Putting mails into the outbox, sealed, and reading them back opened (for delivery and the dev outbox).
//!
//! A queued mail's bodies carry live secrets (sign-in codes; verification, reset, email-change, undo and
//! invitation links), so they are never stored in the clear: each body is sealed with AES-256-GCM under a
//! key derived from the master key ([`KeyPurpose::MailBody`]) and bound to its row id and column, and is
//! opened only to hand it to SMTP or to show it in the dev outbox. Once SMTP has accepted a mail its
//! bodies are blanked. Subjects and addresses stay readable (they carry no secret) for operators and for
//! the per-recipient mail caps.

use super::delivery::Transport;
use crate::crypto::{KeyPurpose, Keys};
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
    /// Signs every mail sent over SMTP when set.
    pub dkim: Option<super::dkim::DkimSettings>,
}

/// Which queue a mail waits in. Security mail (codes, resets, verification, notices) is always
/// delivered before bulk mail (invitations, purchasing notices), so a flood of the latter cannot make a
/// 10-minute sign-in code arrive too late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailClass {
    Security,
    Bulk,
}

impl MailClass {
    /// The stored priority: lower goes first.
    pub(super) fn priority(self) -> i16 {
        match self {
            Self::Security => 0,
            Self::Bulk => 1,
        }
    }
}

/// A mail about to be sent.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: &'static str,
    pub class: MailClass,
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The language the mail is written in (its `Content-Language`).
    pub language: super::Language,
}

/// A mail as stored in the outbox, bodies opened (empty once delivered over SMTP).
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
    /// The language the mail is written in.
    pub language: String,
}

pub(super) mod status {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const DEV_OUTBOX: &str = "dev-outbox";
    pub const FAILED: &str = "failed";
}

/// Statuses of delivered mail, and of mail given up on (for [`crate::retention`]).
pub(crate) const OUTBOX_DONE_STATUSES: [&str; 2] = [status::SENT, status::DEV_OUTBOX];
pub(crate) const OUTBOX_FAILED: &str = status::FAILED;

/// Which body of a mail, for the sealing context.
#[derive(Clone, Copy)]
pub(super) enum BodyPart {
    Text,
    Html,
}

/// The associated data a body is sealed with: its table, row and column, so a sealed body copied to
/// another row (or from the HTML column to the text column) does not open.
fn body_context(id: uuid::Uuid, part: BodyPart) -> String {
    let column = match part {
        BodyPart::Text => "text_body",
        BodyPart::Html => "html_body",
    };
    format!("mail_outbox:{id}:{column}")
}

pub struct Mailer {
    pub(super) db: DatabaseConnection,
    pub(super) settings: MailSettings,
    pub(super) transport: Transport,
    pub(super) wake: Arc<Notify>,
    keys: Arc<Keys>,
}

impl Mailer {
    pub fn new(db: DatabaseConnection, settings: MailSettings, keys: Arc<Keys>) -> DomainResult<Self> {
        let transport = Transport::from_settings(&settings)?;
        Ok(Self { db, settings, transport, wake: Arc::new(Notify::new()), keys })
    }

    /// The database the outbox lives in (the control plane), for mails not tied to a control-plane change.
    /// Mails waiting to be sent (pending, or being sent now) and mails given up on, for metrics.
    pub async fn queue_lengths(&self) -> DomainResult<(u64, u64)> {
        use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
        let count = |statuses: &[&str]| {
            crate::entities::control::mail_outbox::Entity::find()
                .filter(crate::entities::control::mail_outbox::Column::Status.is_in(statuses.iter().copied()))
                .count(&self.db)
        };
        Ok((count(&[status::PENDING, status::SENDING]).await?, count(&[status::FAILED]).await?))
    }

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

    pub(super) fn keys(&self) -> &Keys {
        &self.keys
    }

    pub(super) fn seal_body(&self, id: uuid::Uuid, part: BodyPart, body: &str) -> String {
        self.keys.seal(KeyPurpose::MailBody, &body_context(id, part), body.as_bytes())
    }

    /// Opens a stored body; a blanked body (delivered) opens to the empty string.
    pub(super) fn open_body(&self, id: uuid::Uuid, part: BodyPart, stored: &str) -> Option<String> {
        if stored.is_empty() {
            return Some(String::new());
        }
        let opened = self.keys.open(KeyPurpose::MailBody, &body_context(id, part), stored).ok()?;
        String::from_utf8(opened).ok()
    }

    /// Queues a mail. Pass the transaction of the change the mail reports, so both happen or neither.
    /// A notification mail ([`super::unsubscribe`]) whose recipient stopped its topic is left out; one
    /// that goes out gets the unsubscribe link in its footer.
    pub async fn enqueue<C: ConnectionTrait>(&self, conn: &C, mut mail: OutgoingMail) -> DomainResult<()> {
        if let Some(topic) = super::unsubscribe::MailTopic::of_kind(mail.kind) {
            if super::unsubscribe::stopped(conn, topic, &mail.to).await? {
                tracing::info!(kind = mail.kind, "mail not queued: its recipient unsubscribed from its topic");
                return Ok(());
            }
            let links = self.topic_links(topic, &mail.to);
            super::unsubscribe::add_footer(&mut mail, topic, &links.page);
        }
        let now = Utc::now();
        let id = uuid::Uuid::now_v7();
        mail_outbox::ActiveModel {
            id: Set(id),
            kind: Set(mail.kind.to_owned()),
            to_address: Set(mail.to.to_string()),
            subject: Set(mail.subject),
            text_body: Set(self.seal_body(id, BodyPart::Text, &mail.text)),
            html_body: Set(self.seal_body(id, BodyPart::Html, &mail.html)),
            status: Set(status::PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            priority: Set(mail.class.priority()),
            language: Set(mail.language.as_str().to_owned()),
        }
        .insert(conn)
        .await?;
        self.wake.notify_one();
        Ok(())
    }

    fn opened(&self, row: mail_outbox::Model) -> StoredMail {
        let unreadable = || {
            tracing::warn!(mail = %row.id, "an outbox body could not be opened (another master key?)");
            "[this body could not be opened]".to_owned()
        };
        let text = self.open_body(row.id, BodyPart::Text, &row.text_body).unwrap_or_else(unreadable);
        let html = self.open_body(row.id, BodyPart::Html, &row.html_body).unwrap_or_else(unreadable);
        StoredMail {
            id: row.id,
            kind: row.kind,
            to: row.to_address,
            subject: row.subject,
            text,
            html,
            status: row.status,
            attempts: row.attempts,
            created_at: row.created_at,
            language: row.language,
        }
    }

    /// Mails sent to `address`, newest first, bodies opened. Only the dev outbox ([`DevOutbox`]) and, with
    /// the `test-support` feature, the integration tests may read the outbox this way.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn messages_to(&self, address: &str) -> DomainResult<Vec<StoredMail>> {
        self.read_messages_to(address).await
    }

    /// The newest mails, whoever they went to (see [`Mailer::messages_to`] for who may call this).
    #[cfg(any(test, feature = "test-support"))]
    pub async fn recent(&self, limit: u64) -> DomainResult<Vec<StoredMail>> {
        self.read_recent(limit).await
    }

    async fn read_messages_to(&self, address: &str) -> DomainResult<Vec<StoredMail>> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::ToAddress.eq(address.trim().to_lowercase()))
            .order_by_desc(mail_outbox::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|row| self.opened(row)).collect())
    }

    async fn read_recent(&self, limit: u64) -> DomainResult<Vec<StoredMail>> {
        let rows =
            mail_outbox::Entity::find().order_by_desc(mail_outbox::Column::Id).limit(limit).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| self.opened(row)).collect())
    }

    /// The dev outbox reader: only when no SMTP server is configured, which configuration allows in dev
    /// mode only (production mode requires `smtp_url`). `None` otherwise.
    pub fn dev_outbox(&self) -> Option<DevOutbox<'_>> {
        self.transport.is_dev_outbox().then_some(DevOutbox { mailer: self })
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

/// Reads the outbox with bodies opened: the dev outbox page (dev mode, no SMTP). Obtained from
/// [`Mailer::dev_outbox`] only.
pub struct DevOutbox<'a> {
    mailer: &'a Mailer,
}

impl DevOutbox<'_> {
    /// Mails sent to `address`, newest first.
    pub async fn messages_to(&self, address: &str) -> DomainResult<Vec<StoredMail>> {
        self.mailer.read_messages_to(address).await
    }

    /// The newest `limit` mails, whoever they went to.
    pub async fn recent(&self, limit: u64) -> DomainResult<Vec<StoredMail>> {
        self.mailer.read_recent(limit).await
    }
}
