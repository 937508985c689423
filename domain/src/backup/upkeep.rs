//! The upkeep of backups (OPS1, OPS3): the scheduled run, retention after each new verified backup, and
//! the clean-up of what dead runs left behind (and of copies opened beside live past their time).

use super::catalogue::{self, BackupRecord, BackupState};
use super::format::Scope;
use super::{
    BACKUP_JOB, Backups, RESTORE_TEST_EVERY, RESTORE_TEST_JOB, RunReport, STALE_AFTER, Target, TargetKind, quiet,
    retention,
};
use crate::error::DomainResult;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

impl Backups {
    /// The scheduled run: cleans up after dead runs, backs up every workspace that changed since its
    /// last good backup, and the control plane; each is pruned after its new backup verified.
    pub async fn run_scheduled(&self) -> DomainResult<RunReport> {
        self.clean_up(STALE_AFTER).await?;
        // Copies opened beside live past their time go too, whichever server opened them.
        self.remove_expired_page_copies(Utc::now()).await?;
        let mut report = RunReport::default();
        for (workspace, db) in self.tenancy.live_databases(&self.control).await? {
            let fingerprint = Self::fingerprint(&db).await?;
            if fingerprint.is_some() && fingerprint == catalogue::last_fingerprint(&self.control, workspace.id).await? {
                report.unchanged += 1;
                continue;
            }
            match self.back_up_workspace(workspace.id, quiet()).await {
                Ok(record) => report.backed_up.push(record),
                Err(error) => {
                    tracing::error!(%error, workspace = %workspace.slug, "workspace backup failed");
                    report.failed.push((workspace.slug.to_string(), error.to_string()));
                }
            }
        }
        match self.back_up_control_plane(quiet()).await {
            Ok(record) => report.backed_up.push(record),
            Err(error) => {
                tracing::error!(%error, "control-plane backup failed");
                report.failed.push(("control plane".to_owned(), error.to_string()));
            }
        }
        Ok(report)
    }

    /// Removes what dead runs left: partial files on every target and in the work directory older than
    /// `age`, and marks their `running` rows failed.
    pub async fn clean_up(&self, age: Duration) -> DomainResult<usize> {
        let mut removed = 0;
        for target in &self.settings.targets {
            removed += target.clean_partials(age).await?;
        }
        let work = Target { name: "work".into(), kind: TargetKind::Directory(self.settings.work_dir.clone()) };
        removed += work.clean_partials(age).await?;
        let before = Utc::now() - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        catalogue::mark_interrupted(&self.control, before).await?;
        // A run that died after renaming its copy, or failed on another target, may have left complete
        // files of a backup that is not good: they go too (retention only ever counts good ones).
        let records = self.list(None).await?;
        for failed in records.iter().filter(|b| b.state == BackupState::Failed) {
            for target in &self.settings.targets {
                target.delete(&failed.file_name).await?;
            }
        }
        // Complete files that no good backup lists on that target (a run killed between pruning a copy
        // from the catalogue and deleting its file); files of backups still running are left alone.
        for target in &self.settings.targets {
            for name in target.list().await? {
                let keep = records.iter().any(|b| {
                    b.file_name == name
                        && (b.state == BackupState::Running || (b.is_good() && b.targets.contains(&target.name)))
                });
                if !keep {
                    target.delete(&name).await?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Applies retention on every target to the backups of `scope`, after `new_verified` verified.
    /// Returns how many copies were deleted.
    pub async fn prune_scope(&self, scope: Scope, new_verified: uuid::Uuid) -> DomainResult<usize> {
        let backups = self.list(Some(scope)).await?;
        let mut deleted = 0;
        for target in &self.settings.targets {
            let copies: Vec<retention::Candidate<uuid::Uuid>> = backups
                .iter()
                .filter(|b| b.is_good() && b.targets.contains(&target.name))
                .map(|b| retention::Candidate { id: b.id, taken_at: b.taken_at })
                .collect();
            let plan = retention::plan(&copies, self.settings.policy, new_verified);
            for id in plan.delete {
                let backup = backups.iter().find(|b| b.id == id).expect("planned from this list");
                // The catalogue first: a run killed in between leaves a file nobody counts (and the
                // clean-up removes), never a listed copy whose file is gone.
                catalogue::delete_copy(&self.control, id, &target.name).await?;
                target.delete(&backup.file_name).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Applies retention to every scope, each after its newest good backup (the CLI's `backup prune`).
    pub async fn prune_all(&self) -> DomainResult<usize> {
        let mut scopes: Vec<(Scope, uuid::Uuid)> = Vec::new();
        for backup in self.list(None).await?.into_iter().filter(BackupRecord::is_good) {
            if !scopes.iter().any(|(s, _)| *s == backup.scope) {
                scopes.push((backup.scope, backup.id));
            }
        }
        let mut deleted = 0;
        for (scope, newest) in scopes {
            deleted += self.prune_scope(scope, newest).await?;
        }
        Ok(deleted)
    }
}

/// What a scheduled restore test found.
#[derive(Debug, Default)]
pub struct RestoreTestReport {
    /// Copies that decrypted, passed the integrity check and had their row counts.
    pub passed: usize,
    /// `backup id on target: why` for every copy that did not.
    pub failed: Vec<String>,
}

impl Backups {
    /// The restore test (OPS1): the newest good backup of every scope (each workspace, the control plane)
    /// is decrypted from each of its targets into scratch, integrity-checked and its row counts compared.
    pub async fn test_restores(&self) -> DomainResult<RestoreTestReport> {
        let mut newest: Vec<&BackupRecord> = Vec::new();
        let backups = self.list(None).await?;
        for backup in backups.iter().filter(|b| b.is_good()) {
            if !newest.iter().any(|b| b.scope == backup.scope) {
                newest.push(backup);
            }
        }
        let mut report = RestoreTestReport::default();
        for backup in newest {
            for check in self.verify(backup.id, true, quiet()).await? {
                match check.result {
                    Ok(()) => report.passed += 1,
                    Err(why) => report.failed.push(format!("{} on {}: {why}", backup.id, check.target)),
                }
            }
        }
        Ok(report)
    }
}

/// Registers the scheduled restore test ([`RESTORE_TEST_JOB`], daily). A copy that fails makes the run
/// fail, so the job's status names it (`strongroom backup list` and the logs show it) and it is tried
/// again the next day; a failed copy is also logged as an error at once.
pub fn register_restore_test_job(scheduler: &crate::jobs::Scheduler, backups: &Arc<Backups>) {
    let backups = backups.clone();
    scheduler.register_with_lease(RESTORE_TEST_JOB, RESTORE_TEST_EVERY, Duration::from_secs(15 * 60), move || {
        let backups = backups.clone();
        async move {
            let report = backups.test_restores().await?;
            for failure in &report.failed {
                tracing::error!(failure, "restore test: a backup copy does not restore");
            }
            tracing::info!(passed = report.passed, failed = report.failed.len(), "restore test");
            match report.failed.first() {
                None => Ok(()),
                Some(first) => {
                    Err(format!("{} backup copies do not restore, first {first}", report.failed.len()).into())
                }
            }
        }
    });
}

/// Registers the scheduled backup run ([`BACKUP_JOB`], every [`BackupSettings::every`]) with a lease
/// long enough for large workspaces (renewed while it runs).
pub fn register_job(scheduler: &crate::jobs::Scheduler, backups: &Arc<Backups>) {
    let backups = backups.clone();
    let every = backups.settings.every;
    scheduler.register_with_lease(BACKUP_JOB, every, Duration::from_secs(15 * 60), move || {
        let backups = backups.clone();
        async move {
            let report = backups.run_scheduled().await?;
            tracing::info!(
                backed_up = report.backed_up.len(),
                unchanged = report.unchanged,
                failed = report.failed.len(),
                "scheduled backups"
            );
            match report.failed.first() {
                None => Ok(()),
                Some((what, why)) => Err(format!("{} backups failed, first {what}: {why}", report.failed.len()).into()),
            }
        }
    });
}
