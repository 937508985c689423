//! `cargo xtask lighthouse`: Lighthouse's mobile profile on the landing page, sign-in and a workspace
//! page of a release build, with the scores printed and the budget enforced (UX5; `end2end/lighthouse.mjs`).
//!
//! The server starts with `serve --demo` on a free port and an empty data directory; the demo's sign-in
//! (printed at start) is handed to the script so that it can sign in before auditing the workspace page.

use crate::e2e::{free_port, target_dir, wait_until_healthy};
use crate::process::{self, cmd, root};
use crate::{site, tools};
use std::io::BufRead as _;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

/// Installed on demand, beside Playwright, not in `end2end/package-lock.json`: `npm ci` refuses every
/// lock file npm 11 writes for lighthouse 12.8.2 (it reports `third-party-web@0.30.0` missing), and the
/// browser tests must not depend on it. 12.8.2 is the newest Lighthouse that runs on Node 20.
const LIGHTHOUSE: &str = "lighthouse@12.8.2";

pub fn run() -> Result<(), String> {
    tools::ensure_for_e2e(true)?;
    process::step(&format!("install {LIGHTHOUSE} (npm, not saved)"));
    cmd("npm", &["install", "--no-save", "--no-audit", "--no-fund", LIGHTHOUSE])
        .dir(root().join("end2end"))
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .run()?;
    site::build(true)?;
    let addr = format!("127.0.0.1:{}", free_port()?);
    let data_dir = std::env::temp_dir().join(format!("strongroom-lighthouse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let log_path = target_dir().join("lighthouse-server.log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    process::step(&format!("start the release server with demo data on {addr}"));
    let mut server = cmd(&site::server_binary(true).display().to_string(), &["serve", "--demo"])
        .env("STRONGROOM_ADDR", &addr)
        .env("STRONGROOM_DATA_DIR", &data_dir)
        .env("STRONGROOM_SITE_ROOT", site::site_root())
        .env_remove("STRONGROOM_DATABASE_URL")
        .env_remove("STRONGROOM_CONFIG")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()?;
    let stdout = server.stdout.take().ok_or("no server stdout")?;
    let (lines, seen) = mpsc::channel();
    // Keeps reading for as long as the server runs, so a full pipe never blocks it.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let result = demo_sign_in(&seen).and_then(|(slug, password)| {
        wait_until_healthy(&addr, Duration::from_secs(30))?;
        process::step("Lighthouse, mobile profile (landing, sign-in, workspace)");
        cmd("node", &["lighthouse.mjs"])
            .dir(root().join("end2end"))
            .env("STRONGROOM_E2E_BASE_URL", format!("http://{addr}"))
            .env("CHROMIUM_PATH", tools::CHROMIUM)
            .env("CHROME_PATH", tools::CHROMIUM)
            .env("DEMO_EMAIL", "owner@demo.example.com")
            .env("DEMO_PASSWORD", password)
            .env("DEMO_SLUG", slug)
            .run()
    });
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

/// The demo workspace's slug and the password, from the lines `serve --demo` prints.
fn demo_sign_in(lines: &mpsc::Receiver<String>) -> Result<(String, String), String> {
    let (mut slug, mut password) = (None, None);
    while slug.is_none() || password.is_none() {
        let line = lines.recv_timeout(Duration::from_secs(120)).map_err(|_| "the server printed no demo sign-in")?;
        if let Some(rest) = line.strip_prefix("Demo workspace ready: ") {
            slug = rest.rsplit("/w/").next().map(str::to_owned);
        } else if let Some((_, pw)) = line.split_once(", password ") {
            password = Some(pw.trim().to_owned());
        }
    }
    Ok((slug.unwrap_or_default(), password.unwrap_or_default()))
}
