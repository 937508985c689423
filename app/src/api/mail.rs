//! Server functions of the unsubscribe page (UX4), opened from the footer of a notification mail. No
//! account and no session: the link's signature decides (`domain::mail::unsubscribe`), and a link that
//! is not ours is "not found". The mail client's one-click POST goes to a plain route instead
//! (`server::routes::unsubscribe`), since it carries no CSRF token. A signed-in person sets the same
//! topics for their own address on the account's settings.

use crate::dto::MailSubscriptionDto;
use crate::error::AppError;
use leptos::prelude::*;

/// The verified link, or "not found".
#[cfg(feature = "ssr")]
fn unsubscription(
    token: &str,
) -> Result<(std::sync::Arc<domain::mail::Mailer>, domain::mail::unsubscribe::Unsubscription), AppError> {
    let mailer = crate::context::app_context()?.platform.mailer().clone();
    let unsubscription = mailer.read_unsubscribe(token).ok_or(AppError::NotFound)?;
    Ok((mailer, unsubscription))
}

/// The link's topic and (masked) address, and whether that address still gets the topic.
#[server(prefix = "/rpc", endpoint = "public/mail-subscription", input = server_fn::codec::GetUrl)]
pub async fn mail_subscription(token: String) -> Result<MailSubscriptionDto, AppError> {
    let result: Result<_, AppError> = async {
        let (mailer, unsubscription) = unsubscription(&token)?;
        Ok(MailSubscriptionDto {
            topic: unsubscription.topic().as_str().to_owned(),
            address: unsubscription.masked_address(),
            subscribed: mailer.is_subscribed(&unsubscription).await?,
        })
    }
    .await;
    super::finish(result)
}

/// Stops (`subscribe` = `no`) or restarts (`yes`) the link's topic, then shows the page again.
#[server(prefix = "/rpc", endpoint = "public/mail-subscription/set")]
pub async fn set_mail_subscription(_csrf_token: String, token: String, subscribe: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        let subscribed = parse_choice(&subscribe)?;
        let (mailer, unsubscription) = unsubscription(&token)?;
        mailer.set_subscribed(&unsubscription, subscribed).await?;
        // The token was verified, so it holds only the characters the link was made of.
        super::redirect_plain_post(&format!("{}?token={}", domain::mail::unsubscribe::PAGE_PATH, token.trim()));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The signed-in person's topics, for the account's settings.
#[cfg(feature = "ssr")]
pub(super) async fn own_topics(
    signed_in: &domain::identity::SignedIn,
) -> Result<Vec<crate::dto::MailTopicDto>, AppError> {
    use domain::mail::unsubscribe::{MailTopic, Unsubscription};
    let mailer = crate::context::app_context()?.platform.mailer().clone();
    let mut topics = Vec::with_capacity(MailTopic::ALL.len());
    for topic in MailTopic::ALL {
        let subscribed = mailer.is_subscribed(&Unsubscription::own(signed_in, topic)).await?;
        topics.push(crate::dto::MailTopicDto { topic: topic.as_str().to_owned(), subscribed });
    }
    Ok(topics)
}

/// Stops (`subscribe` = `no`) or restarts (`yes`) one of the signed-in person's own topics.
#[server(prefix = "/rpc", endpoint = "account/mail-topics")]
pub async fn set_mail_topic(_csrf_token: String, topic: String, subscribe: String) -> Result<(), AppError> {
    let result: Result<_, AppError> = async {
        use domain::mail::unsubscribe::{MailTopic, Unsubscription};
        let signed_in = crate::auth::require().await?;
        let topic = MailTopic::parse(&topic).ok_or(AppError::BadRequest)?;
        let subscribed = parse_choice(&subscribe)?;
        let mailer = crate::context::app_context()?.platform.mailer().clone();
        mailer.set_subscribed(&Unsubscription::own(&signed_in, topic), subscribed).await?;
        leptos_axum::redirect("/account/security?notice=mail_saved");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// `yes` or `no`.
#[cfg(feature = "ssr")]
fn parse_choice(subscribe: &str) -> Result<bool, AppError> {
    match subscribe {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::BadRequest),
    }
}
