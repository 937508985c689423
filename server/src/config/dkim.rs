//! The `[dkim]` table: the key that signs outgoing mail (UX4). All of `domain`, `selector` and
//! `key_file` or none; the key is read and parsed at start, and the domain must be the sender's
//! (`mail_from`) or a parent of it ([`domain::mail::dkim::DkimSettings::signer`]), so a key that could
//! not sign is found before the first mail. Environment: `STRONGROOM_DKIM__DOMAIN` and so on.

use domain::mail::dkim::{DkimAlgorithm, DkimSettings};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDkim {
    /// The signing domain (`d=`), e.g. `example.com` for mail from `no-reply@example.com`.
    pub domain: Option<String>,
    /// The selector (`s=`): the public key is published as a TXT record at `<selector>._domainkey.<domain>`.
    pub selector: Option<String>,
    /// `ed25519` [default] or `rsa`.
    pub algorithm: Option<String>,
    /// The private key: for Ed25519 the 32-byte key in base64, for RSA a PKCS#1 PEM.
    pub key_file: Option<PathBuf>,
}

impl RawDkim {
    /// The settings, `None` when DKIM is not configured; problems go to `problems`.
    pub fn resolve(&self, from: &str, smtp: bool, problems: &mut Vec<String>) -> Option<DkimSettings> {
        let (domain, selector, key_file) = match (&self.domain, &self.selector, &self.key_file) {
            (None, None, None) if self.algorithm.is_none() => return None,
            (Some(domain), Some(selector), Some(key_file)) => (domain, selector, key_file),
            _ => {
                problems.push("dkim: set domain, selector and key_file together (or none of them)".into());
                return None;
            }
        };
        if !smtp {
            problems.push(
                "dkim: mail is signed as it leaves over SMTP; set smtp_url (the dev outbox signs nothing)".into(),
            );
        }
        let Some(algorithm) = DkimAlgorithm::parse(self.algorithm.as_deref().unwrap_or("ed25519")) else {
            problems.push("dkim.algorithm: `ed25519` or `rsa`".into());
            return None;
        };
        let key = match std::fs::read_to_string(key_file) {
            Ok(key) => SecretString::from(key),
            Err(e) => {
                problems.push(format!("dkim.key_file: {}: {e}", key_file.display()));
                return None;
            }
        };
        let settings = DkimSettings { domain: domain.clone(), selector: selector.clone(), algorithm, key };
        let from = from.parse::<lettre::message::Mailbox>().ok()?;
        match settings.signer(&from) {
            Ok(_) => Some(settings),
            Err(problem) => {
                problems.push(problem);
                None
            }
        }
    }
}
