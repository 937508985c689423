//! The administrator's console: members and invitations, roles, policies, the audit log. Reading the
//! member list is for everyone with `members.view`; every change and the admin pages go through the
//! admin-console area, which applies the workspace's IP allowlist.

// Server functions mirror their forms, one argument per field.
#![allow(clippy::too_many_arguments)]

use crate::dto::{AuditEntryDto, InvitationPreviewDto, MembersDto, PolicyDto, RoleDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth,
    crate::dto::{InvitationDto, MemberDto, timestamp},
    domain::workspace::access::Area,
    domain::workspace::{audit, invitations, members, policies, roles},
    model::Permission,
};

#[cfg(feature = "ssr")]
fn user_id(id: &str) -> Result<domain::ids::UserId, AppError> {
    uuid::Uuid::parse_str(id.trim()).map(Into::into).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn role_dto(role: roles::RoleInfo) -> RoleDto {
    RoleDto {
        id: role.id.to_string(),
        key: role.key,
        name: role.name,
        builtin: role.builtin,
        permissions: role.permissions.iter().map(|p| p.key().to_owned()).collect(),
        holders: role.holders,
    }
}

#[server(prefix = "/rpc", endpoint = "admin/members", input = server_fn::codec::GetUrl)]
pub async fn members_page(slug: String) -> Result<MembersDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::Workspace).await?;
        let members = members::list(&caller)
            .await?
            .into_iter()
            .map(|m| MemberDto {
                user: m.user.to_string(),
                email: m.email,
                joined_at: timestamp(m.joined_at),
                roles: m.roles.into_iter().map(|r| (r.key, r.name)).collect(),
            })
            .collect();
        let invitations = if caller.can(Permission::MembersInvite) {
            invitations::list_open(&caller)
                .await?
                .into_iter()
                .map(|i| InvitationDto {
                    id: i.id.to_string(),
                    email: i.email,
                    roles: i.roles,
                    expires_at: timestamp(i.expires_at),
                })
                .collect()
        } else {
            Vec::new()
        };
        let roles = roles::list(&caller).await?.into_iter().map(role_dto).collect();
        Ok(MembersDto { home: super::workspaces::home(&caller).await?, members, invitations, roles })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/invite")]
pub async fn invite_member(_csrf_token: String, slug: String, email: String, role: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let email = model::EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        let mailer = crate::context::app_context()?.platform.mailer().clone();
        invitations::invite(&caller, &mailer, &email, &[role]).await?;
        leptos_axum::redirect(&format!("/w/{slug}/members?notice=invited"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/invitations/revoke")]
pub async fn revoke_invitation(_csrf_token: String, slug: String, id: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        invitations::revoke(&caller, id).await?;
        leptos_axum::redirect(&format!("/w/{slug}/members"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/members/remove")]
pub async fn remove_member(_csrf_token: String, slug: String, user: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        members::remove(&caller, user_id(&user)?).await?;
        leptos_axum::redirect(&format!("/w/{slug}/members?notice=member_removed"));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Gives (`grant` = "true") or takes away a role from a member.
#[server(prefix = "/rpc", endpoint = "admin/members/role")]
pub async fn change_member_role(
    _csrf_token: String,
    slug: String,
    user: String,
    role: String,
    grant: String,
) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        members::change_role(&caller, user_id(&user)?, &role, grant == "true").await?;
        leptos_axum::redirect(&format!("/w/{slug}/members"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/roles", input = server_fn::codec::GetUrl)]
pub async fn roles_page(slug: String) -> Result<Vec<RoleDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        caller.require(Permission::RolesManage)?;
        Ok(roles::list(&caller).await?.into_iter().map(role_dto).collect())
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
fn permission_set(keys: Option<Vec<String>>) -> Result<std::collections::BTreeSet<Permission>, AppError> {
    keys.unwrap_or_default().iter().map(|k| Permission::from_key(k).ok_or(AppError::BadRequest)).collect()
}

#[server(prefix = "/rpc", endpoint = "admin/roles/create")]
pub async fn create_role(
    _csrf_token: String,
    slug: String,
    name: String,
    permissions: Option<Vec<String>>,
) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        roles::create(&caller, &name, permission_set(permissions)?).await?;
        leptos_axum::redirect(&format!("/w/{slug}/admin/roles"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/roles/update")]
pub async fn update_role(
    _csrf_token: String,
    slug: String,
    id: String,
    name: String,
    permissions: Option<Vec<String>>,
) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        roles::update(&caller, id, &name, permission_set(permissions)?).await?;
        leptos_axum::redirect(&format!("/w/{slug}/admin/roles"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/roles/delete")]
pub async fn delete_role(_csrf_token: String, slug: String, id: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        roles::delete(&caller, id).await?;
        leptos_axum::redirect(&format!("/w/{slug}/admin/roles"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/policies", input = server_fn::codec::GetUrl)]
pub async fn policies_page(slug: String) -> Result<PolicyDto, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let policy = policies::get(&caller).await?;
        Ok(PolicyDto {
            min_password_chars: u32::try_from(policy.min_password_chars).unwrap_or(u32::MAX),
            two_factor: policy.two_factor.as_str().to_owned(),
            session_idle_minutes: policy.session_idle.map(|d| d.num_minutes().to_string()).unwrap_or_default(),
            session_absolute_hours: policy.session_absolute.map(|d| d.num_hours().to_string()).unwrap_or_default(),
            login_failures: policy.login_failures.map(|n| n.to_string()).unwrap_or_default(),
            admin_ip_allowlist: policy.admin_allowlist.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            approval_threshold: policy.approval_threshold.format(),
            currency: policy.currency,
            time_zone: policy.time_zone.name().to_owned(),
            time_zones: domain::zones::Zone::choices().iter().map(|zone| (*zone).to_owned()).collect(),
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "admin/policies/update")]
pub async fn update_policies(
    _csrf_token: String,
    slug: String,
    min_password_chars: String,
    two_factor: String,
    session_idle_minutes: String,
    session_absolute_hours: String,
    login_failures: String,
    admin_ip_allowlist: String,
    approval_threshold: String,
    // Optional, so that a form without it (or an older page) keeps the zone as it is.
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        let input = policies::PolicyInput {
            min_password_chars,
            two_factor,
            session_idle_minutes,
            session_absolute_hours,
            login_failures,
            admin_ip_allowlist,
            approval_threshold,
            time_zone: time_zone.unwrap_or_default(),
        };
        policies::update(&caller, &input).await?;
        leptos_axum::redirect(&format!("/w/{slug}/admin/policies?notice=policies_saved"));
        Ok(())
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub fn audit_filter(actor: &str, action: &str, from: &str, until: &str) -> audit::AuditFilter {
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    };
    audit::AuditFilter {
        actor: Some(actor.to_owned()),
        action: Some(action.to_owned()),
        from: day(from),
        until: day(until).map(|d| d + chrono::Duration::days(1)),
    }
}

/// The audit log, filtered by actor (part of their address), action (or its beginning) and dates
/// (`YYYY-MM-DD`, inclusive).
#[server(prefix = "/rpc", endpoint = "admin/audit", input = server_fn::codec::GetUrl)]
pub async fn audit_log(
    slug: String,
    actor: String,
    action: String,
    from: String,
    until: String,
) -> Result<Vec<AuditEntryDto>, AppError> {
    let result: Result<_, AppError> = async {
        let caller = auth::caller(&slug, Area::AdminConsole).await?;
        Ok(audit::list(&caller, &audit_filter(&actor, &action, &from, &until), 500)
            .await?
            .into_iter()
            .map(|e| AuditEntryDto {
                at: timestamp(e.at),
                actor: e.actor,
                action: e.action,
                object: format!("{} {}", e.object_type, e.object_id),
                changes: e.changes,
                ip: e.ip,
            })
            .collect())
    }
    .await;
    super::finish(result)
}

/// What an invitation link is for (no sign-in needed to see it).
#[server(prefix = "/rpc", endpoint = "invitations/preview", input = server_fn::codec::GetUrl)]
pub async fn invitation_preview(token: String) -> Result<InvitationPreviewDto, AppError> {
    let result: Result<_, AppError> = async {
        let platform = crate::context::app_context()?.platform;
        let invitation = platform.invitation(&token).await?;
        Ok(InvitationPreviewDto { workspace: invitation.workspace.name.to_string(), email: invitation.email })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "invitations/accept")]
pub async fn accept_invitation(_csrf_token: String, token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        let platform = crate::context::app_context()?.platform;
        let ip = auth::request_meta()?.ip.to_string();
        let workspace = platform.accept_invitation(&signed_in, &token, Some(ip)).await?;
        auth::renew_id().await?;
        leptos_axum::redirect(&format!("/w/{}", workspace.slug));
        Ok(())
    }
    .await;
    super::finish(result)
}
