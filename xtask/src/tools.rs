//! Installs what a fresh machine lacks, and skips what is already there.
//!
//! - the `wasm32-unknown-unknown` Rust target (rustup);
//! - wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in Cargo.lock (a mismatch breaks
//!   the build; cargo-leptos, too, uses whatever is on PATH and does not check);
//! - only for `cargo xtask watch` (live reload): cargo-leptos. The site build itself does without it
//!   ([`crate::site`]), because compiling cargo-leptos takes about 25 minutes on 2 cores. Its locked
//!   dependencies need a newer rustc than the stable one here, so it is installed with the nightly
//!   toolchain when one is present, else from its published source with one dependency pinned back
//!   (works on stable; set `XTASK_STABLE_ONLY=1` to take this path even where nightly exists);
//! - for release builds, `wasm-opt` from npm `binaryen` 132 (Debian's binaryen 108 silently breaks
//!   hydration), under `tools/node_modules`;
//! - for tests, cargo-nextest (the runner), and for browser tests, Debian's Chromium and the npm packages under `end2end/` (Playwright is told
//!   never to download a browser).

use crate::process::{self, cargo, cmd, on_path, root};
use std::path::PathBuf;

const CARGO_LEPTOS_VERSION: &str = "0.3.11";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// What a site build needs first. wasm-bindgen-cli is not here: [`crate::site::build`] installs it while
/// it compiles, since the two are independent and a fresh machine spends minutes on each.
pub fn ensure_for_build(release: bool) -> Result<(), String> {
    wasm_target()?;
    if release {
        npm_packages("tools")?;
    }
    Ok(())
}

pub fn ensure_for_e2e(release: bool) -> Result<(), String> {
    ensure_for_build(release)?;
    chromium()?;
    npm_packages("end2end")
}

/// Everything `cargo xtask test` needs before it compiles: the wasm32 target and the test runner. The
/// browser-test tools come from [`browser_test_tools_in_background`].
pub fn ensure_for_tests() -> Result<(), String> {
    ensure_for_build(false)?;
    cargo_nextest()
}

/// Chromium and the npm packages under `end2end/`, installed while the tests compile and run: on a
/// fresh machine that is minutes of downloading and unpacking that need nothing from the builds, and
/// only the browser tests at the very end need them. Their output goes to `<target>/browser-tools.log`;
/// joining the handle shows that log if something failed.
pub fn browser_test_tools_in_background() -> std::thread::JoinHandle<Result<(), String>> {
    std::thread::spawn(|| {
        let log_path = crate::e2e::target_dir().join("browser-tools.log");
        let _ = std::fs::create_dir_all(crate::e2e::target_dir());
        let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let result = chromium_logged(Some(&log)).and_then(|()| npm_packages_logged("end2end", Some(&log)));
        result.map_err(|e| {
            let shown = std::fs::read_to_string(&log_path).unwrap_or_default();
            format!("{shown}\ninstalling the browser-test tools in the background failed: {e}")
        })
    })
}

/// Where npm puts `wasm-opt` for release builds.
pub fn npm_bin_dir() -> PathBuf {
    root().join("tools/node_modules/.bin")
}

fn wasm_target() -> Result<(), String> {
    let installed = cmd("rustup", &["target", "list", "--installed"]).output().unwrap_or_default();
    if installed.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    process::step("install the wasm32-unknown-unknown target");
    cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]).run()
}

fn cargo_nextest() -> Result<(), String> {
    if cargo(&["nextest", "--version"]).output().is_some() {
        return Ok(());
    }
    process::step("install cargo-nextest");
    cargo(&["install", "cargo-nextest", "--locked"]).run()
}

/// cargo-leptos, for `cargo xtask watch` only.
pub fn cargo_leptos() -> Result<(), String> {
    let version = cargo(&["leptos", "--version"]).output().unwrap_or_default();
    if version.contains(CARGO_LEPTOS_VERSION) {
        return Ok(());
    }
    process::step(&format!(
        "install cargo-leptos {CARGO_LEPTOS_VERSION} (takes ~25 minutes on 2 cores; only `watch` needs it)"
    ));
    let toolchains = cmd("rustup", &["toolchain", "list"]).output().unwrap_or_default();
    let stable_only = std::env::var_os("XTASK_STABLE_ONLY").is_some();
    if !stable_only && toolchains.lines().any(|t| t.starts_with("nightly")) {
        return cmd("cargo", &["+nightly", "install", "cargo-leptos", "--locked", "--version", CARGO_LEPTOS_VERSION])
            .run();
    }
    // Stable only: fetch the published source, pin the one dependency that needs a newer rustc, install.
    let scratch = std::env::temp_dir().join(format!("xtask-cargo-leptos-{}", std::process::id()));
    let fetcher = scratch.join("fetch");
    std::fs::create_dir_all(fetcher.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        fetcher.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fetch-cargo-leptos\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\ncargo-leptos = \"={CARGO_LEPTOS_VERSION}\"\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(fetcher.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    cmd("cargo", &["fetch"]).dir(&fetcher).run()?;
    let source = registry_source(&format!("cargo-leptos-{CARGO_LEPTOS_VERSION}"))
        .ok_or("cargo fetch did not unpack cargo-leptos into the registry")?;
    let build = scratch.join("cargo-leptos");
    cmd("cp", &["-r", &source.display().to_string(), &build.display().to_string()]).run()?;
    cmd("cargo", &["update", "-p", "cargo-util-schemas", "--precise", "0.14.1"]).dir(&build).run()?;
    cmd("cargo", &["install", "--path", ".", "--locked"]).dir(&build).run()?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn registry_source(dir_name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from(std::env::var_os("HOME")?).join(".cargo")))?;
    std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|index| index.path().join(dir_name))
        .find(|p| p.is_dir())
}

/// The `wasm-bindgen` version recorded in Cargo.lock.
fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_owned())
}

pub fn wasm_bindgen_cli() -> Result<(), String> {
    wasm_bindgen_cli_logged(None)
}

/// [`wasm_bindgen_cli`], with cargo's output into `log` when given (for work in the background).
pub fn wasm_bindgen_cli_logged(log: Option<&std::fs::File>) -> Result<(), String> {
    let wanted = locked_wasm_bindgen_version()?;
    let installed = cmd("wasm-bindgen", &["--version"]).output().unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(());
    }
    process::step(&format!("install wasm-bindgen-cli {wanted} (the version Cargo.lock pins)"));
    // Not `--locked`: its lockfile names a dependency version the registry no longer has. Optimised
    // lightly: a fresh machine compiles it beside the server and the WebAssembly, and at full
    // optimisation it was most of the cold `cargo xtask run`; at level 1 it compiles in about half the
    // time and still turns the WebAssembly into the browser's files in seconds. Without its default
    // `rustls-tls` feature: TLS is only for its test runner's downloads, and it spared compiling rustls
    // and ring (82 s for the whole install on an idle 2-core machine, 150 crates).
    let install =
        cmd("cargo", &["install", "wasm-bindgen-cli", "--version", &wanted, "--force", "--no-default-features"])
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    process::logged(install, log)?.run()
}

fn chromium() -> Result<(), String> {
    chromium_logged(None)
}

fn chromium_logged(log: Option<&std::fs::File>) -> Result<(), String> {
    if std::path::Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    process::step("install Chromium from Debian's packages (for Playwright)");
    let root_user = cmd("id", &["-u"]).output().is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut full = vec!["apt-get"];
        full.extend_from_slice(args);
        if root_user { cmd(full[0], &full[1..]) } else { cmd("sudo", &full) }
    };
    process::logged(apt(&["update"]).env("DEBIAN_FRONTEND", "noninteractive"), log)?.run()?;
    let install =
        apt(&["install", "-y", "--no-install-recommends", "chromium"]).env("DEBIAN_FRONTEND", "noninteractive");
    process::logged(install, log)?.run()
}

/// `npm ci` in `dir` unless its node_modules already matches its package-lock.json.
fn npm_packages(dir: &str) -> Result<(), String> {
    npm_packages_logged(dir, None)
}

fn npm_packages_logged(dir: &str, log: Option<&std::fs::File>) -> Result<(), String> {
    let dir = root().join(dir);
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(lock_time), Some(installed_time)) = (modified(&lock), modified(&installed))
        && installed_time >= lock_time
    {
        return Ok(());
    }
    if !on_path("npm") {
        return Err("npm is needed (for Playwright and binaryen) but is not on PATH".to_owned());
    }
    process::step(&format!("install npm packages in {}", dir.display()));
    let install = cmd("npm", &["ci", "--no-audit", "--no-fund"]).dir(&dir).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    process::logged(install, log)?.run()
}
