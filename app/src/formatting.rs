//! Dates and amounts written the way each of the four languages writes them (UX3): `2026-12-01` or
//! `01.12.2026`; `1,234.50 EUR` or `1.234,50 EUR` or `1 234,50 EUR`. The DTOs carry dates as RFC 3339
//! and amounts as decimals grouped the English way (`1,234.50`, `model::Cents::format`), so the server and
//! the browser format them the same way and hydration sees the same text. Pure functions, so the tests below pin every language's shape.

use crate::i18n::Locale;

/// The date part of an RFC 3339 timestamp (`2026-12-01T14:05:09Z`) in `locale`'s order. Anything else
/// is shown as it came.
pub fn format_date(locale: Locale, iso: &str) -> String {
    let (Some(year), Some(month), Some(day)) = (iso.get(0..4), iso.get(5..7), iso.get(8..10)) else {
        return iso.to_owned();
    };
    if iso.as_bytes().get(4) != Some(&b'-') || iso.as_bytes().get(7) != Some(&b'-') {
        return iso.to_owned();
    }
    match locale {
        Locale::en => format!("{year}-{month}-{day}"),
        Locale::de | Locale::tr => format!("{day}.{month}.{year}"),
        Locale::fr => format!("{day}/{month}/{year}"),
    }
}

/// A decimal amount (`1234.50`, `-3.00`, `12`, or as the DTOs carry it, grouped the English way:
/// `1,234.50`) with `locale`'s decimal and grouping separators, followed by the currency code. Anything
/// that is not such a decimal is shown as it came.
pub fn format_amount(locale: Locale, amount: &str, currency: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |rest| ("-", rest));
    let (grouped_whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: String = grouped_whole.chars().filter(|c| *c != ',').collect();
    let well_formed = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && (!grouped_whole.contains(',') || group(&whole, ",") == grouped_whole);
    if !well_formed {
        return format!("{amount} {currency}").trim_end().to_owned();
    }
    let (separator, decimal) = match locale {
        Locale::en => (",", "."),
        Locale::de | Locale::tr => (".", ","),
        // French groups with a narrow no-break space, so an amount never breaks across lines.
        Locale::fr => ("\u{202f}", ","),
    };
    let fraction = if fraction.is_empty() { String::new() } else { format!("{decimal}{fraction}") };
    // A no-break space keeps the code with its number.
    format!("{sign}{}{fraction}\u{a0}{currency}", group(&whole, separator)).trim_end_matches('\u{a0}').to_owned()
}

/// `digits` with `separator` between groups of three, from the right.
fn group(digits: &str, separator: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// A size in bytes, in the unit that keeps it short (`512 B`, `12.3 KB`, `4.5 MB`, `1.2 GB`; powers of
/// 1000), with `locale`'s decimal separator.
pub fn format_bytes(locale: Locale, bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes}\u{a0}B");
    }
    let (mut value, mut unit) = (bytes as f64 / 1000.0, 0);
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let shown = format!("{value:.1}");
    let shown = if locale == Locale::en { shown } else { shown.replace('.', ",") };
    format!("{shown}\u{a0}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_a_short_unit_and_each_language_s_decimal_mark() {
        assert_eq!(format_bytes(Locale::en, 999), "999\u{a0}B");
        assert_eq!(format_bytes(Locale::en, 1000), "1.0\u{a0}KB");
        assert_eq!(format_bytes(Locale::en, 12_345), "12.3\u{a0}KB");
        assert_eq!(format_bytes(Locale::de, 4_500_000), "4,5\u{a0}MB");
        assert_eq!(format_bytes(Locale::fr, 999_960), "1,0\u{a0}MB");
        assert_eq!(format_bytes(Locale::tr, 1_200_000_000), "1,2\u{a0}GB");
    }

    #[test]
    /// Proves: UX3
    fn dates_follow_each_language() {
        let at = "2026-12-01T14:05:09Z";
        assert_eq!(format_date(Locale::en, at), "2026-12-01");
        assert_eq!(format_date(Locale::de, at), "01.12.2026");
        assert_eq!(format_date(Locale::fr, at), "01/12/2026");
        assert_eq!(format_date(Locale::tr, at), "01.12.2026");
        assert_eq!(format_date(Locale::de, "soon"), "soon");
    }

    #[test]
    /// Proves: UX3
    fn amounts_follow_each_language() {
        assert_eq!(format_amount(Locale::en, "1234567.50", "EUR"), "1,234,567.50\u{a0}EUR");
        assert_eq!(format_amount(Locale::de, "1234567.50", "EUR"), "1.234.567,50\u{a0}EUR");
        assert_eq!(format_amount(Locale::fr, "1234.50", "EUR"), "1\u{202f}234,50\u{a0}EUR");
        assert_eq!(format_amount(Locale::tr, "-999.00", "TRY"), "-999,00\u{a0}TRY");
        assert_eq!(format_amount(Locale::en, "12", "USD"), "12\u{a0}USD");
        assert_eq!(format_amount(Locale::de, "100", ""), "100");
        // As the DTOs carry them (`Cents::format`): grouped the English way.
        assert_eq!(format_amount(Locale::de, "1,234,567.50", "EUR"), "1.234.567,50\u{a0}EUR");
        assert_eq!(format_amount(Locale::tr, "-15,000.00", "TRY"), "-15.000,00\u{a0}TRY");
        assert_eq!(format_amount(Locale::en, "950.00", "EUR"), "950.00\u{a0}EUR");
        for odd in ["1,23.00", ",123.00", "12,3456.00"] {
            assert_eq!(format_amount(Locale::de, odd, "EUR"), format!("{odd} EUR"), "{odd}");
        }
        assert_eq!(format_amount(Locale::de, "1e9", "EUR"), "1e9 EUR", "not a decimal: left as it came");
    }
}
