//! `strongroom backup run|list|verify|prune|restore` (OPS1–OPS3, UX2): the operators' side of backups,
//! with progress bars when the output is a terminal (plain lines otherwise, e.g. in scripts and tests).

use crate::StartupError;
use crate::cli::BackupCommand;
use crate::config::ConfigError;
use domain::Platform;
use domain::backup::Progress;
use domain::backup::catalogue::{BackupRecord, BackupState};
use domain::backup::format::Scope;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal as _;
use std::sync::Arc;

fn invalid(message: String) -> StartupError {
    StartupError::Config(ConfigError(vec![message]))
}

/// A progress bar on a terminal, nothing otherwise; and the [`Progress`] callback that drives it.
fn progress_bar() -> (ProgressBar, Progress) {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg:>28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let driven = bar.clone();
    let progress: Progress = Arc::new(move |stage: &str, done: u64, total: u64| {
        driven.set_message(stage.to_owned());
        driven.set_length(total.max(done));
        driven.set_position(done);
    });
    (bar, progress)
}

fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        Some(b) => format!("{:.1} KiB", b as f64 / 1024.0),
        None => "-".into(),
    }
}

fn state(record: &BackupRecord) -> &'static str {
    match record.state {
        BackupState::Verified if record.is_good() => "verified",
        BackupState::Verified => "no copy left",
        BackupState::Running => "running",
        BackupState::Failed => "FAILED",
    }
}

fn line(record: &BackupRecord, slugs: &std::collections::HashMap<uuid::Uuid, String>) -> String {
    let what = match record.scope {
        Scope::Workspace(tenant) => slugs.get(&tenant).cloned().unwrap_or_else(|| format!("workspace {tenant}")),
        Scope::ControlPlane => "control plane".into(),
    };
    format!(
        "{}  {}  {:<24} {:>10}  {:<12} targets: {}{}",
        record.id,
        record.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
        what,
        size(record.file_bytes),
        state(record),
        if record.targets.is_empty() { "-".into() } else { record.targets.join(", ") },
        record.error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default(),
    )
}

async fn slugs(platform: &Platform) -> Result<std::collections::HashMap<uuid::Uuid, String>, StartupError> {
    Ok(platform.tenancy().all_slugs().await?.into_iter().map(|(id, slug)| (id.as_uuid(), slug)).collect())
}

async fn workspace(platform: &Platform, slug: &str) -> Result<domain::tenancy::Workspace, StartupError> {
    let slug = model::WorkspaceSlug::parse(slug).map_err(|e| invalid(e.to_string()))?;
    platform.tenancy().find_by_slug(&slug).await.map_err(|_| invalid(format!("there is no workspace at `{slug}`")))
}

/// Runs one `backup` subcommand.
pub async fn run(platform: &Platform, command: BackupCommand) -> Result<(), StartupError> {
    let backups = platform.backups();
    let names = slugs(platform).await?;
    match command {
        BackupCommand::Run { workspace: Some(slug), .. } => {
            let workspace = workspace(platform, &slug).await?;
            let (bar, progress) = progress_bar();
            let record = backups.back_up_workspace(workspace.id, progress).await?;
            bar.finish_and_clear();
            println!("{}", line(&record, &names));
        }
        BackupCommand::Run { control: true, .. } => {
            let (bar, progress) = progress_bar();
            let record = backups.back_up_control_plane(progress).await?;
            bar.finish_and_clear();
            println!("{}", line(&record, &names));
        }
        BackupCommand::Run { .. } => {
            let report = backups.run_scheduled().await?;
            for record in &report.backed_up {
                println!("{}", line(record, &names));
            }
            println!("{} backed up, {} workspaces unchanged", report.backed_up.len(), report.unchanged);
            if let Some((what, why)) = report.failed.first() {
                for (what, why) in &report.failed {
                    eprintln!("FAILED {what}: {why}");
                }
                return Err(StartupError::BackupFailed(format!("{what}: {why}")));
            }
        }
        BackupCommand::List { workspace: slug } => {
            let scope = match slug {
                Some(slug) => Some(Scope::Workspace(workspace(platform, &slug).await?.id.as_uuid())),
                None => None,
            };
            for record in backups.list(scope).await? {
                println!("{}", line(&record, &names));
            }
        }
        BackupCommand::Verify { id, deep } => {
            let (bar, progress) = progress_bar();
            let checks = backups.verify(id, deep, progress).await?;
            bar.finish_and_clear();
            let mut failed = 0;
            for check in &checks {
                match &check.result {
                    Ok(()) => println!(
                        "{id} on {}: verified{}",
                        check.target,
                        if deep { " (restore test passed)" } else { "" }
                    ),
                    Err(why) => {
                        failed += 1;
                        println!("{id} on {}: FAILED: {why}", check.target);
                    }
                }
            }
            if checks.is_empty() || failed > 0 {
                return Err(StartupError::BackupFailed(format!(
                    "{failed} of {} copies of {id} do not verify",
                    checks.len()
                )));
            }
        }
        BackupCommand::Prune => {
            let deleted = backups.prune_all().await?;
            println!("{deleted} backup copies deleted by retention (7 daily, 4 weekly, 3 monthly)");
        }
        BackupCommand::Restore { id, beside: true, .. } => {
            let (bar, progress) = progress_bar();
            let copy = backups.restore_beside(id, progress).await?;
            bar.finish_and_clear();
            println!(
                "backup {id} of {} restored beside live, read-only: {}",
                copy.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
                domain_url_shown(&copy.url)
            );
        }
        BackupCommand::Restore { id, onto_live: true, yes, .. } => {
            if !yes {
                return Err(invalid(
                    "--onto-live replaces the workspace's live data: add --yes to confirm (a backup of the current \
                     state is made first)"
                        .into(),
                ));
            }
            let (bar, progress) = progress_bar();
            let done = backups.restore_onto_live(id, &domain::workspace::audit::Actor::system(), progress).await?;
            bar.finish_and_clear();
            println!(
                "backup {id} restored onto live; the state before is backup {} (restore it to undo)",
                done.safety_backup.id
            );
            if !done.members.removed.is_empty() || !done.members.ended.is_empty() {
                println!(
                    "members: {} removed since the backup stay out, {} who joined since must be invited again",
                    done.members.removed.len(),
                    done.members.ended.len()
                );
            }
        }
        BackupCommand::Restore { .. } => return Err(invalid("say --beside or --onto-live".into())),
    }
    Ok(())
}

/// `strongroom restore --all --from TARGET`: the disaster recovery ([`domain::backup::disaster`]). Fails
/// (after restoring what it can) when a live workspace could not be restored.
pub async fn restore_all(
    settings: &domain::PlatformSettings,
    master_key: &domain::crypto::MasterKey,
    from: &str,
) -> Result<(), StartupError> {
    let (bar, progress) = progress_bar();
    let recovery = domain::backup::disaster::restore_all(settings, master_key, from, progress).await?;
    bar.finish_and_clear();
    let at = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    println!("control plane: backup {} of {}", recovery.control.0, at(&recovery.control.1));
    for (slug, id, taken_at) in &recovery.workspaces {
        println!("workspace {slug}: backup {id} of {}", at(taken_at));
    }
    for (slug, why) in &recovery.missing {
        eprintln!("NOT RESTORED workspace {slug}: {why}");
    }
    println!(
        "{} of {} workspaces restored; {} backups on `{from}` catalogued",
        recovery.workspaces.len(),
        recovery.workspaces.len() + recovery.missing.len(),
        recovery.catalogued
    );
    match recovery.missing.first() {
        Some((slug, why)) => Err(StartupError::BackupFailed(format!("workspace {slug} not restored: {why}"))),
        None => Ok(()),
    }
}

fn domain_url_shown(url: &str) -> String {
    crate::config::redact_url(url)
}
