//! The languages mail is written in (UX3): the same four as the interface. A mail goes out in its
//! recipient's saved language, else in the language of the request that caused it, else English.

/// A language of Strongroom's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    En,
    De,
    Fr,
    Tr,
}

impl Language {
    pub const ALL: [Language; 4] = [Self::En, Self::De, Self::Fr, Self::Tr];

    /// The BCP 47 tag (`Content-Language`, `<html lang>`, the stored value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Tr => "tr",
        }
    }

    /// One of ours, by the primary subtag of a language tag (`de-AT` → German).
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|language| language.as_str() == primary)
    }

    /// A stored value, English when absent or unknown.
    pub fn from_stored(value: Option<&str>) -> Self {
        value.and_then(Self::parse).unwrap_or_default()
    }
}
