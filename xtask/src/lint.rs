//! Clippy inside the builds that `cargo xtask test` makes anyway, instead of in builds of its own.
//!
//! `cargo clippy` is `cargo check` with clippy-driver as the workspace's rustc wrapper. A check build
//! makes no code, so what it compiles of the dependencies serves nothing else: on a fresh 2-core machine,
//! checking every dependency of the server and again of the WebAssembly took minutes, and then the test
//! build compiled the same crates once more. Here the test build, the WebAssembly build and the end-to-end
//! server build run with clippy-driver as the wrapper instead (as `cargo clippy` sets it up: the
//! arguments in `CLIPPY_ARGS`): the workspace's own crates are linted while they are compiled, with
//! `-D warnings`, so a lint fails the build; the dependencies are compiled once, without lints.
//!
//! Once [`enable`]d, every cargo build of the run goes through [`cargo`]: the wrapper is part of cargo's
//! fingerprint, so a build without it would compile the workspace's crates again.

use crate::process::{self, Cmd};
use std::path::PathBuf;
use std::sync::OnceLock;

/// What `cargo clippy -- -D warnings` hands clippy-driver: each argument followed by this separator.
const CLIPPY_ARGS: &str = "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__";

static DRIVER: OnceLock<PathBuf> = OnceLock::new();

/// From now on, builds made through [`cargo`] are linted.
pub fn enable() -> Result<(), String> {
    let driver = clippy_driver()?;
    let _ = DRIVER.set(driver);
    Ok(())
}

/// `cargo <args>` in the workspace, with clippy as the rustc wrapper of its crates once [`enable`]d.
/// Not for `cargo install`: the crate installed would count as a workspace crate and be linted.
pub fn cargo(args: &[&str]) -> Cmd {
    let command = process::cargo(args);
    match DRIVER.get() {
        Some(driver) => command.env("RUSTC_WORKSPACE_WRAPPER", driver).env("CLIPPY_ARGS", CLIPPY_ARGS),
        None => command,
    }
}

/// clippy-driver of the toolchain that runs this build: beside its cargo, else in its sysroot.
fn clippy_driver() -> Result<PathBuf, String> {
    let beside_cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|cargo| cargo.parent().map(|dir| dir.join("clippy-driver")));
    let in_sysroot = || {
        process::cmd("rustc", &["--print", "sysroot"])
            .output()
            .map(|sysroot| PathBuf::from(sysroot.trim()).join("bin/clippy-driver"))
    };
    beside_cargo
        .filter(|path| path.is_file())
        .or_else(|| in_sysroot().filter(|path| path.is_file()))
        .ok_or_else(|| "clippy-driver was not found: `rustup component add clippy`".to_owned())
}
