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
//! 6. the server binary.
//!
//! The names come from `[[workspace.metadata.leptos]]` in Cargo.toml, which stays the one description of
//! the site: `cargo leptos build` and `cargo leptos watch` keep working from it (see `cargo xtask watch`).

use crate::assets;
use crate::e2e::target_dir;
use crate::process::{self, cargo, cmd, path_with, root};
use crate::tools;
use std::path::{Path, PathBuf};

/// The output name in `[[workspace.metadata.leptos]]` and `LEPTOS_OUTPUT_NAME` in `.cargo/config.toml`.
pub const OUTPUT_NAME: &str = "strongroom";

/// Where the site is assembled (`site-root`), relative to the workspace root as cargo-leptos has it.
pub fn site_root() -> PathBuf {
    root().join("target/site")
}

pub fn build(release: bool) -> Result<(), String> {
    process::step(&format!("build the site ({}) without cargo-leptos", if release { "release" } else { "dev" }));
    check_metadata()?;
    let pkg = site_root().join("pkg");
    // Start empty: files of an earlier build (other hashes) must not linger and be served.
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    std::fs::create_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;

    let front_target = target_dir().join("front");
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
    cargo(&args).env("CARGO_TARGET_DIR", &front_target).run()?;

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
    assets::precompress(&site_root(), release)?;

    let mut server = vec!["build", "--package=server", "--bin=strongroom", "--locked"];
    if release {
        server.push("--release");
    }
    cargo(&server).run()
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
