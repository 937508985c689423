//! The unsubscribe page (UX4), opened from the footer of a notification mail: it says which mails to
//! which (masked) address, and stops them only when asked (mail scanners follow links, so opening the
//! page changes nothing); once stopped it offers to start them again. A link that is not ours shows one
//! message, with status 404.

use crate::api::{SetMailSubscription, mail_subscription};
use crate::components::{CsrfField, InvalidLink, form_error};
use crate::dto::MailSubscriptionDto;
use crate::i18n::{t_string, use_i18n};
use crate::lang::{self, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A topic, in words.
pub(crate) fn topic_words(locale: Locale, topic: &str) -> &'static str {
    use crate::i18n::td_string;
    match topic {
        "invitations" => td_string!(locale, unsubscribe.topic_invitations),
        "approval-requests" => td_string!(locale, unsubscribe.topic_approval_requests),
        _ => td_string!(locale, unsubscribe.topic_request_decisions),
    }
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let action = ServerAction::<SetMailSubscription>::new();
    let data =
        Resource::new_blocking(move || (token.get(), action.version().get()), |(token, _)| mail_subscription(token));
    view! {
        <Title text=t_string!(i18n, unsubscribe.title)/>
        <Suspense fallback=move || view! { <p class="card">{t_string!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(subscription) => view! { <Choice subscription token=token.get_untracked() action/> }.into_any(),
                    Err(_) => view! {
                        <InvalidLink testid="unsubscribe-invalid" title=t_string!(i18n, unsubscribe.title)
                            text=t_string!(i18n, unsubscribe.invalid)/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Choice(
    subscription: MailSubscriptionDto,
    token: String,
    action: ServerAction<SetMailSubscription>,
) -> impl IntoView {
    let i18n = use_i18n();
    let words = topic_words(lang::current(), &subscription.topic);
    let fill = |text: &str| lang::fill(text, &[("topic", &words), ("address", &subscription.address)]);
    let value = action.value();
    let (heading, text, button, subscribe, state) = if subscription.subscribed {
        (
            t_string!(i18n, unsubscribe.heading_stop),
            fill(t_string!(i18n, unsubscribe.text_stop)),
            t_string!(i18n, unsubscribe.stop),
            "no",
            "subscribed",
        )
    } else {
        (
            t_string!(i18n, unsubscribe.heading_stopped),
            fill(t_string!(i18n, unsubscribe.text_stopped)),
            t_string!(i18n, unsubscribe.start),
            "yes",
            "unsubscribed",
        )
    };
    view! {
        <section class="card narrow" data-testid="unsubscribe" data-state=state>
            <h1>{heading}</h1>
            <p>{text}</p>
            <p>{t_string!(i18n, unsubscribe.required_still_come)}</p>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="subscribe" value=subscribe/>
                <p class="field-error" role="alert">{move || form_error(value, &[]).get()}</p>
                <button type="submit">{button}</button>
            </ActionForm>
        </section>
    }
}
