//! Builds the site without cargo-leptos: the same steps `cargo leptos build` takes, done by cargo and
//! wasm-bindgen directly, so a fresh machine does not spend 25 minutes compiling cargo-leptos first.
//!
//! 1. the WebAssembly library: `frontend` with the `hydrate` feature for `wasm32-unknown-unknown` (the
//!    `wasm-release` profile for release builds), in `<target>/front` as cargo-leptos does, so that the
//!    host and browser builds never fight over one target directory's lock or flags;
//! 2. `wasm-bindgen --target web` at the version Cargo.lock pins, into `target/site/pkg`, then the
//!    `_bg` suffix dropped from the WebAssembly file as cargo-leptos does (`LEPTOS_OUTPUT_NAME` is set in
//!    `.cargo/config.toml`, so every build of the server expects that name);
//! 3. release only: `wasm-opt -Oz` from npm's binaryen 132 (Debian's 108 breaks hydration);
//! 4. the stylesheet to `pkg/strongroom.css` and `public/` into the site root;
//! 5. content-hashed names and precompressed copies ([`crate::assets`]);
//! 6. the server binary (compiled while steps 1 and 2 run).
//!
//! The names come from `[[workspace.metadata.leptos]]` in Cargo.toml, which stays the one description of
//! the site: `cargo leptos build` and `cargo leptos watch` keep working from it (see `cargo xtask watch`).

use crate::assets;
use crate::e2e::target_dir;
use crate::lint;
use crate::process::{self, cmd, path_with, root};
use crate::tools;
use std::path::{Path, PathBuf};

/// The output name in `[[workspace.metadata.leptos]]` and `LEPTOS_OUTPUT_NAME` in `.cargo/config.toml`.
pub const OUTPUT_NAME: &str = "strongroom";

/// Where the site is assembled (`site-root`), relative to the workspace root as cargo-leptos has it.
pub fn site_root() -> PathBuf {
    root().join("target/site")
}

/// Which `strongroom` binary serves the site.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// Built here, with the server's own features (what `cargo xtask run` and `e2e` serve).
    Build,
    /// The one the test build made (`cargo xtask test`): the same code with the tests' `test-support`
    /// helpers compiled in (functions the tests call, and a crash hook that acts only when
    /// `TEST_SUPPORT_CRASH_AT` is set). Building the server again without them recompiled the workspace's
    /// crates, 1.5 minutes of a cold run.
    FromTests,
}

pub fn build(release: bool) -> Result<(), String> {
    build_serving(release, Server::Build)
}

pub fn build_serving(release: bool, server: Server) -> Result<(), String> {
    process::step(&format!("build the site ({}) without cargo-leptos", if release { "release" } else { "dev" }));
    check_metadata()?;
    // Installing wasm-bindgen-cli, compiling the WebAssembly and compiling the server are independent.
    // On a fresh machine each takes minutes and each has single-threaded stretches (build scripts,
    // proc macros, linking) that the others fill, so they run at once.
    let installer = std::thread::spawn(tools::wasm_bindgen_cli);
    let front_target = target_dir().join("front");
    let browser = {
        let front_target = front_target.clone();
        std::thread::spawn(move || build_library(release, &front_target))
    };
    let server = match server {
        Server::Build => server_build(release).run(),
        Server::FromTests if server_binary(release).exists() => Ok(()),
        Server::FromTests => Err(format!("{} is missing: the test build makes it", server_binary(release).display())),
    };
    let joined = |thread: std::thread::JoinHandle<Result<(), String>>| {
        thread.join().unwrap_or_else(|_| Err("a build thread panicked".to_owned()))
    };
    let (installed, browser) = (joined(installer), joined(browser));
    installed.and(browser).and(server)?;

    let pkg = site_root().join("pkg");
    // Start empty: files of an earlier build (other hashes) must not linger and be served.
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    std::fs::create_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    let profile_dir = if release { "wasm-release" } else { "debug" };
    let library = front_target.join("wasm32-unknown-unknown").join(profile_dir).join("frontend.wasm");
    cmd(
        "wasm-bindgen",
        &[
            "--target=web",
            "--no-typescript",
            &format!("--out-name={OUTPUT_NAME}"),
            &format!("--out-dir={}", pkg.display()),
            &library.display().to_string(),
        ],
    )
    .run()?;
    let wasm = pkg.join(format!("{OUTPUT_NAME}.wasm"));
    rename(&pkg.join(format!("{OUTPUT_NAME}_bg.wasm")), &wasm)?;
    if release {
        let wasm = wasm.display().to_string();
        cmd("wasm-opt", &["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", &wasm, "-o", &wasm])
            .env("PATH", path_with(&tools::npm_bin_dir()))
            .run()?;
    }

    copy(&root().join("style/main.css"), &pkg.join(format!("{OUTPUT_NAME}.css")))?;
    copy_dir(&root().join("public"), &site_root())?;
    assets::fingerprint(&site_root(), &pkg)?;
    assets::precompress(&site_root(), release)
}

/// Starts the browser half of a dev site build in the background: wasm-bindgen-cli installed and the
/// WebAssembly compiled (and linted, [`lint`]). `cargo xtask test` starts it first: it needs nothing the
/// checks produce, and on a fresh machine it fills the single-threaded stretches (build scripts, linking)
/// of the test build instead of running after them. Its output goes to `<target>/browser-build.log`; joining
/// the handle shows that log if it failed. [`build`] then finds both done.
pub fn build_browser_side_in_background() -> std::thread::JoinHandle<Result<(), String>> {
    std::thread::spawn(|| {
        let log_path = target_dir().join("browser-build.log");
        let _ = std::fs::create_dir_all(target_dir());
        let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let result = tools::wasm_bindgen_cli_logged(Some(&log))
            .and_then(|()| build_library_logged(false, &target_dir().join("front"), Some(&log)));
        result.map_err(|e| {
            let shown = std::fs::read_to_string(&log_path).unwrap_or_default();
            format!("{shown}\nthe browser-side build in the background failed: {e}")
        })
    })
}

/// `cargo build` of the `strongroom` binary.
fn server_build(release: bool) -> process::Cmd {
    let mut args = vec!["build", "--package=server", "--bin=strongroom", "--locked"];
    if release {
        args.push("--release");
    }
    lint::cargo(&args)
}

/// The `hydrate` build of `frontend` for the browser, in `front_target` as cargo-leptos does.
fn build_library(release: bool, front_target: &Path) -> Result<(), String> {
    build_library_logged(release, front_target, None)
}

fn build_library_logged(release: bool, front_target: &Path, log: Option<&std::fs::File>) -> Result<(), String> {
    let mut args = vec![
        "build",
        "--package=frontend",
        "--lib",
        "--target=wasm32-unknown-unknown",
        "--no-default-features",
        "--features=hydrate",
        "--locked",
    ];
    if release {
        args.push("--profile=wasm-release");
    }
    process::logged(lint::cargo(&args).env("CARGO_TARGET_DIR", front_target), log)?.run()
}

/// The path of the server binary that [`build`] produced.
pub fn server_binary(release: bool) -> PathBuf {
    target_dir().join(if release { "release" } else { "debug" }).join("strongroom")
}

/// The names used here must be the ones cargo-leptos reads, or `cargo leptos build` would build another site.
fn check_metadata() -> Result<(), String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let expected = [
        format!("name = \"{OUTPUT_NAME}\""),
        "lib-package = \"frontend\"".to_owned(),
        "site-root = \"target/site\"".to_owned(),
        "site-pkg-dir = \"pkg\"".to_owned(),
        "style-file = \"style/main.css\"".to_owned(),
        "assets-dir = \"public\"".to_owned(),
        "lib-profile-release = \"wasm-release\"".to_owned(),
    ];
    let section = manifest.split("[[workspace.metadata.leptos]]").nth(1).ok_or("Cargo.toml has no leptos metadata")?;
    match expected.iter().find(|line| !section.lines().any(|l| l.trim() == line.as_str())) {
        Some(missing) => {
            Err(format!("[[workspace.metadata.leptos]] no longer says `{missing}`: update xtask/src/site.rs"))
        }
        None => Ok(()),
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::rename(from, to).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}
