//! Fails the build when the languages' catalogues (`locales/*.json`) do not have exactly the same keys.
//! `leptos_i18n` checks that every key used in the code exists, but only warns about a key that one
//! language lacks (and then shows the English text): here that is an error, so no page can ship with a
//! sentence left in English (UX3).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Catalogue = BTreeMap<String, String>;

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Catalogue) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&path, value, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.as_str().unwrap_or_default().to_owned());
        }
    }
}

fn catalogue(dir: &Path, lang: &str) -> Catalogue {
    let path = dir.join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Catalogue::new();
    flatten("", &value, &mut out);
    out
}

/// The `{name}` placeholders of a text (filled in by `lang::fill`).
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name).collect()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let english = catalogue(&dir, "en");
    let mut problems = Vec::new();
    for lang in ["de", "fr", "tr"] {
        let other = catalogue(&dir, lang);
        for (key, text) in &english {
            match other.get(key) {
                None => problems.push(format!("locales/{lang}.json lacks \"{key}\"")),
                Some(translated) if placeholders(translated) != placeholders(text) => problems.push(format!(
                    "locales/{lang}.json: \"{key}\" has the placeholders {:?}, English has {:?}",
                    placeholders(translated),
                    placeholders(text)
                )),
                Some(translated) if translated.trim().is_empty() => {
                    problems.push(format!("locales/{lang}.json: \"{key}\" is empty"));
                }
                Some(_) => {}
            }
        }
        for extra in other.keys().filter(|key| !english.contains_key(*key)) {
            problems.push(format!("locales/{lang}.json has \"{extra}\", which locales/en.json does not"));
        }
    }
    assert!(problems.is_empty(), "the language catalogues differ:\n  {}", problems.join("\n  "));
}
