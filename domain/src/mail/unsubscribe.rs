//! Unsubscribing from notification mail (UX4). Mail about an account (codes, resets, verification,
//! notices, billing trouble) is required and cannot be stopped; the workspace news that other people
//! cause (invitations, approval requests, decisions on one's requests) each belong to a [`MailTopic`]
//! that its recipient can stop.
//!
//! Such a mail carries a signed link twice: in its footer, opening a page that asks before it acts
//! (mail scanners follow links), and in the `List-Unsubscribe` and `List-Unsubscribe-Post` headers
//! (RFC 8058 one-click: the mail client POSTs to it, without cookies, so the route stands outside the
//! session and CSRF layers and the link's signature is what authorises it). A link names its address
//! and topic and is signed with a key derived from the master key ([`KeyPurpose::MailUnsubscribe`]), so
//! nobody can make one for another address. It has no expiry: an old mail must still work.
//! What is stopped is kept per address in `mail_opt_outs`, and [`Mailer::enqueue`] leaves such mail out.

use super::Language;
use super::outbox::Mailer;
use crate::crypto::{KeyPurpose, mac_matches};
use crate::entities::control::mail_opt_out;
use crate::error::DomainResult;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use model::EmailAddress;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};

/// The page that asks before it unsubscribes (the footer's link).
pub const PAGE_PATH: &str = "/mail/unsubscribe";
/// The one-click address of `List-Unsubscribe` (RFC 8058): POST unsubscribes, GET shows the page.
pub const ONE_CLICK_PATH: &str = "/mail/unsubscribe/one-click";

/// HMAC-SHA256 in hex.
const MAC_HEX_CHARS: usize = 64;

/// A kind of notification mail its recipient can stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTopic {
    /// Invitations to workspaces (to people who may have no account yet).
    Invitations,
    /// "Approval needed" for the approvers of a workspace.
    ApprovalRequests,
    /// "Your request was approved or denied" for whoever asked.
    RequestDecisions,
}

impl MailTopic {
    pub const ALL: [Self; 3] = [Self::Invitations, Self::ApprovalRequests, Self::RequestDecisions];

    /// The topic of a mail kind; `None` for mail that cannot be stopped. An unknown kind has none, so
    /// a new kind of mail is required until somebody gives it a topic (fails closed: it is sent).
    pub fn of_kind(kind: &str) -> Option<Self> {
        match kind {
            "invitation" => Some(Self::Invitations),
            "approval_needed" => Some(Self::ApprovalRequests),
            "request_decided" => Some(Self::RequestDecisions),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitations => "invitations",
            Self::ApprovalRequests => "approval-requests",
            Self::RequestDecisions => "request-decisions",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|topic| topic.as_str() == value)
    }

    /// What the topic is, in words, for the mail's footer.
    fn words(self, language: Language) -> &'static str {
        use super::templates::pick;
        match self {
            Self::Invitations => pick(
                language,
                "invitations to workspaces",
                "Einladungen zu Arbeitsbereichen",
                "invitations à des espaces de travail",
                "çalışma alanı davetleri",
            ),
            Self::ApprovalRequests => pick(
                language,
                "requests for your approval",
                "Genehmigungsanfragen",
                "demandes d’approbation",
                "onay talepleri",
            ),
            Self::RequestDecisions => pick(
                language,
                "decisions on your purchase requests",
                "Entscheidungen über Ihre Bestellanforderungen",
                "décisions sur vos demandes d’achat",
                "satın alma taleplerinizle ilgili kararlar",
            ),
        }
    }
}

/// A verified unsubscribe link: which address, which topic. Made only by [`Mailer::read_unsubscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscription {
    topic: MailTopic,
    address: EmailAddress,
}

impl Unsubscription {
    /// The signed-in person's own address (the account's settings): the session stands for the link.
    pub fn own(signed_in: &crate::identity::SignedIn, topic: MailTopic) -> Self {
        Self { topic, address: signed_in.email.clone() }
    }

    pub fn topic(&self) -> MailTopic {
        self.topic
    }

    /// The address, masked (`j•••@example.com`), to show on the page.
    pub fn masked_address(&self) -> String {
        crate::workspace::sales::mask::email(self.address.as_str())
    }
}

/// The two links a notification mail carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeLinks {
    /// The page that asks first (the footer).
    pub page: String,
    /// The one-click address (`List-Unsubscribe`).
    pub one_click: String,
}

impl Mailer {
    fn unsubscribe_mac(&self, topic: MailTopic, address: &str) -> String {
        self.keys().mac(KeyPurpose::MailUnsubscribe, &[topic.as_str().as_bytes(), address.as_bytes()])
    }

    /// The signed token of the links: base64url of `topic:address`, then the MAC of both in hex (its
    /// fixed length marks where it starts), so the token is made of URL-safe letters only.
    fn unsubscribe_token(&self, topic: MailTopic, to: &EmailAddress) -> String {
        let named = URL_SAFE_NO_PAD.encode(format!("{}:{}", topic.as_str(), to.as_str()));
        format!("{named}{}", self.unsubscribe_mac(topic, to.as_str()))
    }

    /// The links a mail of `kind` to `to` carries; `None` for mail that cannot be stopped.
    pub fn unsubscribe_links(&self, kind: &str, to: &EmailAddress) -> Option<UnsubscribeLinks> {
        Some(self.topic_links(MailTopic::of_kind(kind)?, to))
    }

    /// The links of a mail of `topic` to `to`.
    pub(super) fn topic_links(&self, topic: MailTopic, to: &EmailAddress) -> UnsubscribeLinks {
        let token = self.unsubscribe_token(topic, to);
        UnsubscribeLinks {
            page: self.link(&format!("{PAGE_PATH}?token={token}")),
            one_click: self.link(&format!("{ONE_CLICK_PATH}?token={token}")),
        }
    }

    /// The link's address and topic, if we signed it.
    pub fn read_unsubscribe(&self, token: &str) -> Option<Unsubscription> {
        let token = token.trim();
        let (named, mac) = token.split_at_checked(token.len().checked_sub(MAC_HEX_CHARS)?)?;
        let named = String::from_utf8(URL_SAFE_NO_PAD.decode(named).ok()?).ok()?;
        let (topic, address) = named.split_once(':')?;
        let topic = MailTopic::parse(topic)?;
        if !mac_matches(&self.unsubscribe_mac(topic, address), mac) {
            return None;
        }
        Some(Unsubscription { topic, address: EmailAddress::parse(address).ok()? })
    }

    /// Stops (`false`) or restarts (`true`) the link's topic for its address. Doing it twice is the same
    /// as doing it once.
    #[tracing::instrument(skip_all, fields(topic = unsubscription.topic.as_str(), subscribed))]
    pub async fn set_subscribed(&self, unsubscription: &Unsubscription, subscribed: bool) -> DomainResult<()> {
        let Unsubscription { topic, address } = unsubscription;
        if subscribed {
            mail_opt_out::Entity::delete_many()
                .filter(mail_opt_out::Column::Address.eq(address.as_str()))
                .filter(mail_opt_out::Column::Topic.eq(topic.as_str()))
                .exec(&self.db)
                .await?;
        } else {
            let row = mail_opt_out::ActiveModel {
                address: Set(address.as_str().to_owned()),
                topic: Set(topic.as_str().to_owned()),
                created_at: Set(chrono::Utc::now()),
            };
            mail_opt_out::Entity::insert(row)
                .on_conflict_do_nothing_on([mail_opt_out::Column::Address, mail_opt_out::Column::Topic])
                .exec(&self.db)
                .await?;
        }
        tracing::info!("mail topic {}", if subscribed { "restarted" } else { "stopped" });
        Ok(())
    }

    /// Whether the link's address still gets its topic.
    pub async fn is_subscribed(&self, unsubscription: &Unsubscription) -> DomainResult<bool> {
        Ok(!stopped(&self.db, unsubscription.topic, &unsubscription.address).await?)
    }
}

/// Whether `address` stopped `topic` (read in the transaction the mail is queued in).
pub(super) async fn stopped<C: ConnectionTrait>(
    conn: &C,
    topic: MailTopic,
    address: &EmailAddress,
) -> DomainResult<bool> {
    let rows = mail_opt_out::Entity::find()
        .filter(mail_opt_out::Column::Address.eq(address.as_str()))
        .filter(mail_opt_out::Column::Topic.eq(topic.as_str()))
        .count(conn)
        .await?;
    Ok(rows > 0)
}

/// The footer line of a notification mail: the text body gets the link on a line of its own, the HTML
/// body a link before its end.
pub(super) fn add_footer(mail: &mut super::OutgoingMail, topic: MailTopic, page: &str) {
    let label = match mail.language {
        Language::En => format!("Unsubscribe from {}", topic.words(mail.language)),
        Language::De => format!("{} abbestellen", model::text::capitalise_first(topic.words(mail.language))),
        Language::Fr => format!("Se désabonner des {}", topic.words(mail.language)),
        Language::Tr => {
            format!("{} için e-posta almayı bırakın", model::text::capitalise_first(topic.words(mail.language)))
        }
    };
    mail.text.push_str(&format!("\n{label}:\n{page}\n"));
    let escape = super::templates::escape_html;
    let line = format!(
        "<p style=\"font-size:85%;color:#5b6673\"><a href=\"{}\" style=\"color:#1f3a5f\">{}</a></p>",
        escape(page),
        escape(&label)
    );
    match mail.html.strip_suffix("</body></html>") {
        Some(start) => mail.html = format!("{start}{line}</body></html>"),
        None => mail.html.push_str(&line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_a_kind_and_required_mail_has_none() {
        for (kind, topic) in [
            ("invitation", MailTopic::Invitations),
            ("approval_needed", MailTopic::ApprovalRequests),
            ("request_decided", MailTopic::RequestDecisions),
        ] {
            assert_eq!(MailTopic::of_kind(kind), Some(topic));
            assert_eq!(MailTopic::parse(topic.as_str()), Some(topic));
        }
        for required in ["sign_in_code", "reset_password", "billing_payment_failed", "workspace", ""] {
            assert_eq!(MailTopic::of_kind(required), None, "{required}");
        }
    }
}
