//! Copies of backups opened beside live for a workspace's administrators (OPS2), which describe
//! themselves: the copy's file name (SQLite) or its database's comment (PostgreSQL) says whose it is,
//! which backup it shows and when it was opened. So nothing about them is kept in a server's memory: a
//! restarted server finds them, so does another server on the same PostgreSQL, and whichever server
//! sweeps removes those past [`COPY_KEPT`]. Operators' copies (`strongroom backup restore --beside`)
//! are named otherwise and are never among them.

use super::Backups;
use super::restore::{CopyAt, CopyPlace, RestoredCopy, read_only_sqlite_url};
use crate::error::DomainResult;
use crate::ids::TenantId;
use crate::tenancy::TenantPlacement;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use uuid::Uuid;

/// How long a copy opened beside live is kept before it is removed.
pub const COPY_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// What a copy opened beside live says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyLabel {
    pub tenant: Uuid,
    pub backup: Uuid,
    /// The moment the copy shows.
    pub taken_at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
}

impl CopyLabel {
    /// When it is removed (unless closed or replaced before).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.opened_at + COPY_KEPT
    }

    /// The SQLite file name: `<tenant>-<backup>-<taken at>-<opened at>.db` (ids in hex, times in
    /// milliseconds since 1970).
    fn file_name(&self) -> String {
        let (taken, opened) = (self.taken_at.timestamp_millis(), self.opened_at.timestamp_millis());
        format!("{}-{}-{taken}-{opened}.db", self.tenant.simple(), self.backup.simple())
    }

    fn from_file_name(name: &str) -> Option<Self> {
        let parts: Vec<&str> = name.strip_suffix(".db")?.split('-').collect();
        let [tenant, backup, taken, opened] = parts[..] else { return None };
        Some(Self {
            tenant: Uuid::parse_str(tenant).ok()?,
            backup: Uuid::parse_str(backup).ok()?,
            taken_at: DateTime::from_timestamp_millis(taken.parse().ok()?)?,
            opened_at: DateTime::from_timestamp_millis(opened.parse().ok()?)?,
        })
    }
}

/// The PostgreSQL database comment's format name.
const NOTE_KIND: &str = "strongroom-copy-beside-live";

#[derive(Serialize, Deserialize)]
struct Note {
    kind: String,
    #[serde(flatten)]
    label: CopyLabel,
}

/// A copy opened beside live, found where copies are kept.
#[derive(Debug, Clone)]
pub struct PageCopy {
    pub label: CopyLabel,
    pub copy: RestoredCopy,
}

impl Backups {
    /// Where the SQLite copies opened beside live are kept.
    fn page_copies_dir(&self) -> PathBuf {
        self.restored_dir().join("page")
    }

    /// Restores the workspace's backup `backup` beside live as its administrators' copy, labelled.
    pub async fn open_page_copy(
        &self,
        tenant: TenantId,
        backup: Uuid,
        progress: super::Progress,
    ) -> DomainResult<PageCopy> {
        let record = self.get(backup).await?;
        let label = CopyLabel {
            tenant: tenant.as_uuid(),
            backup,
            taken_at: truncated(record.taken_at),
            opened_at: truncated(Utc::now()),
        };
        let note = serde_json::to_string(&Note { kind: NOTE_KIND.to_owned(), label: label.clone() })
            .map_err(|e| crate::error::DomainError::Io(std::io::Error::other(e)))?;
        let at = CopyAt {
            file: self.page_copies_dir().join(label.file_name()),
            database: self.placement().copy_database_name().unwrap_or_default(),
            note: Some(note),
        };
        let copy = self.restore_beside_at(backup, progress, at).await?;
        Ok(PageCopy { label, copy })
    }

    /// The copies opened beside live (of `tenant`, or of every workspace), newest first.
    pub async fn page_copies(&self, tenant: Option<TenantId>) -> DomainResult<Vec<PageCopy>> {
        let mut found = match self.placement() {
            TenantPlacement::Sqlite { .. } => self.sqlite_page_copies().await?,
            placement @ TenantPlacement::Postgres { .. } => {
                let mut found = Vec::new();
                for (name, note) in placement.list_copy_databases().await? {
                    let Some(Note { kind, label }) = note.and_then(|n| serde_json::from_str(&n).ok()) else { continue };
                    if kind == NOTE_KIND {
                        let url = placement.url_for(&name)?;
                        let copy = copy_of(&label, url, CopyPlace::Database(name));
                        found.push(PageCopy { label, copy });
                    }
                }
                found
            }
        };
        found.retain(|c| tenant.is_none_or(|t| c.label.tenant == t.as_uuid()));
        found.sort_by_key(|c| std::cmp::Reverse(c.label.opened_at));
        Ok(found)
    }

    async fn sqlite_page_copies(&self) -> DomainResult<Vec<PageCopy>> {
        let dir = self.page_copies_dir();
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut found = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let Some(label) = entry.file_name().to_str().and_then(CopyLabel::from_file_name) else { continue };
            let path = entry.path();
            let copy = copy_of(&label, read_only_sqlite_url(&path), CopyPlace::File(path));
            found.push(PageCopy { label, copy });
        }
        Ok(found)
    }

    /// Removes the copies opened beside live (of every workspace) whose time is up at `now`; returns
    /// how many went.
    pub async fn remove_expired_page_copies(&self, now: DateTime<Utc>) -> DomainResult<usize> {
        let mut removed = 0;
        for expired in self.page_copies(None).await?.into_iter().filter(|c| c.label.expires_at() <= now) {
            self.discard_page_copy(&expired).await;
            removed += 1;
        }
        Ok(removed)
    }

    /// Removes a copy; one that could not be removed is logged for operators (it is read-only and
    /// leaves live data alone, so nothing else waits on it).
    pub async fn discard_page_copy(&self, copy: &PageCopy) {
        if let Err(error) = self.discard_copy(&copy.copy).await {
            tracing::error!(%error, backup = %copy.label.backup, "a copy opened beside live could not be removed");
        }
    }
}

#[cfg(feature = "test-support")]
impl Backups {
    /// Test builds only: makes every copy opened beside live look opened `by` earlier (its label is
    /// rewritten where it is kept), so that a test can meet their time without waiting a day.
    pub async fn backdate_page_copies(&self, by: chrono::TimeDelta) -> DomainResult<()> {
        for found in self.page_copies(None).await? {
            let label = CopyLabel { opened_at: found.label.opened_at - by, ..found.label };
            match &found.copy.place {
                CopyPlace::File(path) => tokio::fs::rename(path, path.with_file_name(label.file_name())).await?,
                CopyPlace::Database(name) => {
                    let note = serde_json::to_string(&Note { kind: NOTE_KIND.to_owned(), label }).unwrap_or_default();
                    self.placement().describe_database(name, &note).await?;
                }
            }
        }
        Ok(())
    }
}

fn copy_of(label: &CopyLabel, url: String, place: CopyPlace) -> RestoredCopy {
    RestoredCopy { backup: label.backup, taken_at: label.taken_at, url, place }
}

/// `at` to the millisecond, as the file name keeps it.
fn truncated(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_survives_its_file_name() {
        let label = CopyLabel {
            tenant: Uuid::new_v4(),
            backup: Uuid::new_v4(),
            taken_at: truncated(Utc::now() - chrono::TimeDelta::days(3)),
            opened_at: truncated(Utc::now()),
        };
        assert_eq!(CopyLabel::from_file_name(&label.file_name()), Some(label));
        for other in ["x.db", "a-b-c-d.db", "copy.db-wal", ""] {
            assert_eq!(CopyLabel::from_file_name(other), None, "{other}");
        }
    }
}
