//! DKIM (UX4): mail that leaves over SMTP carries a signature that an independent verifier accepts
//! with the public key as it would be published in DNS, and rejects once the mail is changed. The
//! verifier is dkimpy, the Python implementation behind many mail filters (`cargo xtask test` installs
//! it from PyPI with PyNaCl for Ed25519; the DNS answer is given to it, so nothing leaves the machine).
//! Keys are made by the machine's `openssl`, as an operator would make them.

use crate::harness::TestApp;
use crate::smtp_server::local_smtp;
use base64::Engine as _;
use domain::mail::{Language, OutgoingMail, templates};
use model::EmailAddress;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The Python of a venv with dkimpy and PyNaCl.
const DKIMPY_ENV: &str = "STRONGROOM_TEST_DKIMPY";

/// Verifies the message in the file `argv[1]`, answering the one DNS name `argv[2]` with the TXT
/// record `argv[3]`; prints `pass` or `fail`, then the names it was asked for (its log on stderr).
const VERIFY: &str = r#"
import sys, dkim, logging
logging.basicConfig(level=logging.DEBUG)
message = open(sys.argv[1], 'rb').read()
name, record = sys.argv[2].encode(), sys.argv[3].encode()
asked = []
def dns(qname, timeout=5):
    qname = qname if isinstance(qname, bytes) else qname.encode()
    asked.append(qname.decode())
    return record if qname == name else None
verdict = 'pass' if dkim.verify(message, logger=logging.getLogger(), dnsfunc=dns) else 'fail'
print(verdict, ' '.join(asked))
"#;

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().expect("openssl (Debian's package) to make the test keys");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A new key pair in `dir`: the key file Strongroom reads, and the DNS record's `k=` and `p=`.
fn key_pair(dir: &Path, algorithm: &str) -> (std::path::PathBuf, String) {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let key_file = dir.join(format!("{algorithm}.key"));
    match algorithm {
        "ed25519" => {
            let der = dir.join("ed25519.der");
            let der_path = der.display().to_string();
            openssl(&["genpkey", "-algorithm", "ed25519", "-outform", "DER", "-out", &der_path]);
            let private = std::fs::read(&der).unwrap();
            let public = openssl(&["pkey", "-inform", "DER", "-in", &der_path, "-pubout", "-outform", "DER"]);
            // PKCS#8 and SubjectPublicKeyInfo end with the raw 32-byte keys (RFC 8410).
            std::fs::write(&key_file, b64(&private[private.len() - 32..])).unwrap();
            (key_file, format!("v=DKIM1; k=ed25519; p={}", b64(&public[public.len() - 32..])))
        }
        _ => {
            let path = key_file.display().to_string();
            openssl(&["genrsa", "-traditional", "-out", &path, "2048"]);
            let public = openssl(&["rsa", "-in", &path, "-pubout", "-outform", "DER"]);
            (key_file, format!("v=DKIM1; k=rsa; p={}", b64(&public)))
        }
    }
}

/// dkimpy's verdict on `message` with `record` published at `name`, the names it looked up, and its log.
fn verify(python: &str, dir: &Path, message: &str, name: &str, record: &str) -> (String, String, String) {
    let file = dir.join("message.eml");
    std::fs::write(&file, message).unwrap();
    let out = Command::new(python).args(["-c", VERIFY, &file.display().to_string(), name, record]).output().unwrap();
    assert!(out.status.success(), "dkimpy: {}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (verdict, asked) = printed.split_once(' ').unwrap_or((&printed, ""));
    (verdict.to_owned(), asked.to_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Sends `mail` through a server signing with `algorithm` and returns it as the SMTP server got it,
/// with the DNS name and record of its key.
async fn signed_mail(dir: &Path, algorithm: &str, selector: &str, mail: OutgoingMail) -> (String, String, String) {
    let (key_file, record) = key_pair(dir, algorithm);
    let (smtp_url, inbox) = local_smtp();
    let app = TestApp::spawn_with(|raw| {
        raw.smtp_url = Some(secrecy::SecretString::from(smtp_url));
        raw.mail_from = "Strongroom <no-reply@mail.strongroom.test>".into();
        raw.dkim.domain = Some("strongroom.test".into());
        raw.dkim.selector = Some(selector.into());
        raw.dkim.algorithm = Some(algorithm.into());
        raw.dkim.key_file = Some(key_file);
    })
    .await;
    let mailer = app.platform.mailer();
    mailer.enqueue(mailer.db(), mail).await.unwrap();
    mailer.deliver_due().await.unwrap();
    for _ in 0..100 {
        if let Some(message) = inbox.0.lock().unwrap().first() {
            return (message.clone(), format!("{selector}._domainkey.strongroom.test."), record);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail reached the SMTP server");
}

#[tokio::test]
#[ignore = "needs dkimpy: `cargo xtask test` installs it and sets STRONGROOM_TEST_DKIMPY"]
/// Proves: UX4
async fn mail_leaves_with_a_dkim_signature_that_dkimpy_accepts_for_ed25519_and_rsa_keys_and_rejects_once_changed() {
    let python = std::env::var(DKIMPY_ENV).expect("STRONGROOM_TEST_DKIMPY: the Python of a venv with dkimpy");
    for (algorithm, tag) in [("ed25519", "a=ed25519-sha256"), ("rsa", "a=rsa-sha256")] {
        let dir = tempfile::tempdir().unwrap();
        // German, with umlauts in subject and body: the signature must survive the encodings.
        let code = templates::sign_in_code(Language::De, &EmailAddress::parse("pia@example.com").unwrap(), "482913");
        let (message, name, record) = signed_mail(dir.path(), algorithm, &format!("s2026-{algorithm}"), code).await;
        let signature = message
            .split("\r\n")
            .find(|line| line.to_ascii_lowercase().starts_with("dkim-signature:"))
            .unwrap_or_else(|| panic!("{algorithm}: no DKIM-Signature header in:\n{message}"));
        assert!(signature.contains(tag) && signature.contains("d=strongroom.test"), "{signature}");
        assert!(message.contains("Content-Language: de"), "the mail says its language");

        let (verdict, asked, log) = verify(&python, dir.path(), &message, &name, &record);
        assert_eq!(
            verdict, "pass",
            "{algorithm}: dkimpy rejected the signature (asked for {asked}):\n{log}\n{message}"
        );
        assert_eq!(asked, name, "the key was looked up where the operator publishes it");

        // Changed on the way: the code in the body, or the subject.
        let code_changed = message.replace("482913", "999999");
        assert_ne!(code_changed, message);
        assert_eq!(verify(&python, dir.path(), &code_changed, &name, &record).0, "fail", "{algorithm}: body changed");
        let subject_line = message.split("\r\n").find(|line| line.starts_with("Subject:")).unwrap();
        let subject_changed = message.replace(subject_line, "Subject: Ihr Konto wurde gesperrt");
        assert_eq!(verify(&python, dir.path(), &subject_changed, &name, &record).0, "fail", "{algorithm}: subject");
        // Another key published under the name: the signature is not the holder's of that key.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let (_, other_record) = key_pair(&other, algorithm);
        assert_eq!(verify(&python, dir.path(), &message, &name, &other_record).0, "fail", "{algorithm}: other key");
    }
}

#[tokio::test]
#[ignore = "needs dkimpy: `cargo xtask test` installs it and sets STRONGROOM_TEST_DKIMPY"]
/// Proves: UX4
async fn the_one_click_unsubscribe_headers_are_covered_by_the_dkim_signature() {
    let python = std::env::var(DKIMPY_ENV).expect("STRONGROOM_TEST_DKIMPY: the Python of a venv with dkimpy");
    let dir = tempfile::tempdir().unwrap();
    let (to, from) = (EmailAddress::parse("pia@example.com").unwrap(), EmailAddress::parse("ola@example.com").unwrap());
    let invitation = templates::invitation(Language::En, &to, &from, "Acme", "http://x/invite");
    let (message, name, record) = signed_mail(dir.path(), "ed25519", "s2026-list", invitation).await;
    let signature = message
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .split("\r\n")
        .find(|line| line.to_ascii_lowercase().starts_with("dkim-signature:"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no DKIM-Signature header in:\n{message}"));
    let signed = signature.split("h=").nth(1).unwrap().split(';').next().unwrap().replace(' ', "");
    assert!(signed.split(':').any(|h| h == "list-unsubscribe"), "h={signed}");
    assert!(signed.split(':').any(|h| h == "list-unsubscribe-post"), "h={signed}");
    let (verdict, _, log) = verify(&python, dir.path(), &message, &name, &record);
    assert_eq!(verdict, "pass", "{log}\n{message}");
    // A relay that points the one-click address elsewhere breaks the signature.
    let line = message.split("\r\n").find(|line| line.starts_with("List-Unsubscribe:")).expect("the header");
    let redirected = message.replace(line, "List-Unsubscribe: <https://evil.example/unsubscribe>");
    assert_eq!(verify(&python, dir.path(), &redirected, &name, &record).0, "fail", "List-Unsubscribe changed");
}
