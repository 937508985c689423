//! DKIM signatures on the mail we send (UX4), so that receivers can tell it came from the domain it
//! names and was not changed on the way: a DKIM-Signature header over the message's headers and body,
//! made with the operator's private key; receivers check it against the public key published in DNS at
//! `<selector>._domainkey.<domain>`. The signing is lettre's (`dkim` feature), with Ed25519 (RFC 8463)
//! or RSA-SHA256 keys.
//!
//! Everything is checked when the server starts ([`DkimSettings::signer`]): the key must parse, the
//! selector and domain must be DNS names, and the domain must be the sender's or a parent of it, since a
//! signature for another domain does not count for the sender's DMARC policy.

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::HeaderName;
use secrecy::{ExposeSecret as _, SecretString};

/// The headers each signature covers. Relaxed canonicalisation of headers and body, so that relays
/// which re-fold a header or change line-end whitespace do not break it. Not `Content-Type`: lettre
/// writes a multipart mail's `Content-Type` with the body, after signing the headers, so a signature
/// naming it would not verify (the mail signature test saw this); the body hash covers the parts and
/// their boundaries. `List-Unsubscribe` and `List-Unsubscribe-Post` are named in every signature, as
/// RFC 8058 requires of one-click unsubscribing: where a mail has them they are covered, and where it has
/// none, a relay cannot add them without breaking the signature.
const SIGNED_HEADERS: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Language",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// The key's algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DkimAlgorithm {
    /// `ed25519-sha256`: the key file holds the 32-byte private key in base64.
    Ed25519,
    /// `rsa-sha256`: the key file holds a PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`) of at least
    /// 1024 bits (2048 recommended).
    Rsa,
}

impl DkimAlgorithm {
    /// `ed25519` or `rsa`, as written in the configuration.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ed25519" => Some(Self::Ed25519),
            "rsa" => Some(Self::Rsa),
            _ => None,
        }
    }
}

/// The operator's DKIM settings, as configured.
#[derive(Debug, Clone)]
pub struct DkimSettings {
    /// The signing domain (`d=`).
    pub domain: String,
    /// The selector (`s=`): the key is published at `<selector>._domainkey.<domain>`.
    pub selector: String,
    pub algorithm: DkimAlgorithm,
    /// The private key, as read from its file.
    pub key: SecretString,
}

impl DkimSettings {
    /// The signer for mail sent as `from`, or why these settings cannot sign it.
    pub fn signer(&self, from: &lettre::message::Mailbox) -> Result<DkimConfig, String> {
        if !is_dns_name(&self.domain) {
            return Err(format!("dkim.domain: `{}` is not a domain name", self.domain));
        }
        if !is_dns_name(&self.selector) {
            return Err(format!("dkim.selector: `{}` is not a DNS name", self.selector));
        }
        let sender = from.email.domain().to_ascii_lowercase();
        let domain = self.domain.to_ascii_lowercase();
        if sender != domain && !sender.ends_with(&format!(".{domain}")) {
            return Err(format!(
                "dkim.domain: `{domain}` is neither the sender's domain (`{sender}`, mail_from) nor a parent of it"
            ));
        }
        let algorithm = match self.algorithm {
            DkimAlgorithm::Ed25519 => DkimSigningAlgorithm::Ed25519,
            DkimAlgorithm::Rsa => DkimSigningAlgorithm::Rsa,
        };
        let key = DkimSigningKey::new(self.key.expose_secret().trim(), algorithm).map_err(|e| {
            let expected = match self.algorithm {
                DkimAlgorithm::Ed25519 => "the 32-byte Ed25519 private key in base64",
                DkimAlgorithm::Rsa => "an RSA private key in PKCS#1 PEM (`openssl genrsa -traditional 2048`)",
            };
            format!("dkim.key_file: not {expected} ({e})")
        })?;
        let headers = SIGNED_HEADERS.iter().map(|name| HeaderName::new_from_ascii_str(name)).collect();
        let canonicalization =
            DkimCanonicalization { header: DkimCanonicalizationType::Relaxed, body: DkimCanonicalizationType::Relaxed };
        Ok(DkimConfig::new(self.selector.clone(), domain, key, headers, canonicalization))
    }
}

/// Dot-separated labels of letters, digits and inner hyphens, 63 bytes each at most.
fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domain: &str, key: &str) -> DkimSettings {
        DkimSettings {
            domain: domain.into(),
            selector: "mail2026".into(),
            algorithm: DkimAlgorithm::Ed25519,
            key: SecretString::from(key.to_owned()),
        }
    }

    const KEY: &str = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

    #[test]
    /// Proves: UX4
    fn the_signing_domain_must_be_the_senders_or_a_parent_of_it() {
        let from: lettre::message::Mailbox = "Strongroom <no-reply@mail.example.com>".parse().unwrap();
        assert!(settings("mail.example.com", KEY).signer(&from).is_ok());
        assert!(settings("Example.com", KEY).signer(&from).is_ok());
        let other = settings("example.org", KEY).signer(&from).unwrap_err();
        assert!(other.contains("neither the sender's domain"), "{other}");
        assert!(settings("ample.com", KEY).signer(&from).is_err(), "a suffix that is not a parent domain");
        assert!(settings("exa mple.com", KEY).signer(&from).is_err());
    }

    #[test]
    /// Proves: UX4
    fn a_key_that_does_not_parse_is_refused_with_what_was_expected() {
        let from: lettre::message::Mailbox = "no-reply@example.com".parse().unwrap();
        let short = settings("example.com", "c2hvcnQ=").signer(&from).unwrap_err();
        assert!(short.contains("32-byte Ed25519"), "{short}");
        let rsa = DkimSettings { algorithm: DkimAlgorithm::Rsa, ..settings("example.com", KEY) };
        assert!(rsa.signer(&from).unwrap_err().contains("PKCS#1"));
    }
}
