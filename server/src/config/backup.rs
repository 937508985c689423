//! The `[backup]` table (OPS1, OPS3): how often every changed workspace is backed up (the recovery
//! point), where snapshots are prepared, and the targets that receive a verified copy of each backup.
//!
//! ```toml
//! [backup]
//! interval_secs = 3600          # 1 h by default, at least 300 (5 min)
//! work_dir = "/var/lib/strongroom/backup-work"
//!
//! [[backup.targets]]
//! name = "local"
//! directory = "/var/backups/strongroom"
//! ```
//!
//! Without any `[[backup.targets]]`, backups go to `<data_dir>/backups` (named `local`): a copy on the
//! same machine only, which is said at start-up in production mode.

use domain::backup::retention::RetentionPolicy;
use domain::backup::{BackupSettings, DEFAULT_EVERY, MIN_EVERY, Target, TargetKind};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBackup {
    /// Seconds between scheduled backups of every changed workspace [3600], at least 300.
    pub interval_secs: u64,
    /// Where snapshots are taken and encrypted before they are copied; default `<data_dir>/backup-work`.
    pub work_dir: Option<PathBuf>,
    /// Where copies go; default one directory target `local` at `<data_dir>/backups`.
    pub targets: Vec<RawTarget>,
}

/// One `[[backup.targets]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// How the catalogue names it: 1 to 64 characters from a-z, 0-9, `-` and `_`.
    pub name: String,
    /// A directory (local, or a mounted file system).
    pub directory: PathBuf,
}

impl Default for RawBackup {
    fn default() -> Self {
        Self { interval_secs: DEFAULT_EVERY.as_secs(), work_dir: None, targets: Vec::new() }
    }
}

impl RawBackup {
    pub(super) fn resolve(&self, data_dir: &Path, problems: &mut Vec<String>) -> BackupSettings {
        let every = Duration::from_secs(self.interval_secs);
        if every < MIN_EVERY {
            problems.push(format!(
                "backup.interval_secs: at least {} (5 minutes); got {}",
                MIN_EVERY.as_secs(),
                self.interval_secs
            ));
        }
        let mut targets = Vec::new();
        for raw in &self.targets {
            let valid = !raw.name.is_empty()
                && raw.name.len() <= 64
                && raw.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
            if !valid {
                problems.push(format!("backup.targets: the name `{}` must be 1–64 of a-z, 0-9, - and _", raw.name));
            }
            if targets.iter().any(|t: &Target| t.name == raw.name) {
                problems.push(format!("backup.targets: the name `{}` is used twice", raw.name));
            }
            if !raw.directory.is_absolute() && raw.directory.components().any(|c| c.as_os_str() == "..") {
                problems.push(format!("backup.targets.{}: the directory must not climb with `..`", raw.name));
            }
            targets.push(Target { name: raw.name.clone(), kind: TargetKind::Directory(raw.directory.clone()) });
        }
        if targets.is_empty() {
            targets.push(Target { name: "local".into(), kind: TargetKind::Directory(data_dir.join("backups")) });
        }
        BackupSettings {
            every,
            work_dir: self.work_dir.clone().unwrap_or_else(|| data_dir.join("backup-work")),
            targets,
            policy: RetentionPolicy::STANDARD,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// Proves: OPS3
    fn the_interval_defaults_to_an_hour_and_cannot_go_below_five_minutes() {
        let mut problems = Vec::new();
        let settings = RawBackup::default().resolve(Path::new("/data"), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(settings.every, Duration::from_secs(3600));
        assert_eq!(settings.targets[0].kind, TargetKind::Directory(PathBuf::from("/data/backups")));
        let ok = RawBackup { interval_secs: 300, ..RawBackup::default() }.resolve(Path::new("/d"), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(ok.every, Duration::from_secs(300));
        RawBackup { interval_secs: 299, ..RawBackup::default() }.resolve(Path::new("/d"), &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let twice = RawBackup {
            targets: vec![
                RawTarget { name: "a".into(), directory: "/x".into() },
                RawTarget { name: "a".into(), directory: "/y".into() },
                RawTarget { name: "Bad Name".into(), directory: "/z".into() },
            ],
            ..RawBackup::default()
        };
        let mut problems = Vec::new();
        twice.resolve(Path::new("/d"), &mut problems);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
