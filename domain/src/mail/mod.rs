//! Mail: a persistent outbox and its delivery.
//!
//! Code that decides to send a mail only inserts it into the `mail_outbox` table (in the same
//! transaction as the change it reports, where there is one). A delivery worker sends due mails over
//! SMTP with retries and growing back-off, so an SMTP outage delays mail but loses none. Without SMTP
//! configured, delivery files mails into the dev outbox (the same table, marked delivered), which a
//! dev-only page ([`DevOutbox`]) and the tests (`test-support` feature) read.
//!
//! Bodies are sealed at rest and blanked after SMTP delivery (no live link or code can be read from a
//! copy of the database); security mail is delivered before bulk mail ([`MailClass`]); delivered and
//! failed rows are purged by [`crate::retention`].
//!
//! - [`templates`]: the mails we send, each with a plain-text and an HTML body; [`billing_mail`]: billing's.
//! - [`outbox`]: enqueueing and reading.
//! - [`delivery`]: the worker and the transports; [`dkim`]: the signatures on what leaves over SMTP.
//! - [`unsubscribe`]: the topics of notification mail, their signed links, and who stopped which.

pub mod billing_mail;
mod delivery;
pub mod dkim;
mod language;
mod outbox;
pub mod templates;
pub mod unsubscribe;

pub use delivery::{DeliveryReport, Transport};
pub use language::Language;
pub use outbox::{DevOutbox, MailClass, MailSettings, Mailer, OutgoingMail, StoredMail};
pub(crate) use outbox::{OUTBOX_DONE_STATUSES, OUTBOX_FAILED};
