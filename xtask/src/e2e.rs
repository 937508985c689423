//! Playwright against a freshly built server: build the site ([`crate::site`]), start the server on a
//! free port with an empty data directory, run `npx playwright test` against it, stop the server.

use crate::process::{self, cmd, root};
use crate::site;
use crate::tools;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn run(release: bool, playwright_args: Vec<String>) -> Result<(), String> {
    site::build_serving(release, site::Server::Build)?;
    serve_and_test(release, &playwright_args, None)
}

/// The browser tests against the site built already and the server the test build made, on a thread
/// of their own with their output in `target/e2e.log` (`cargo xtask test` runs the PostgreSQL and the
/// other-server tests meanwhile: those mostly wait on their servers, Playwright mostly on the browser).
/// The thread's result carries the output, shown when it is joined.
pub fn in_background() -> std::thread::JoinHandle<Result<String, (String, String)>> {
    std::thread::spawn(|| {
        let log_path = target_dir().join("e2e.log");
        let result = std::fs::File::create(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))
            .and_then(|log| serve_and_test(false, &[], Some(&log)));
        let shown = std::fs::read_to_string(&log_path).unwrap_or_default();
        result.map(|()| shown.clone()).map_err(|error| (shown, error))
    })
}

/// Starts the server on a free port with an empty data directory, runs Playwright against it, stops it.
/// With `output`, the steps and Playwright's output go there instead of to the terminal.
fn serve_and_test(release: bool, playwright_args: &[String], output: Option<&std::fs::File>) -> Result<(), String> {
    let say = |title: &str| match output {
        Some(mut output) => {
            let _ = writeln!(output, "\n==> {title}");
        }
        None => process::step(title),
    };
    let binary = site::server_binary(release);
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let data_dir = std::env::temp_dir().join(format!("strongroom-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let log_path = target_dir().join("e2e-server.log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;

    say(&format!("start the server on {addr} (log: {})", log_path.display()));
    let server = cmd(&binary.display().to_string(), &["serve"])
        .env("STRONGROOM_ADDR", &addr)
        .env("STRONGROOM_DATA_DIR", &data_dir)
        .env("STRONGROOM_SITE_ROOT", site::site_root())
        // Every browser test comes from 127.0.0.1; the per-address limit is for real clients.
        .env("STRONGROOM_AUTH_REQUESTS_PER_MINUTE", "600")
        .env("STRONGROOM_CODE_REQUESTS_PER_MINUTE", "600")
        .env("STRONGROOM_SIGN_UP_REQUESTS_PER_MINUTE", "600")
        .env("STRONGROOM_ACCOUNT_REQUESTS_PER_MINUTE", "600")
        .env("STRONGROOM_WORKSPACE_REQUESTS_PER_MINUTE", "6000")
        .env("STRONGROOM_INVITATION_REQUESTS_PER_MINUTE", "600")
        .env("STRONGROOM_EXPORT_REQUESTS_PER_MINUTE", "600")
        // Likewise the intrusion detectors that count per address (floods, not-found bursts).
        .env("STRONGROOM_IDS_REQUESTS_PER_10S", "6000")
        .env("STRONGROOM_IDS_MISSES_PER_MINUTE", "600")
        // And the sign-in gate's count per address: the wrong-password tests' failures plus the sign-ins
        // running at the same time in other workers would otherwise ask for a proof of work (ID6), which the
        // debug WebAssembly solves slower than a test waits. The gate itself is tested over HTTP.
        .env("STRONGROOM_LOGIN_FAILURES_PER_ADDRESS", "1000")
        .env("STRONGROOM_PROOF_OF_WORK_AFTER", "1000")
        .env_remove("STRONGROOM_DATABASE_URL")
        .env_remove("STRONGROOM_CONFIG");
    let mut server = server.stdout(log.try_clone().map_err(|e| e.to_string())?).stderr(log).spawn()?;
    let result = wait_until_healthy(&addr, Duration::from_secs(30)).and_then(|()| {
        say("Playwright (desktop and phone)");
        let mut args = vec!["playwright", "test"];
        args.extend(playwright_args.iter().map(String::as_str));
        let playwright = cmd("npx", &args)
            .dir(root().join("end2end"))
            .env("STRONGROOM_E2E_BASE_URL", format!("http://{addr}"))
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .env("CHROMIUM_PATH", tools::CHROMIUM);
        process::logged(playwright, output)?.run()
    });
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    if result.is_err() {
        eprintln!("(the server's log is in {})", log_path.display());
    }
    result
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

pub fn wait_until_healthy(addr: &str, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(mut stream) = TcpStream::connect(addr) {
            let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut response = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut response).is_ok()
                && response.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("the server did not become healthy on {addr} within {limit:?}"))
}
