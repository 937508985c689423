//! Workspace DTOs: workspaces, the caller's standing in one, members, invitations, roles, policies,
//! audit entries, notices.

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
            created_at: super::timestamp(workspace.created_at),
        }
    }
}

/// The caller inside a workspace: what the pages need to show or hide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceHomeDto {
    pub workspace: WorkspaceDto,
    pub email: String,
    pub roles: Vec<String>,
    /// Permission keys.
    pub permissions: Vec<String>,
    pub notices: Vec<NoticeDto>,
    pub approval_threshold: String,
    pub currency: String,
    /// A payment problem every page of the workspace shows a banner for (PAY1).
    pub payment: Option<PaymentNotice>,
}

/// Why a workspace's pages carry a payment banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentNotice {
    /// Payment failed; everything works until `until` (RFC 3339, UTC).
    Grace { until: String },
    /// The grace period is over: business writes are refused until it is paid.
    ReadOnly,
}

impl WorkspaceHomeDto {
    pub fn can(&self, permission: model::Permission) -> bool {
        self.permissions.iter().any(|p| p == permission.key())
    }
}

#[cfg(feature = "ssr")]
impl WorkspaceHomeDto {
    pub fn of(
        caller: &domain::workspace::Caller,
        notices: Vec<NoticeDto>,
        threshold: model::Cents,
        currency: String,
    ) -> Self {
        use domain::billing::status::Access;
        Self {
            workspace: WorkspaceDto::from(caller.workspace()),
            email: caller.email().to_string(),
            roles: caller.roles().iter().map(|r| r.name.clone()).collect(),
            permissions: caller.permissions().iter().map(|p| p.key().to_owned()).collect(),
            notices,
            approval_threshold: threshold.format(),
            currency,
            payment: match caller.billing_access() {
                Access::Grace { until } => Some(PaymentNotice::Grace { until: super::timestamp(until) }),
                Access::ReadOnly => Some(PaymentNotice::ReadOnly),
                Access::Full | Access::Free => None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDto {
    pub text: String,
    pub link: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDto {
    pub id: String,
    pub key: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<String>,
    pub holders: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDto {
    pub user: String,
    pub email: String,
    pub joined_at: String,
    /// (key, name) of each role held.
    pub roles: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDto {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersDto {
    pub home: WorkspaceHomeDto,
    pub members: Vec<MemberDto>,
    pub invitations: Vec<InvitationDto>,
    pub roles: Vec<RoleDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDto {
    pub min_password_chars: u32,
    pub two_factor: String,
    pub session_idle_minutes: String,
    pub session_absolute_hours: String,
    pub login_failures: String,
    pub admin_ip_allowlist: String,
    pub approval_threshold: String,
    pub currency: String,
    /// The workspace's time zone, and the zones it may choose from.
    pub time_zone: String,
    pub time_zones: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub changes: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreviewDto {
    pub workspace: String,
    pub email: String,
}
