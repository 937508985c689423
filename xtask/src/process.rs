//! Running commands with clear output: each step is announced, and a failure says which command failed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The workspace root (xtask lives one level below it) of the checkout `cargo xtask` was run in. Read at run time: with a target
/// directory shared between clones, cargo may run an xtask binary compiled in another clone, whose
/// compile-time `CARGO_MANIFEST_DIR` would point there.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest_dir).parent().expect("xtask is inside the workspace").to_owned()
}

pub fn step(title: &str) {
    println!("\n==> {title}");
}

pub struct Cmd {
    inner: Command,
    shown: String,
}

pub fn cmd(program: &str, args: &[&str]) -> Cmd {
    let mut inner = Command::new(program);
    inner.args(args).current_dir(root());
    Cmd { inner, shown: format!("{program} {}", args.join(" ")) }
}

/// `command` with its stdout and stderr going to `log`, when there is one.
pub fn logged(command: Cmd, log: Option<&std::fs::File>) -> Result<Cmd, String> {
    let Some(log) = log else { return Ok(command) };
    let (out, err) = (log.try_clone().map_err(|e| e.to_string())?, log.try_clone().map_err(|e| e.to_string())?);
    Ok(command.stdout(out).stderr(err))
}

pub fn cargo(args: &[&str]) -> Cmd {
    cmd(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()), args)
}

impl Cmd {
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.inner.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    pub fn env_if_unset(self, key: &str, value: &str) -> Self {
        if std::env::var_os(key).is_some() { self } else { self.env(key, value) }
    }

    pub fn stdout(mut self, to: impl Into<Stdio>) -> Self {
        self.inner.stdout(to);
        self
    }

    pub fn stderr(mut self, to: impl Into<Stdio>) -> Self {
        self.inner.stderr(to);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.inner.env_remove(key);
        self
    }

    /// Runs to completion, inheriting stdio; a non-zero exit is an error naming the command.
    pub fn run(mut self) -> Result<(), String> {
        println!("$ {}", self.shown);
        let status = self.inner.status().map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", self.shown)) }
    }

    /// Runs to completion and returns stdout, or `None` if it could not run or failed.
    pub fn output(mut self) -> Option<String> {
        let out = self.inner.stderr(Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn spawn(mut self) -> Result<Child, String> {
        println!("$ {} &", self.shown);
        self.inner.spawn().map_err(|e| format!("could not start `{}`: {e}", self.shown))
    }
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// PATH with `dir` in front, for tools installed inside the project (npm binaryen's wasm-opt).
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_owned()];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).expect("PATH entries contain no separator")
}
