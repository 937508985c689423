//! The audit log becomes a hash chain (AUD1): each new entry gets the next sequence number, the hash of
//! the entry before it and its own hash over its content; `audit_chain_head` holds the newest sequence
//! number and hash (so deleting the newest entries is noticed too) and serialises appends; a retention
//! purge leaves a signed `audit_checkpoints` row so that what remains still verifies. Entries written
//! before this migration stay as they are, outside the chain (counted as unchained by verification).
//! Each entry also records the kind of its actor (user, staff, API token, system).
//!
//! Built-in roles of existing workspaces gain the sales permissions their kind of role has by default
//! (new workspaces are seeded with them).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    ActorKind,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditChainHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    UptoSeq,
    UptoHash,
    Purged,
    CreatedAt,
    Signature,
}

/// The hash the first entry of a chain follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const ROLE_DEFAULTS: [(&str, &str); 5] = [
    ("owner", "customers.view,customers.manage,sales.view,sales.manage,sales.export,contact.reveal,keys.manage"),
    ("admin", "customers.view,customers.manage,sales.view,sales.manage,sales.export,contact.reveal,keys.manage"),
    ("approver", "customers.view,sales.view"),
    ("member", "customers.view,customers.manage,sales.view,sales.manage"),
    ("viewer", "customers.view,sales.view"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let columns = [
            ColumnDef::new(AuditEvents::Seq).big_integer().null().to_owned(),
            ColumnDef::new(AuditEvents::ActorKind).string_len(16).not_null().default("user").to_owned(),
            ColumnDef::new(AuditEvents::PrevHash).string_len(64).null().to_owned(),
            ColumnDef::new(AuditEvents::Hash).string_len(64).null().to_owned(),
        ];
        for mut column in columns {
            manager.alter_table(Table::alter().table(AuditEvents::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("audit_by_seq")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditChainHead::Table)
                    .col(integer(AuditChainHead::Id).primary_key())
                    .col(big_integer(AuditChainHead::Seq))
                    .col(string_len(AuditChainHead::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditChainHead::Table)
                    .columns([AuditChainHead::Id, AuditChainHead::Seq, AuditChainHead::Hash])
                    .values_panic([1.into(), 0i64.into(), GENESIS.into()])
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoints::Table)
                    .col(pk_uuid(AuditCheckpoints::Id))
                    .col(big_integer(AuditCheckpoints::UptoSeq))
                    .col(string_len(AuditCheckpoints::UptoHash, 64))
                    .col(big_integer(AuditCheckpoints::Purged))
                    .col(timestamp_with_time_zone(AuditCheckpoints::CreatedAt))
                    .col(string_len(AuditCheckpoints::Signature, 64))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (role, added) in ROLE_DEFAULTS {
            let sql = format!(
                "UPDATE roles SET permissions = permissions || ',{added}' WHERE builtin = {} AND key = '{role}' \
                 AND permissions NOT LIKE '%customers.view%'",
                if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres { "TRUE" } else { "1" }
            );
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
