//! Identity DTOs: the signed-in user, sign-in steps, sessions, security events, TOTP enrolment.

use serde::{Deserialize, Serialize};

/// The signed-in user, for the header and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub email: String,
    pub totp_enabled: bool,
    /// (name, path) of each workspace the user belongs to, for the switcher.
    pub workspaces: Vec<(String, String)>,
}

/// Where a sign-in step leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInDto {
    /// Signed in: go to `next` (with a full page load: the session and CSRF token are new).
    SignedIn { next: String },
    /// A second factor is needed: go to the code page.
    SecondFactor,
}

/// What the code page asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorDto {
    EmailCode,
    Totp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    pub id: String,
    pub current: bool,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: String,
    pub device: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventDto {
    pub at: String,
    pub kind: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityOverviewDto {
    pub email: String,
    pub totp_enabled: bool,
    pub recovery_codes_left: u64,
    pub sessions: Vec<SessionDto>,
    pub events: Vec<SecurityEventDto>,
    /// The notification mail this address gets or stopped (UX4).
    pub mail_topics: Vec<super::MailTopicDto>,
    /// The saved time zone; empty: the workspace's (UX3).
    pub time_zone: String,
    pub time_zones: Vec<String>,
}

/// A TOTP enrolment in progress: the secret for typing in, and the QR code as an SVG path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolmentDto {
    pub secret: String,
    pub otpauth_url: String,
    /// Side length of the QR code in modules (quiet zone included).
    pub qr_size: u32,
    /// SVG path data drawing the dark modules, one unit per module.
    pub qr_path: String,
}

/// Words for a security event kind (as the domain's event log names them), in `locale`.
pub fn describe_event(locale: crate::lang::Locale, kind: &str) -> String {
    use crate::i18n::td_string;
    let text = match kind {
        "signed_up" => td_string!(locale, events.signed_up),
        "sign_up_for_existing_address" => td_string!(locale, events.sign_up_for_existing_address),
        "email_verified" => td_string!(locale, events.email_verified),
        "sign_in_succeeded" => td_string!(locale, events.sign_in_succeeded),
        "sign_in_failed" => td_string!(locale, events.sign_in_failed),
        "account_cooldown_started" => td_string!(locale, events.account_cooldown_started),
        "proof_of_work_required" => td_string!(locale, events.proof_of_work_required),
        "code_sent" => td_string!(locale, events.code_sent),
        "code_refused" => td_string!(locale, events.code_refused),
        "code_failed" => td_string!(locale, events.code_failed),
        "password_reset_requested" => td_string!(locale, events.password_reset_requested),
        "password_reset" => td_string!(locale, events.password_reset),
        "password_changed" => td_string!(locale, events.password_changed),
        "totp_enabled" => td_string!(locale, events.totp_enabled),
        "totp_disabled" => td_string!(locale, events.totp_disabled),
        "recovery_code_used" => td_string!(locale, events.recovery_code_used),
        "recovery_codes_regenerated" => td_string!(locale, events.recovery_codes_regenerated),
        "session_ended" => td_string!(locale, events.session_ended),
        "signed_out" => td_string!(locale, events.signed_out),
        "email_change_requested" => td_string!(locale, events.email_change_requested),
        "email_changed" => td_string!(locale, events.email_changed),
        "email_change_undone" => td_string!(locale, events.email_change_undone),
        other => return other.to_owned(),
    };
    text.to_owned()
}

/// A short, readable description of a browser from its user agent ("Firefox on Linux").
pub fn describe_user_agent(user_agent: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_user_agent;

    #[test]
    fn user_agents_are_described_briefly() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(describe_user_agent(chrome), "Chrome on Linux");
        assert_eq!(describe_user_agent("curl/8.0"), "A browser");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_user_agent(iphone), "Safari on iOS");
    }
}
