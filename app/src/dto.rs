//! Data sent to the browser. Built from domain types on the server; entities never cross this line.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDto {
    pub slug: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl WorkspaceDto {
    /// The workspace's page.
    pub fn path(&self) -> String {
        format!("/w/{}", self.slug)
    }
}

#[cfg(feature = "ssr")]
impl From<&domain::tenancy::Workspace> for WorkspaceDto {
    fn from(workspace: &domain::tenancy::Workspace) -> Self {
        Self {
            slug: workspace.slug.to_string(),
            name: workspace.name.to_string(),
            created_at: workspace.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// The signed-in user, for the header and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub email: String,
    pub totp_enabled: bool,
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

#[cfg(feature = "ssr")]
pub(crate) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
