//! The workspace's side of the cross-database rule (see `domain::workspace::control_changes`): control-plane
//! changes that a committed workspace transaction still owes the control plane. Also a unique index on
//! role names, case-insensitively, so two roles can never share a name, however they were made.

use crate::builders::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PendingControlChanges {
    Table,
    Id,
    Kind,
    Payload,
    CreatedAt,
    AppliedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingControlChanges::Table)
                    .col(pk_uuid(PendingControlChanges::Id))
                    .col(string_len(PendingControlChanges::Kind, 48))
                    .col(text(PendingControlChanges::Payload))
                    .col(timestamp_with_time_zone(PendingControlChanges::CreatedAt))
                    .col(timestamp_with_time_zone_null(PendingControlChanges::AppliedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "pending_control_changes_applied_at",
                PendingControlChanges::Table,
                [PendingControlChanges::AppliedAt],
            ))
            .await?;
        // Roles that already share a name (case-insensitively) keep it, with their id's start appended.
        let db = manager.get_connection();
        let id_text = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => "lower(hex(id))",
            _ => "CAST(id AS TEXT)",
        };
        let other_id_text = id_text.replace("id", "other.id");
        db.execute_unprepared(&format!(
            "UPDATE roles SET name = name || ' ' || substr({id_text}, 1, 8) \
             WHERE builtin = false AND EXISTS (SELECT 1 FROM roles other WHERE lower(other.name) = lower(roles.name) \
             AND (other.builtin = true OR other.created_at < roles.created_at \
             OR (other.created_at = roles.created_at AND {other_id_text} < {id_text})))"
        ))
        .await?;
        db.execute_unprepared("CREATE UNIQUE INDEX roles_name_unique ON roles (lower(name))").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX roles_name_unique").await?;
        manager.drop_table(Table::drop().table(PendingControlChanges::Table).to_owned()).await
    }
}
