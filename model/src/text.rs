//! Comparing user text without regard to case, correctly for Turkish (UX3).
//!
//! Turkish has a dotted and a dotless i: `İ`/`i` and `I`/`ı` are two letter pairs. The language-neutral
//! `to_lowercase` folds `I` to `i` and `İ` to `i̇` (i + combining dot), so Turkish text compared that way
//! matches the wrong words and misses the right ones.

/// `text` folded for comparison: Turkish rules when `turkish`, else the language-neutral ones.
pub fn fold_case(text: &str, turkish: bool) -> String {
    if !turkish {
        return text.to_lowercase();
    }
    text.chars()
        .flat_map(|c| match c {
            'I' => vec!['ı'],
            'İ' => vec!['i'],
            c => c.to_lowercase().collect(),
        })
        .collect()
}

/// Whether two names are the same ignoring case, under the neutral rules or the Turkish ones. Used
/// where names must not be confusable (a workspace's role names, whatever language its people use):
/// `ISPARTA` matches both `isparta` and `ısparta`, and `İstanbul` matches `istanbul`.
pub fn same_ignoring_case(a: &str, b: &str) -> bool {
    fold_case(a, false) == fold_case(b, false) || fold_case(a, true) == fold_case(b, true)
}

/// `text` with its first letter in upper case (language-neutral rules), for words that start a sentence.
pub fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: UX3
    fn turkish_folding_keeps_dotted_and_dotless_i_apart() {
        assert_eq!(fold_case("ISPARTA", true), "ısparta");
        assert_eq!(fold_case("İSTANBUL", true), "istanbul");
        assert_ne!(fold_case("İSTANBUL", false), "istanbul", "the neutral rules leave a combining dot");
        assert!(same_ignoring_case("İstanbul", "istanbul"));
        assert!(same_ignoring_case("ISPARTA", "ısparta"));
        assert!(same_ignoring_case("ISPARTA", "isparta"));
        assert!(same_ignoring_case("Muhasebe Müdürü", "MUHASEBE MÜDÜRÜ"));
        assert!(!same_ignoring_case("Kayıt", "Kayit"));
    }
}
