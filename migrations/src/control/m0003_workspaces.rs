//! Workspace membership in the control plane: who belongs to which workspace (for the switcher, and so
//! that removing a member ends their access at once), invitations, workspace policies, platform roles, and the per-session
//! flag that a workspace policy demands a new password.

use crate::builders::{cascade, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    Administrative,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TenantId,
    Email,
    Roles,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    RevokedAt,
    AcceptedAt,
    AcceptedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WorkspacePolicies {
    Table,
    TenantId,
    MinPasswordChars,
    TwoFactor,
    SessionIdleSecs,
    SessionAbsoluteSecs,
    LoginFailures,
    AdminIpAllowlist,
    ApprovalThresholdCents,
    Currency,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PlatformRole,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    CreatedBy,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    PasswordChangeRequired,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(uuid(Memberships::TenantId))
                    .col(uuid(Memberships::UserId))
                    .col(boolean(Memberships::Administrative).default(false))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .primary_key(Index::create().col(Memberships::TenantId).col(Memberships::UserId))
                    .foreign_key(&mut cascade(
                        (Memberships::Table, Memberships::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .foreign_key(&mut cascade((Memberships::Table, Memberships::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("memberships_by_user", Memberships::Table, [Memberships::UserId])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(pk_uuid(Invitations::Id))
                    .col(uuid(Invitations::TenantId))
                    .col(string_len(Invitations::Email, 320))
                    .col(string_len(Invitations::Roles, 512))
                    .col(string_len_uniq(Invitations::TokenHash, 64))
                    .col(uuid(Invitations::InvitedBy))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(uuid_null(Invitations::AcceptedBy))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .foreign_key(&mut cascade(
                        (Invitations::Table, Invitations::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Kept here, not in the workspace's database, because sign-in (a control-plane matter) must
        // read some of them: the longest minimum password length and the lowest failure threshold.
        manager
            .create_table(
                Table::create()
                    .table(WorkspacePolicies::Table)
                    .col(pk_uuid(WorkspacePolicies::TenantId))
                    .col(integer(WorkspacePolicies::MinPasswordChars))
                    .col(string_len(WorkspacePolicies::TwoFactor, 16))
                    .col(integer_null(WorkspacePolicies::SessionIdleSecs))
                    .col(integer_null(WorkspacePolicies::SessionAbsoluteSecs))
                    .col(integer_null(WorkspacePolicies::LoginFailures))
                    .col(text(WorkspacePolicies::AdminIpAllowlist))
                    .col(big_integer(WorkspacePolicies::ApprovalThresholdCents))
                    .col(string_len(WorkspacePolicies::Currency, 3))
                    .col(timestamp_with_time_zone(WorkspacePolicies::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (WorkspacePolicies::Table, WorkspacePolicies::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len(Users::PlatformRole, 16).default("none"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(Tenants::Table).add_column(uuid_null(Tenants::CreatedBy)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthSessions::Table)
                    .add_column(boolean(AuthSessions::PasswordChangeRequired).default(false))
                    .to_owned(),
            )
            .await
    }
}
