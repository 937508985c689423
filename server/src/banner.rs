//! What `strongroom serve` prints when it starts, for the person at the terminal (the log says the
//! same in structured form): where it listens, where the dev outbox is, which data directory and
//! databases it uses; and, after `--demo`, how to sign in to the demo workspace.

use crate::config::Settings;
use crate::config::redact_url;
use domain::demo::Demo;
use domain::tenancy::PlacementSettings;
use secrecy::ExposeSecret as _;
use std::fmt::Write as _;
use std::net::SocketAddr;

/// The start-up facts, taken from the settings before they are handed to the application.
pub struct Banner {
    mode: &'static str,
    data_dir: String,
    control_database: String,
    workspaces: String,
}

impl Banner {
    pub fn new(settings: &Settings) -> Self {
        let absolute =
            |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned()).display().to_string();
        let workspaces = match &settings.platform.tenant_placement {
            PlacementSettings::SqliteDirectory(dir) => format!("one SQLite file each under {}", absolute(dir)),
            PlacementSettings::PostgresServer { url } => format!("one database each on {}", redact_url(url)),
        };
        Self {
            mode: match settings.mode {
                crate::config::Mode::Dev => "dev",
                crate::config::Mode::Production => "production",
            },
            data_dir: absolute(&settings.data_dir),
            control_database: redact_url(&settings.platform.control_database_url),
            workspaces,
        }
    }

    pub fn text(&self, addr: SocketAddr, dev_outbox: bool) -> String {
        let mut text = format!("\nStrongroom is listening on http://{addr} ({} mode)\n", self.mode);
        let _ = writeln!(text, "  data directory:  {}", self.data_dir);
        let _ = writeln!(text, "  control plane:   {}", self.control_database);
        let _ = writeln!(text, "  workspaces:      {}", self.workspaces);
        if dev_outbox {
            let _ = writeln!(text, "  dev mail outbox: http://{addr}/dev/outbox (every mail the app sends lands here)");
        }
        text
    }
}

/// How to sign in to the demo workspace.
pub fn demo_text(demo: &Demo, addr: SocketAddr, dev_outbox: bool) -> String {
    let mut text = format!("Demo workspace ready: http://{addr}/w/{}\n", demo.slug);
    let _ =
        writeln!(text, "Sign in at http://{addr}/signin as any of these, password {}", demo.password.expose_secret());
    for person in &demo.people {
        let _ = writeln!(text, "  {:<9} {}", person.role.key(), person.email);
    }
    if dev_outbox {
        let _ = writeln!(
            text,
            "A sign-in from a new browser asks for a code mailed to the address: it is in http://{addr}/dev/outbox"
        );
    }
    let _ = writeln!(text, "(the password is new on every `--demo` start)");
    text
}
