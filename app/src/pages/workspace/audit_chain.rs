//! On the audit page: whether the log's hash chain holds (checked on the server when the page loads),
//! and each entry's changes as readable before → after lines instead of raw JSON (encrypted values are
//! shown as such, never decrypted here).

use crate::api::audit_chain;
use crate::i18n::td_string;
use crate::lang::fill;
use leptos::prelude::*;

#[component]
pub fn AuditChainStatus(slug: String) -> impl IntoView {
    let chain = Resource::new_blocking(move || slug.clone(), audit_chain);
    let locale = crate::lang::current();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                chain.await.ok().map(|c| {
                    if c.holds {
                        let text = match c.checkpoint {
                            Some(entry) => fill(
                                td_string!(locale, data_keys.chain_holds_after),
                                &[("count", &c.verified), ("entry", &entry)],
                            ),
                            None => fill(td_string!(locale, data_keys.chain_holds), &[("count", &c.verified)]),
                        };
                        view! { <p class="notice ok" role="status" data-testid="audit-chain">{text}</p> }.into_any()
                    } else {
                        let text = fill(
                            td_string!(locale, data_keys.chain_broken),
                            &[("entry", &c.broken_at.unwrap_or_default()), ("reason", &c.reason.unwrap_or_default())],
                        );
                        view! { <p class="notice error" role="alert" data-testid="audit-chain">{text}</p> }.into_any()
                    }
                })
            })}
        </Suspense>
    }
}

/// An entry's changes, one readable line per field.
pub fn readable_changes(changes: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(changes) else {
        return vec![changes.to_owned()];
    };
    let shown = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(key, value)| match value {
            serde_json::Value::Object(side) if side.contains_key("before") || side.contains_key("after") => {
                if side.get("encrypted").and_then(|e| e.as_bool()) == Some(true) {
                    format!("{key}: changed (values encrypted)")
                } else {
                    let before = side.get("before").map(shown).unwrap_or_else(|| "—".to_owned());
                    let after = side.get("after").map(shown).unwrap_or_else(|| "—".to_owned());
                    format!("{key}: {before} → {after}")
                }
            }
            other => format!("{key}: {}", shown(other)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_before_and_after() {
        let lines = readable_changes(
            r#"{"status":{"before":"draft","after":"confirmed"},"email":{"before":"v1.x","after":"v1.y","encrypted":true},"number":3}"#,
        );
        assert_eq!(lines, ["email: changed (values encrypted)", "number: 3", "status: draft → confirmed"]);
        assert_eq!(readable_changes("not json"), ["not json"]);
    }
}
