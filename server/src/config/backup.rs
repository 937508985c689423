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
//!
//! [[backup.targets]]
//! name = "offsite"
//! s3_bucket = "acme-backups"
//! s3_endpoint = "https://s3.eu-central-1.example.com"   # unset for AWS S3
//! s3_region = "eu-central-1"
//! s3_prefix = "strongroom/"
//! s3_access_key_id = "..."
//! s3_secret_access_key = "..."
//! ```
//!
//! Without any `[[backup.targets]]`, backups go to `<data_dir>/backups` (named `local`): a copy on the
//! same machine only, which is said at start-up in production mode.

use domain::backup::retention::RetentionPolicy;
use domain::backup::{BackupSettings, DEFAULT_EVERY, MIN_EVERY, S3Bucket, Target, TargetKind};
use secrecy::SecretString;
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

/// One `[[backup.targets]]` entry: a `directory`, or an `s3_bucket` with its address and credentials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// How the catalogue names it: 1 to 64 characters from a-z, 0-9, `-` and `_`.
    pub name: String,
    /// A directory (local, or a mounted file system).
    pub directory: Option<PathBuf>,
    /// A bucket of an S3-compatible store.
    pub s3_bucket: Option<String>,
    /// The store's address; unset for AWS S3 itself. `http://` only for a private network.
    pub s3_endpoint: Option<String>,
    /// [us-east-1]
    pub s3_region: Option<String>,
    /// Put before every object name, e.g. `strongroom/`.
    #[serde(default)]
    pub s3_prefix: String,
    pub s3_access_key_id: Option<String>,
    #[serde(serialize_with = "super::redact::secret")]
    pub s3_secret_access_key: Option<SecretString>,
}

impl RawTarget {
    /// A directory target.
    pub fn directory(name: &str, directory: impl Into<PathBuf>) -> Self {
        Self { name: name.into(), directory: Some(directory.into()), ..Self::default() }
    }

    fn kind(&self, problems: &mut Vec<String>) -> Option<TargetKind> {
        let problem = |what: &str| format!("backup.targets.{}: {what}", self.name);
        match (&self.directory, &self.s3_bucket) {
            (Some(directory), None) => {
                if !directory.is_absolute() && directory.components().any(|c| c.as_os_str() == "..") {
                    problems.push(problem("the directory must not climb with `..`"));
                }
                Some(TargetKind::Directory(directory.clone()))
            }
            (None, Some(bucket)) => {
                let (Some(key), Some(secret)) = (&self.s3_access_key_id, &self.s3_secret_access_key) else {
                    problems.push(problem("an S3 target needs s3_access_key_id and s3_secret_access_key"));
                    return None;
                };
                if let Some(endpoint) = &self.s3_endpoint
                    && url::Url::parse(endpoint).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
                {
                    problems.push(problem("s3_endpoint must be an http:// or https:// address"));
                }
                if self.s3_prefix.starts_with('/') || self.s3_prefix.contains("..") {
                    problems.push(problem("s3_prefix must not start with `/` or contain `..`"));
                }
                Some(TargetKind::S3(S3Bucket::new(
                    self.s3_endpoint.clone(),
                    bucket.clone(),
                    self.s3_region.clone().unwrap_or_else(|| "us-east-1".into()),
                    self.s3_prefix.clone(),
                    key.clone(),
                    secret.clone(),
                )))
            }
            _ => {
                problems.push(problem("give either `directory` or `s3_bucket`"));
                None
            }
        }
    }
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
            if let Some(kind) = raw.kind(problems) {
                targets.push(Target { name: raw.name.clone(), kind });
            }
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
                RawTarget::directory("a", "/x"),
                RawTarget::directory("a", "/y"),
                RawTarget::directory("Bad Name", "/z"),
            ],
            ..RawBackup::default()
        };
        let mut problems = Vec::new();
        twice.resolve(Path::new("/d"), &mut problems);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn an_s3_target_needs_its_bucket_and_credentials_and_nothing_else_besides() {
        let s3 = |f: fn(&mut RawTarget)| {
            let mut raw = RawTarget {
                name: "offsite".into(),
                s3_bucket: Some("acme-backups".into()),
                s3_endpoint: Some("http://127.0.0.1:8333".into()),
                s3_access_key_id: Some("key".into()),
                s3_secret_access_key: Some("secret".to_owned().into()),
                ..RawTarget::default()
            };
            f(&mut raw);
            let mut problems = Vec::new();
            let settings =
                RawBackup { targets: vec![raw], ..RawBackup::default() }.resolve(Path::new("/d"), &mut problems);
            (settings, problems)
        };
        let (settings, problems) = s3(|_| {});
        assert!(problems.is_empty(), "{problems:?}");
        let TargetKind::S3(bucket) = &settings.targets[0].kind else { panic!("an S3 target") };
        assert_eq!(
            (bucket.bucket.as_str(), bucket.region.as_str(), bucket.allow_http),
            ("acme-backups", "us-east-1", true)
        );
        for (broken, expected) in [
            (s3(|raw| raw.s3_secret_access_key = None).1, "s3_secret_access_key"),
            (s3(|raw| raw.directory = Some("/x".into())).1, "either `directory` or `s3_bucket`"),
            (s3(|raw| raw.s3_endpoint = Some("ftp://x".into())).1, "s3_endpoint"),
            (s3(|raw| raw.s3_prefix = "/abs".into()).1, "s3_prefix"),
        ] {
            assert!(broken.iter().any(|p| p.contains(expected)), "{expected}: {broken:?}");
        }
        assert!(!format!("{:?}", settings.targets[0]).contains("secret"), "the secret stays out of Debug");
    }
}
