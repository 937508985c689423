//! The account's notification mail (UX4): the topics the signed-in address gets or stopped, each with a
//! button to stop or start it (the same setting as the unsubscribe link in such a mail's footer).

use crate::api::SetMailTopic;
use crate::components::{CsrfField, refresh_on_success};
use crate::dto::MailTopicDto;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;

#[component]
pub(super) fn MailTopicsSection(topics: Vec<MailTopicDto>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="mail-topics-title">
            <h2 id="mail-topics-title">{t_string!(i18n, security.mail_heading)}</h2>
            <p class="hint">{t_string!(i18n, security.mail_hint)}</p>
            <ul class="sessions">
                {topics.into_iter().map(|topic| view! { <TopicRow topic/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn TopicRow(topic: MailTopicDto) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetMailTopic>::new();
    refresh_on_success(action.value());
    let words = crate::pages::unsubscribe::topic_words(crate::lang::current(), &topic.topic);
    let (state, button, subscribe) = if topic.subscribed {
        (t_string!(i18n, security.mail_on), t_string!(i18n, security.mail_stop), "no")
    } else {
        (t_string!(i18n, security.mail_off), t_string!(i18n, security.mail_start), "yes")
    };
    let label = format!("{button}: {words}");
    let name = topic.topic.clone();
    view! {
        <li class="session" data-testid="mail-topic" data-topic=name data-subscribed=topic.subscribed.to_string()>
            <span class="session-device">{model::text::capitalise_first(words)}</span>
            <span class="hint">{state}</span>
            <ActionForm action=action attr:class="inline-form">
                <CsrfField/>
                <input type="hidden" name="topic" value=topic.topic.clone()/>
                <input type="hidden" name="subscribe" value=subscribe/>
                <button type="submit" class="link-button" aria-label=label>{button}</button>
            </ActionForm>
        </li>
    }
}
