//! A workspace's display name and the short address ("slug") derived from it.

use crate::{Field, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A workspace's display name: trimmed, 2 to 64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub const FIELD: Field = Field::WorkspaceName;
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 64;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let field = Self::FIELD;
        let trimmed = input.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err(ValidationError::Required { field });
        }
        if chars < Self::MIN_CHARS {
            return Err(ValidationError::TooShort { field, min: Self::MIN_CHARS });
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationError::TooLong { field, max: Self::MAX_CHARS });
        }
        if trimmed.chars().any(|c| c.is_control() || is_invisible_format_char(c)) {
            return Err(ValidationError::ForbiddenCharacters { field });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WorkspaceName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WorkspaceName> for String {
    fn from(value: WorkspaceName) -> Self {
        value.0
    }
}

impl fmt::Display for WorkspaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bidirectional overrides and zero-width characters let a name look different from what it is.
fn is_invisible_format_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The address of a workspace (`/w/<slug>`): 3 to 40 of `a-z`, `0-9` and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkspaceSlug(String);

impl WorkspaceSlug {
    pub const FIELD: Field = Field::WorkspaceSlug;
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 40;
    /// Addresses that would be confused with the product's own pages.
    const RESERVED: &'static [&'static str] = &[
        "admin", "api", "app", "assets", "auth", "billing", "help", "login", "logout", "new", "operator", "pkg",
        "settings", "signin", "signup", "static", "status", "support", "www",
    ];

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let field = Self::FIELD;
        let len = input.len();
        if len == 0 {
            return Err(ValidationError::Required { field });
        }
        if len < Self::MIN_CHARS {
            return Err(ValidationError::TooShort { field, min: Self::MIN_CHARS });
        }
        if len > Self::MAX_CHARS {
            return Err(ValidationError::TooLong { field, max: Self::MAX_CHARS });
        }
        let well_formed = input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !input.starts_with('-')
            && !input.ends_with('-')
            && !input.contains("--");
        if !well_formed {
            return Err(ValidationError::ForbiddenCharacters { field });
        }
        if Self::RESERVED.contains(&input) {
            return Err(ValidationError::Reserved { field });
        }
        Ok(Self(input.to_owned()))
    }

    /// Derives an address from a display name: letters of the UI languages (English, German,
    /// French, Turkish) are transliterated, everything else becomes a hyphen. Names that leave
    /// too little (a non-Latin script, say) or a reserved word fall back to [`Self::FALLBACK`], which
    /// the server always completes with a random suffix (`ws-7f3c2a`), so such names never run out.
    pub fn derive_from(name: &WorkspaceName) -> Self {
        let mut slug = String::with_capacity(Self::MAX_CHARS);
        for c in name.as_str().chars().flat_map(char::to_lowercase) {
            match transliterate(c) {
                Some(ascii) => slug.push_str(ascii),
                None if c.is_ascii_alphanumeric() => slug.push(c),
                None => {
                    if !slug.is_empty() && !slug.ends_with('-') {
                        slug.push('-');
                    }
                }
            }
            if slug.len() >= Self::MAX_CHARS {
                break;
            }
        }
        slug.truncate(Self::MAX_CHARS);
        let slug = slug.trim_matches('-');
        Self::parse(slug).unwrap_or_else(|_| Self(Self::FALLBACK.to_owned()))
    }

    /// The start of the address of names that give no readable one; never an address by itself.
    pub const FALLBACK: &'static str = "ws";

    /// Whether this is [`Self::FALLBACK`], which needs a suffix before it is an address.
    pub fn is_fallback(&self) -> bool {
        self.0 == Self::FALLBACK
    }

    /// The same address with a suffix (random, when the plain one is taken: a number would tell how many
    /// workspaces share the name).
    pub fn with_suffix(&self, suffix: &str) -> Self {
        let suffix = format!("-{suffix}");
        let keep = Self::MAX_CHARS - suffix.len();
        let base = self.0.get(..keep.min(self.0.len())).unwrap_or(&self.0).trim_end_matches('-');
        Self(format!("{base}{suffix}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ğ' => "g",
        'ı' | 'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' => "o",
        'œ' => "oe",
        'ş' => "s",
        'ß' => "ss",
        'ü' | 'ù' | 'ú' | 'û' => "u",
        'ÿ' => "y",
        _ => return None,
    })
}

impl TryFrom<String> for WorkspaceSlug {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WorkspaceSlug> for String {
    fn from(value: WorkspaceSlug) -> Self {
        value.0
    }
}

impl fmt::Display for WorkspaceSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug_of(name: &str) -> String {
        WorkspaceSlug::derive_from(&WorkspaceName::parse(name).unwrap()).to_string()
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(WorkspaceName::parse("  Acme  ").unwrap().as_str(), "Acme");
        assert!(matches!(WorkspaceName::parse("   "), Err(ValidationError::Required { .. })));
        assert!(matches!(WorkspaceName::parse("A"), Err(ValidationError::TooShort { min: 2, .. })));
        assert!(WorkspaceName::parse(&"x".repeat(64)).is_ok());
        assert!(matches!(WorkspaceName::parse(&"x".repeat(65)), Err(ValidationError::TooLong { max: 64, .. })));
    }

    #[test]
    /// Proves: WEB6
    fn names_refuse_control_and_invisible_characters() {
        for bad in ["Ac\u{0}me", "Ac\nme", "Acme\u{202E}moc", "Ac\u{200B}me"] {
            assert!(
                matches!(WorkspaceName::parse(bad), Err(ValidationError::ForbiddenCharacters { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn slugs_are_derived_readably() {
        assert_eq!(slug_of("Acme Corp"), "acme-corp");
        assert_eq!(slug_of("  Müller & Söhne GmbH "), "muller-sohne-gmbh");
        assert_eq!(slug_of("Çağdaş Yazılım A.Ş."), "cagdas-yazilim-a-s");
        assert_eq!(slug_of("Straße 42"), "strasse-42");
        assert_eq!(slug_of("東京"), "ws");
        assert_eq!(slug_of("Admin"), "ws");
        assert_eq!(slug_of("--x--"), "ws");
        let long = slug_of(&"abc ".repeat(16));
        assert!(long.len() <= WorkspaceSlug::MAX_CHARS && !long.ends_with('-'), "{long}");
    }

    #[test]
    /// Proves: WEB6
    fn slug_parsing_is_strict() {
        assert!(WorkspaceSlug::parse("acme-corp").is_ok());
        for bad in ["Acme", "acme_corp", "-acme", "acme-", "ac--me", "a.b", "ab", "api"] {
            assert!(WorkspaceSlug::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn suffixes_keep_slugs_valid() {
        let long = WorkspaceSlug::parse(&"a".repeat(40)).unwrap();
        let suffixed = long.with_suffix("7f3c2a");
        assert_eq!(suffixed.as_str().len(), 40);
        assert!(WorkspaceSlug::parse(suffixed.as_str()).is_ok());
        assert_eq!(WorkspaceSlug::parse("acme").unwrap().with_suffix("7f3c2a").as_str(), "acme-7f3c2a");
        let fallback = slug_of("東京");
        assert!(WorkspaceSlug::parse(&fallback).is_err(), "the fallback alone is no address");
        assert!(WorkspaceSlug::parse(&format!("{fallback}-7f3c2a")).is_ok());
    }

    #[test]
    /// Proves: WEB6
    fn serde_goes_through_the_parser() {
        assert!(serde_json::from_str::<WorkspaceName>("\"x\"").is_err());
        assert_eq!(serde_json::from_str::<WorkspaceSlug>("\"acme\"").unwrap().as_str(), "acme");
    }
}
