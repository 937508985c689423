//! Per-purpose keys derived from the master key, and keyed MACs.

use super::MasterKey;
use super::seal::{self, SealError};
use hmac::{Hmac, KeyInit as _, Mac as _};
use secrecy::{ExposeSecret as _, SecretBox};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a derived key is for. Each purpose yields unrelated key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// MACs of emailed one-time codes, so a copy of the database alone does not reveal them.
    EmailCodeMac,
    /// Signs proof-of-work challenges, so the server keeps no state until one is solved.
    ProofOfWork,
    /// Encrypts TOTP secrets at rest (AES-256-GCM).
    TotpSecret,
    /// MACs of TOTP recovery codes (about 50 bits each), so a copy of the database cannot be searched
    /// for them offline.
    RecoveryCodeMac,
    /// Encrypts mail bodies in the outbox (AES-256-GCM), so the links and codes they carry cannot be read
    /// from a copy of the database.
    MailBody,
    /// Signs the CSRF cookie of visitors without a session (signed double-submit cookie).
    CsrfCookie,
    /// Wraps each workspace's random data and index keys (envelope encryption, DATA2), and names the
    /// master key that wrapped them.
    WorkspaceKeyWrap,
    /// Signs the checkpoints a retention purge leaves at the start of a workspace's audit chain.
    AuditCheckpoint,
    /// Wraps the random key of each control-plane backup (OPS1; workspace backups use the workspace's key).
    BackupKeyWrap,
    /// Signs the unsubscribe links of notification mail (UX4), so a link names its address and topic
    /// and cannot be made for another.
    MailUnsubscribe,
}

impl KeyPurpose {
    fn info(self) -> &'static [u8] {
        match self {
            Self::EmailCodeMac => b"strongroom/email-code-mac/v1",
            Self::ProofOfWork => b"strongroom/proof-of-work/v1",
            Self::TotpSecret => b"strongroom/totp-secret/v1",
            Self::RecoveryCodeMac => b"strongroom/recovery-code-mac/v1",
            Self::MailBody => b"strongroom/mail-body/v1",
            Self::CsrfCookie => b"strongroom/csrf-cookie/v1",
            Self::WorkspaceKeyWrap => b"strongroom/workspace-key-wrap/v1",
            Self::AuditCheckpoint => b"strongroom/audit-checkpoint/v1",
            Self::BackupKeyWrap => b"strongroom/backup-key-wrap/v1",
            Self::MailUnsubscribe => b"strongroom/mail-unsubscribe/v1",
        }
    }
}

/// The derived keys, built once at start-up.
pub struct Keys {
    email_code_mac: SecretBox<[u8; 32]>,
    proof_of_work: SecretBox<[u8; 32]>,
    totp_secret: SecretBox<[u8; 32]>,
    recovery_code_mac: SecretBox<[u8; 32]>,
    mail_body: SecretBox<[u8; 32]>,
    csrf_cookie: SecretBox<[u8; 32]>,
    workspace_key_wrap: SecretBox<[u8; 32]>,
    audit_checkpoint: SecretBox<[u8; 32]>,
    backup_key_wrap: SecretBox<[u8; 32]>,
    mail_unsubscribe: SecretBox<[u8; 32]>,
}

impl Keys {
    pub fn derive(master: &MasterKey) -> Self {
        Self {
            email_code_mac: master.derive(KeyPurpose::EmailCodeMac.info()),
            proof_of_work: master.derive(KeyPurpose::ProofOfWork.info()),
            totp_secret: master.derive(KeyPurpose::TotpSecret.info()),
            recovery_code_mac: master.derive(KeyPurpose::RecoveryCodeMac.info()),
            mail_body: master.derive(KeyPurpose::MailBody.info()),
            csrf_cookie: master.derive(KeyPurpose::CsrfCookie.info()),
            workspace_key_wrap: master.derive(KeyPurpose::WorkspaceKeyWrap.info()),
            audit_checkpoint: master.derive(KeyPurpose::AuditCheckpoint.info()),
            backup_key_wrap: master.derive(KeyPurpose::BackupKeyWrap.info()),
            mail_unsubscribe: master.derive(KeyPurpose::MailUnsubscribe.info()),
        }
    }

    fn key(&self, purpose: KeyPurpose) -> &[u8; 32] {
        match purpose {
            KeyPurpose::EmailCodeMac => self.email_code_mac.expose_secret(),
            KeyPurpose::ProofOfWork => self.proof_of_work.expose_secret(),
            KeyPurpose::TotpSecret => self.totp_secret.expose_secret(),
            KeyPurpose::RecoveryCodeMac => self.recovery_code_mac.expose_secret(),
            KeyPurpose::MailBody => self.mail_body.expose_secret(),
            KeyPurpose::CsrfCookie => self.csrf_cookie.expose_secret(),
            KeyPurpose::WorkspaceKeyWrap => self.workspace_key_wrap.expose_secret(),
            KeyPurpose::AuditCheckpoint => self.audit_checkpoint.expose_secret(),
            KeyPurpose::BackupKeyWrap => self.backup_key_wrap.expose_secret(),
            KeyPurpose::MailUnsubscribe => self.mail_unsubscribe.expose_secret(),
        }
    }

    /// HMAC-SHA256 over `parts` (each length-prefixed, so boundaries cannot shift), as hex.
    pub fn mac(&self, purpose: KeyPurpose, parts: &[&[u8]]) -> String {
        mac_hex(self.key(purpose), parts)
    }

    /// Encrypts `plaintext` bound to `context` (the row and column it belongs to).
    pub fn seal(&self, purpose: KeyPurpose, context: &str, plaintext: &[u8]) -> String {
        seal::seal(self.key(purpose), context.as_bytes(), plaintext)
    }

    pub fn open(&self, purpose: KeyPurpose, context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        seal::open(self.key(purpose), context.as_bytes(), sealed)
    }
}

pub fn mac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two MACs (or token hashes) in constant time.
pub fn mac_matches(expected: &str, actual: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    expected.len() == actual.len() && bool::from(expected.as_bytes().ct_eq(actual.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn keys(seed: u8) -> Keys {
        Keys::derive(&MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([seed; 32])).unwrap())
    }

    #[test]
    /// Proves: ID6
    fn purposes_and_master_keys_give_unrelated_macs() {
        let (a, b) = (keys(1), keys(2));
        let m = |k: &Keys, p| k.mac(p, &[b"123456", b"user"]);
        assert_eq!(m(&a, KeyPurpose::EmailCodeMac), m(&keys(1), KeyPurpose::EmailCodeMac));
        assert_ne!(m(&a, KeyPurpose::EmailCodeMac), m(&b, KeyPurpose::EmailCodeMac));
        assert_ne!(m(&a, KeyPurpose::EmailCodeMac), m(&a, KeyPurpose::ProofOfWork));
        assert_ne!(a.mac(KeyPurpose::EmailCodeMac, &[b"ab", b"c"]), a.mac(KeyPurpose::EmailCodeMac, &[b"a", b"bc"]));
    }

    #[test]
    fn constant_time_comparison_agrees_with_equality() {
        assert!(mac_matches("abcd", "abcd"));
        assert!(!mac_matches("abcd", "abce"));
        assert!(!mac_matches("abcd", "abc"));
    }

    #[test]
    /// Proves: ID7
    fn sealed_values_open_only_in_their_context() {
        let k = keys(3);
        let sealed = k.seal(KeyPurpose::TotpSecret, "users:1:totp", b"secret");
        assert_eq!(k.open(KeyPurpose::TotpSecret, "users:1:totp", &sealed).unwrap(), b"secret");
        assert!(k.open(KeyPurpose::TotpSecret, "users:2:totp", &sealed).is_err(), "moved to another row");
        assert!(keys(4).open(KeyPurpose::TotpSecret, "users:1:totp", &sealed).is_err(), "another master key");
        assert_ne!(sealed, k.seal(KeyPurpose::TotpSecret, "users:1:totp", b"secret"), "fresh nonce each time");
    }
}
