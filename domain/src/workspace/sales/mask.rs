//! Masking (DATA3): how contact data is shown to everyone by default. Masked values keep just enough to
//! tell records apart (`j•••@example.com`, `+49 ••• ••• 12`); an address shows nothing but its length class.
//! Masking happens on the server: the clear value never leaves it unless revealed ([`super::reveal`]).

/// Which contact field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactField {
    Email,
    Phone,
    Address,
}

impl ContactField {
    pub const ALL: [ContactField; 3] = [Self::Email, Self::Phone, Self::Address];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Address => "address",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value.trim())
    }

    pub fn mask(self, value: &str) -> String {
        match self {
            Self::Email => email(value),
            Self::Phone => phone(value),
            Self::Address => address(value),
        }
    }
}

const DOTS: &str = "•••";

pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{DOTS}@{domain}")
        }
        None => DOTS.to_owned(),
    }
}

pub fn phone(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits.iter().skip(digits.len().saturating_sub(2)).collect();
    let prefix: String = if value.trim_start().starts_with('+') {
        let country: String = value.trim_start().chars().skip(1).take_while(char::is_ascii_digit).take(3).collect();
        // A country code of more than 3 digits is not one: then only "+" is kept.
        if country.len() < digits.len().saturating_sub(2) { format!("+{country} ") } else { "+".to_owned() }
    } else {
        String::new()
    };
    format!("{prefix}{DOTS} {DOTS} {last}")
}

pub fn address(_value: &str) -> String {
    format!("{DOTS} {DOTS} {DOTS}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: DATA3
    fn masks_keep_only_a_hint() {
        assert_eq!(email("jane.doe@example.com"), "j•••@example.com");
        assert_eq!(phone("+49 170 1234512"), "+49 ••• ••• 12");
        assert_eq!(phone("0170 1234512"), "••• ••• 12");
        assert_eq!(address("Hauptstraße 1\n10115 Berlin"), "••• ••• •••");
        for (field, value) in [
            (ContactField::Email, "jane.doe@example.com"),
            (ContactField::Phone, "+49 170 1234512"),
            (ContactField::Address, "Hauptstraße 1, Berlin"),
        ] {
            let masked = field.mask(value);
            assert!(!masked.contains("doe") && !masked.contains("1234") && !masked.contains("Berlin"), "{masked}");
        }
    }
}
