//! The `strongroom` command line.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "strongroom", version, about = "Strongroom: multi-tenant business web app", long_about = None)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./strongroom.toml if it exists. Every key can also be set
    /// as an environment variable STRONGROOM_<KEY>, which wins over the file.
    #[arg(long, global = true, env = "STRONGROOM_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default when no command is given).
    Serve {
        /// Dev mode on a loopback address only: first fill a demo workspace (members in every role,
        /// suppliers, purchase requests in every state) and print how to sign in.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the control-plane database and every workspace database up to date, then exit.
    Migrate,
    /// Validate the configuration and print the effective settings (secrets hidden), then exit.
    CheckConfig,
    /// Give a user a platform role (operator, superadmin) or take it away (none). Platform roles are
    /// separate from workspace roles and give no access to any workspace's data.
    PlatformRole {
        /// The user's email address.
        email: String,
        /// none, operator or superadmin.
        #[arg(value_parser = ["none", "operator", "superadmin"])]
        role: String,
    },
    /// The workspace audit logs.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Backups of every workspace and of the control plane (OPS1–OPS3): make, list, check, prune, restore.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Disaster recovery: rebuild the control plane and every workspace from one backup target's files
    /// into an empty installation (a new control database and data directory), then exit. Needs the
    /// master key the backups were made under. Afterwards `serve` starts on it as usual.
    Restore {
        /// Everything: the control plane and every live workspace (the only kind of restore here; one
        /// backup is restored with `backup restore`).
        #[arg(long, required = true)]
        all: bool,
        /// The backup target to restore from (`[[backup.targets]] name`).
        #[arg(long)]
        from: String,
    },
    /// Re-wrap every workspace's data keys under a new master key (the workspaces' data is not touched),
    /// then exit. Afterwards configure the new key (`master_key` / `master_key_file`) and restart.
    RotateMasterKey {
        /// A file with the new master key (base64 of 32 random bytes, mode 0600).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain of every workspace's audit log (or of one), naming the first broken entry.
    /// Exits with a failure status if any chain is broken.
    Verify {
        /// Only the workspace at this address.
        #[arg(long)]
        workspace: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back up now: every workspace that changed since its last good backup and the control plane, or
    /// only what the options name. Each new backup is copied to every target, read back, and pruned after.
    Run {
        /// Only the workspace at this address (backed up whether or not it changed).
        #[arg(long, conflicts_with = "control")]
        workspace: Option<String>,
        /// Only the control-plane database.
        #[arg(long)]
        control: bool,
    },
    /// List the backups (newest first) with time, size, targets and verification state.
    List {
        /// Only the workspace at this address.
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Check the copies of a backup on every target (read back and hashed); with --deep, the restore
    /// test: decrypt into scratch, integrity check, row counts. Fails if any copy does not verify.
    Verify {
        /// The backup's id (see `backup list`).
        id: uuid::Uuid,
        #[arg(long)]
        deep: bool,
    },
    /// Apply retention (7 daily, 4 weekly, 3 monthly) on every target, after each scope's newest good backup.
    Prune,
    /// Restore a backup: beside live as a read-only copy, or onto the live workspace (after a backup of
    /// its current state).
    Restore {
        /// The backup's id (see `backup list`).
        id: uuid::Uuid,
        /// Restore as a new, read-only database beside live; prints where it is.
        #[arg(long, conflicts_with = "onto_live", required_unless_present = "onto_live")]
        beside: bool,
        /// Replace the live workspace's data with the backup's (a backup of the current state comes first).
        #[arg(long)]
        onto_live: bool,
        /// Confirms --onto-live without asking.
        #[arg(long)]
        yes: bool,
    },
}
