//! Delivering queued mails: claim a due mail (a lease, so several servers never send one twice), hand it
//! to the transport, then mark it sent (blanking its bodies) or schedule a retry with growing back-off.
//! Security mail goes before bulk mail.

use super::outbox::{BodyPart, MailSettings, Mailer, status};
use crate::entities::control::mail_outbox;
use crate::error::{DomainError, DomainResult};
use chrono::{Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use secrecy::ExposeSecret as _;
use std::sync::Arc;

/// How long a claimed mail is reserved for the server that claimed it.
const LEASE: Duration = Duration::minutes(5);
/// After this many failed attempts (about a day of back-off) a mail is marked failed.
const MAX_ATTEMPTS: i32 = 30;
/// Mails delivered per pass at most (the worker starts the next pass right away when this many were due).
const BATCH: usize = 20;

pub enum Transport {
    /// No SMTP server configured: mails are filed in the dev outbox.
    DevOutbox,
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        /// Signs every mail when a DKIM key is configured ([`super::dkim`]).
        dkim: Option<Arc<lettre::message::dkim::DkimConfig>>,
    },
}

impl Transport {
    pub(super) fn from_settings(settings: &MailSettings) -> DomainResult<Self> {
        let Some(url) = &settings.smtp_url else { return Ok(Self::DevOutbox) };
        let misconfigured = |what: String| DomainError::Misconfigured(what);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| misconfigured(format!("smtp_url: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = settings.from.parse().map_err(|e| misconfigured(format!("mail_from: {e}")))?;
        let dkim =
            settings.dkim.as_ref().map(|dkim| dkim.signer(&from).map(Arc::new)).transpose().map_err(misconfigured)?;
        Ok(Self::Smtp { transport, from, dkim })
    }

    pub fn is_dev_outbox(&self) -> bool {
        matches!(self, Self::DevOutbox)
    }
}

/// The `Content-Language` header (RFC 3282): the language the mail is written in, so that mail clients
/// and screen readers read it in the right voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentLanguage(pub super::Language);

impl lettre::message::header::Header for ContentLanguage {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        super::Language::parse(value).map(Self).ok_or_else(|| format!("not one of our languages: {value}").into())
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.as_str().to_owned())
    }
}

/// `List-Unsubscribe` (RFC 2369) with the one-click address of a notification mail ([`super::unsubscribe`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUnsubscribe(pub String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let url = value.trim().strip_prefix('<').and_then(|v| v.strip_suffix('>'));
        url.map(|url| Self(url.to_owned())).ok_or_else(|| format!("not <url>: {value}").into())
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the mail client may unsubscribe by
/// a POST to the `List-Unsubscribe` address, without opening a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListUnsubscribePost;

impl lettre::message::header::Header for ListUnsubscribePost {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        (value.trim() == "List-Unsubscribe=One-Click")
            .then_some(Self)
            .ok_or_else(|| format!("not one-click: {value}").into())
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// What one delivery pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Why a mail could not be handed over, and whether trying again can help.
struct SendFailure {
    reason: String,
    permanent: bool,
}

fn backoff(attempts: i32) -> Duration {
    Duration::seconds(30 * 2_i64.pow(attempts.clamp(0, 7) as u32)).min(Duration::hours(1))
}

impl Mailer {
    /// Delivers due mails, at most a batch: each step claims the most urgent due mail (security mail
    /// before bulk mail, then the longest waiting), so a sign-in code queued while a pass is running
    /// still goes before the invitations queued ahead of it. Returns what happened.
    #[tracing::instrument(skip(self))]
    pub async fn deliver_due(&self) -> DomainResult<DeliveryReport> {
        let mut report = DeliveryReport::default();
        let mut skipped = Vec::new();
        for _ in 0..BATCH {
            let now = Utc::now();
            let Some(mail) = mail_outbox::Entity::find()
                .filter(mail_outbox::Column::Status.is_in([status::PENDING, status::SENDING]))
                .filter(mail_outbox::Column::NextAttemptAt.lte(now))
                .filter(mail_outbox::Column::Id.is_not_in(skipped.clone()))
                .order_by_asc(mail_outbox::Column::Priority)
                .order_by_asc(mail_outbox::Column::NextAttemptAt)
                .one(&self.db)
                .await?
            else {
                break;
            };
            // Claim it; another server may have been quicker.
            let claimed = mail_outbox::Entity::update_many()
                .col_expr(mail_outbox::Column::Status, Expr::value(status::SENDING))
                .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now + LEASE))
                .filter(mail_outbox::Column::Id.eq(mail.id))
                .filter(mail_outbox::Column::NextAttemptAt.eq(mail.next_attempt_at))
                .exec(&self.db)
                .await?;
            if claimed.rows_affected != 1 {
                skipped.push(mail.id);
                continue;
            }
            self.deliver_claimed(&mail, &mut report).await?;
        }
        Ok(report)
    }

    async fn deliver_claimed(&self, mail: &mail_outbox::Model, report: &mut DeliveryReport) -> DomainResult<()> {
        let outcome = self.send(mail).await;
        let attempts = mail.attempts + 1;
        let mut update = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
            .filter(mail_outbox::Column::Id.eq(mail.id));
        match outcome {
            Ok(final_status) => {
                report.delivered += 1;
                update = update
                    .col_expr(mail_outbox::Column::Status, Expr::value(final_status))
                    .col_expr(mail_outbox::Column::SentAt, Expr::value(Some(Utc::now())))
                    .col_expr(mail_outbox::Column::LastError, Expr::value(Option::<String>::None));
                if final_status == status::SENT {
                    // It has left: nothing of it needs to stay readable, sealed or not.
                    update = update
                        .col_expr(mail_outbox::Column::TextBody, Expr::value(""))
                        .col_expr(mail_outbox::Column::HtmlBody, Expr::value(""));
                }
            }
            Err(failure) => {
                let give_up = failure.permanent || attempts >= MAX_ATTEMPTS;
                let error = failure.reason;
                tracing::warn!(mail = %mail.id, attempts, give_up, %error, "mail delivery failed");
                if give_up {
                    report.failed += 1;
                } else {
                    report.retrying += 1;
                }
                update = update
                    .col_expr(
                        mail_outbox::Column::Status,
                        Expr::value(if give_up { status::FAILED } else { status::PENDING }),
                    )
                    .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(Utc::now() + backoff(attempts)))
                    .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)));
            }
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    async fn send(&self, mail: &mail_outbox::Model) -> Result<&'static str, SendFailure> {
        match &self.transport {
            Transport::DevOutbox => Ok(status::DEV_OUTBOX),
            Transport::Smtp { transport, from, dkim } => {
                let permanent = |reason: String| SendFailure { reason, permanent: true };
                let text = self.open_body(mail.id, BodyPart::Text, &mail.text_body);
                let html = self.open_body(mail.id, BodyPart::Html, &mail.html_body);
                let (Some(text), Some(html)) = (text, html) else {
                    return Err(permanent("the sealed body could not be opened (another master key?)".into()));
                };
                let to: Mailbox = mail.to_address.parse().map_err(|e| permanent(format!("recipient: {e}")))?;
                let mut message = Message::builder()
                    .from(from.clone())
                    .to(to.clone())
                    .subject(&mail.subject)
                    .message_id(Some(format!("<{}@strongroom>", mail.id)))
                    .header(ContentLanguage(super::Language::from_stored(Some(&mail.language))));
                let address = model::EmailAddress::parse(to.email.as_ref()).ok();
                if let Some(links) = address.and_then(|address| self.unsubscribe_links(&mail.kind, &address)) {
                    message = message.header(ListUnsubscribe(links.one_click)).header(ListUnsubscribePost);
                }
                let message = message
                    .multipart(MultiPart::alternative_plain_html(text, html))
                    .map_err(|e| permanent(format!("building the message: {e}")))?;
                let message = match dkim {
                    // An RSA signature is a few milliseconds of CPU: off the executor.
                    Some(dkim) => {
                        let dkim = Arc::clone(dkim);
                        tokio::task::spawn_blocking(move || {
                            let mut message = message;
                            message.sign(&dkim);
                            message
                        })
                        .await
                        .map_err(|e| SendFailure { reason: format!("signing: {e}"), permanent: false })?
                    }
                    None => message,
                };
                transport.send(message).await.map_err(|e| SendFailure { reason: e.to_string(), permanent: false })?;
                Ok(status::SENT)
            }
        }
    }

    /// Runs delivery passes until the process ends: right after a mail is queued, and every few seconds
    /// for retries.
    pub fn spawn_worker(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.deliver_due().await {
                    Ok(report) if report.delivered + report.retrying + report.failed >= BATCH => {
                        tracing::debug!(?report, "mail delivery pass; more are due");
                        continue;
                    }
                    Ok(report) if report != DeliveryReport::default() => tracing::debug!(?report, "mail delivery pass"),
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "mail delivery pass failed"),
                }
                if tokio::time::timeout(std::time::Duration::from_secs(5), self.wake.notified()).await.is_ok() {
                    // Woken by a mail being queued, possibly inside a transaction: let it commit first.
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: UX4
    fn backoff_grows_then_caps_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(2), Duration::seconds(120));
        assert_eq!(backoff(20), Duration::hours(1));
    }
}
