//! No card data ever touches Strongroom (PAY1): no form, entity, DTO, migration or log line in the
//! sources has a field for a card number, a CVC or an expiry date. Payments happen on the provider's
//! page; we keep only its references, and of a card only the brand and last four digits it reports.

use std::path::{Path, PathBuf};

/// Field names (normalised: lowercase, no `_`/`-`) that would hold card data.
const FORBIDDEN: &[&str] = &[
    "cardnumber",
    "cardno",
    "pan\"",
    "cvc",
    "cvv",
    "cvn",
    "securitycode",
    "cardcode",
    "expmonth",
    "expyear",
    "expirymonth",
    "expiryyear",
    "expiremonth",
    "expireyear",
    "expirationdate",
    "cardexpiry",
    "cardexpiration",
    "cardholdername",
    "ccnumber",
    "ccexp",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "ts" || e == "css" || e == "toml") {
            out.push(path);
        }
    }
}

#[test]
/// Proves: PAY1
fn no_form_entity_dto_or_log_line_has_a_field_for_card_details() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for dir in ["app/src", "domain/src", "model/src", "server/src", "migrations/src", "frontend/src", "end2end/tests"] {
        let dir = root.join(dir);
        if dir.exists() {
            sources(&dir, &mut files);
        }
    }
    assert!(files.len() > 50, "the scan found the sources: {}", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let normalised: String = line.to_lowercase().chars().filter(|c| *c != '_' && *c != '-').collect();
            for word in FORBIDDEN {
                if normalised.contains(word) {
                    found.push(format!("{}:{}: {word}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "card data fields found:\n{}", found.join("\n"));
}
