//! `strongroom`: parses the command line and runs the chosen command. See `lib.rs` for the server.

use clap::Parser as _;
use server::cli::{AuditCommand, Cli, Command};
use server::config::{Mode, RawConfig};
use server::{Application, StartupError, telemetry};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("strongroom: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    let raw = RawConfig::load(cli.config.as_deref())?;
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::CheckConfig = command {
        let shown = raw.shown();
        raw.validate()?;
        println!("{shown}\nconfiguration is valid");
        return Ok(());
    }
    // Checked before the settings are validated (which may write a dev master key) and before anything
    // is opened: demo data never reaches a production server or one other machines can reach.
    let demo_permit = match &command {
        Command::Serve { demo: true } => Some(domain::demo::DemoPermit::check(raw.mode == Mode::Dev, raw.addr)?),
        _ => None,
    };
    let settings = raw.validate()?;
    telemetry::init(settings.log_format);
    server::log_master_key_origin(&settings.master_key_origin);
    match command {
        Command::Migrate => {
            let platform = domain::Platform::start(&settings.platform, settings.master_key).await?;
            let report = platform.tenancy().migrate_all().await?;
            tracing::info!(workspaces = report.migrated, "control plane and workspace databases are up to date");
            match report.failed.into_iter().next() {
                Some((tenant, reason)) => Err(domain::DomainError::TenantUnavailable { tenant, reason }.into()),
                None => Ok(()),
            }
        }
        Command::PlatformRole { email, role } => {
            let email = model::EmailAddress::parse(&email)
                .map_err(|e| StartupError::Config(server::config::ConfigError(vec![e.to_string()])))?;
            let platform = domain::Platform::start(&settings.platform, settings.master_key).await?;
            platform.identity().set_platform_role(&email, domain::identity::PlatformRole::parse(&role)).await?;
            println!("{email} now has the platform role `{role}`");
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify { workspace } } => {
            let slug = workspace
                .map(|w| model::WorkspaceSlug::parse(&w))
                .transpose()
                .map_err(|e| StartupError::Config(server::config::ConfigError(vec![e.to_string()])))?;
            let platform = domain::Platform::start(&settings.platform, settings.master_key).await?;
            let mut broken = 0;
            for (workspace, report) in platform.verify_audit(slug.as_ref()).await? {
                match &report.broken {
                    None => println!(
                        "{}: the audit chain holds ({} entries verified{}{})",
                        workspace.slug,
                        report.verified,
                        report.checkpoint.map(|c| format!(", after a purge up to entry {c}")).unwrap_or_default(),
                        if report.unchained > 0 {
                            format!(", {} older entries outside the chain", report.unchained)
                        } else {
                            String::new()
                        },
                    ),
                    Some(at) => {
                        broken += 1;
                        let id = at.id.map(|id| format!(" ({id})")).unwrap_or_default();
                        println!(
                            "{}: the audit chain is BROKEN at entry {}{id}: {}",
                            workspace.slug, at.seq, at.reason
                        );
                    }
                }
            }
            if broken > 0 { Err(StartupError::AuditBroken(broken)) } else { Ok(()) }
        }
        Command::Backup { command } => {
            let platform = domain::Platform::start(&settings.platform, settings.master_key).await?;
            server::backup_cli::run(&platform, command).await
        }
        Command::Restore { all: _, from } => {
            server::backup_cli::restore_all(&settings.platform, &settings.master_key, &from).await
        }
        Command::RotateMasterKey { new_key_file } => {
            let new = domain::crypto::MasterKey::read_file(&new_key_file)
                .map_err(|e| StartupError::Config(server::config::ConfigError(vec![e.to_string()])))?;
            let (old_keys, new_keys) =
                (domain::crypto::Keys::derive(&settings.master_key), domain::crypto::Keys::derive(&new));
            let platform = domain::Platform::start(&settings.platform, settings.master_key).await?;
            let report = platform.rewrap_workspace_keys(&old_keys, &new_keys).await?;
            println!(
                "{} workspace keys re-wrapped under the new master key ({} already were); configure the new key and restart",
                report.rewrapped, report.already
            );
            Ok(())
        }
        Command::Serve { .. } => {
            let mode = settings.mode;
            let banner = server::banner::Banner::new(&settings);
            let app = Application::build(settings).await?;
            let addr = app.local_addr();
            tracing::info!(%addr, ?mode, "Strongroom is listening on http://{addr}");
            let dev_outbox = app.platform().mailer().dev_outbox().is_some();
            println!("{}", banner.text(addr, dev_outbox));
            if let Some(permit) = demo_permit {
                let demo = domain::demo::seed(&app.platform(), permit).await?;
                println!("{}", server::banner::demo_text(&demo, addr, dev_outbox));
            }
            app.run_until(shutdown_signal()).await.map_err(|source| StartupError::Bind { addr, source })
        }
        Command::CheckConfig => Ok(()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
