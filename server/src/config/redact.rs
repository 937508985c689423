//! How `check-config` shows secrets: not at all. Secret settings print as `<redacted>`; URLs that may
//! carry a password (database servers) keep their shape, with the password and any password-like query
//! parameter replaced, so an operator can still see which server is meant.

use secrecy::SecretString;
use serde::Serialize as _;
use url::Url;

pub const REDACTED: &str = "<redacted>";

pub fn secret<S: serde::Serializer>(value: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    value.as_ref().map(|_| REDACTED).serialize(s)
}

pub fn secrets<S: serde::Serializer>(value: &[SecretString], s: S) -> Result<S::Ok, S::Error> {
    vec![REDACTED; value.len()].serialize(s)
}

pub fn url<S: serde::Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    value.as_deref().map(redact_url).serialize(s)
}

/// `postgres://sr:hunter2@db/x?sslpassword=y` → `postgres://sr:redacted@db/x?sslpassword=redacted`. A URL
/// that does not parse is hidden whole (it may still hold a password).
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw) else { return REDACTED.to_owned() };
    if url.password().is_some() && url.set_password(Some("redacted")).is_err() {
        return REDACTED.to_owned();
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let secret = ["pass", "secret", "key", "token"].iter().any(|s| name.to_ascii_lowercase().contains(s));
                (name.into_owned(), if secret { "redacted".to_owned() } else { value.into_owned() })
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_replaced_and_the_rest_kept() {
        assert_eq!(redact_url("postgres://sr:hunter2@db/strongroom"), "postgres://sr:redacted@db/strongroom");
        assert_eq!(
            redact_url("postgres://sr@db/strongroom?sslpassword=hunter2&sslmode=require"),
            "postgres://sr@db/strongroom?sslpassword=redacted&sslmode=require"
        );
        assert_eq!(redact_url("sqlite://data/control.db?mode=rwc"), "sqlite://data/control.db?mode=rwc");
        assert_eq!(redact_url("not a url :hunter2@"), REDACTED);
    }
}
