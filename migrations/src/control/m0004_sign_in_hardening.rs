//! Sign-in hardening (security review H1, H3, M6):
//!
//! - `pending_sign_ins`: a sign-in that passed the password and waits for its second factor lives in the
//!   database, not only in the browser's session, so its wrong-code count is one atomic counter that
//!   concurrent requests cannot race past.
//! - `email_codes.origin`: codes a sign-in asked for (after the password) and codes anybody can request
//!   with "email me a code" are counted and replaced separately, so requesting codes for someone cannot
//!   use up the codes their own sign-in needs.
//! - `auth_sessions.reauth_failures`: wrong passwords typed for re-authentication inside one session; a
//!   few of them end the session.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PendingSignIns {
    Table,
    Id,
    UserId,
    Failures,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailCodes {
    Table,
    Origin,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    ReauthFailures,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingSignIns::Table)
                    .col(pk_uuid(PendingSignIns::Id))
                    .col(uuid(PendingSignIns::UserId))
                    .col(integer(PendingSignIns::Failures))
                    .col(timestamp_with_time_zone(PendingSignIns::CreatedAt))
                    .foreign_key(&mut cascade(
                        (PendingSignIns::Table, PendingSignIns::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("pending_sign_ins_by_user", PendingSignIns::Table, [PendingSignIns::UserId]))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EmailCodes::Table)
                    .add_column(string_len(EmailCodes::Origin, 16).default("sign_in"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthSessions::Table)
                    .add_column(integer(AuthSessions::ReauthFailures).default(0))
                    .to_owned(),
            )
            .await
    }
}
