//! `cargo xtask …`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! Every command first installs what this machine lacks (see [`tools`]) and skips what is there, so the
//! same two commands work on a fresh machine and on a warm one:
//!
//! - `cargo xtask run`  — build the site and serve Strongroom on the embedded default (SQLite, dev mail
//!   outbox, sandbox payments) at http://127.0.0.1:3000 (`STRONGROOM_ADDR` to change).
//! - `cargo xtask test` — every check and test: rustfmt, clippy (server and WebAssembly builds), the
//!   supply chain (advisories offline, licences, duplicates; see [`supply_chain`]), unit and integration tests (SQLite; and PostgreSQL too when `STRONGROOM_TEST_POSTGRES` is set), then
//!   Playwright in desktop and phone-sized Chromium against a freshly built server.
//!
//! Kept free of dependencies so that it compiles in seconds.

mod assets;
mod e2e;
mod lighthouse;
mod lint;
mod process;
mod security;
mod site;
mod sizes;
mod supply_chain;
mod tools;

use std::process::ExitCode;

/// Integration tests that break their own storage (a tenant directory, a database that cannot be made) and
/// so cannot run against the PostgreSQL server the other tests share.
const SQLITE_ONLY: [&str; 2] = [
    "tenancy::a_workspace_whose_database_cannot_be_created_leaves_nothing_behind",
    "health::readiness_fails_when_tenant_storage_is_gone",
];
const SQLITE_ONLY_FILTER: &str = "kind(test) - test(=tenancy::a_workspace_whose_database_cannot_be_created_leaves_nothing_behind) - test(=health::readiness_fails_when_tenant_storage_is_gone)";

const USAGE: &str = "\
usage: cargo xtask <command> [--release] [--demo]

commands:
  run      install what is missing, build, and serve Strongroom (SQLite under ./data);
           `--demo` first fills a demo workspace and prints how to sign in (dev mode, loopback only)
  watch    like `run`, rebuilding and reloading the browser on every change (installs cargo-leptos,
           which takes about 25 minutes to compile the first time)
  test     install what is missing, then run every check and test
  e2e      only the Playwright tests (builds the site first); what follows `--` goes to Playwright,
           e.g. `cargo xtask e2e -- tests/billing.spec.ts --project desktop`
  setup    only install what is missing
  audit    only the supply-chain checks (RustSec advisories offline, licences, duplicate crates)
  sizes    release build; print the WebAssembly (raw, gzip, brotli) and server binary sizes
  security regenerate SECURITY.md and the /security page from security/*.toml and the tests' markers
  lighthouse  release build; Lighthouse (mobile) on the landing, sign-in and a workspace page, with the
           budget enforced: performance 95, accessibility and best practices 100
  bench    every benchmark in server/benches, each beside a reference measured in the same run
           (sign-ins against raw argon2id verifications; BENCH_SECONDS, default 10)

environment:
  STRONGROOM_TEST_POSTGRES  a PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5432/postgres):
                            `test` then also runs the integration tests against PostgreSQL
  STRONGROOM_ADDR           address for `run` (default 127.0.0.1:3000)
  STRONGROOM_ADVISORY_DB    the RustSec database for `test` and `audit` (default ../shared/advisory-db)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let release = args.iter().any(|a| a == "--release");
    let demo = args.iter().any(|a| a == "--demo");
    let result = match args.first().map(String::as_str) {
        Some("run") => run(release, demo),
        Some("watch") => watch(),
        Some("test") => test(),
        Some("e2e") => tools::ensure_for_e2e(release).and_then(|()| e2e::run(release, playwright_args(&args))),
        Some("setup") => tools::ensure_for_e2e(true)
            .and_then(|()| tools::wasm_bindgen_cli())
            .and_then(|()| supply_chain::ensure_tools()),
        Some("audit") => supply_chain::check(),
        Some("security") => security::regenerate(),
        Some("lighthouse") => lighthouse::run(),
        Some("sizes") => tools::ensure_for_build(true).and_then(|()| sizes::report()),
        Some("bench") => {
            // Every file in server/benches is a harness-less benchmark that prints its figures beside a
            // reference measured in the same run.
            process::step("benchmarks in server/benches (release build), each beside its reference");
            process::cargo(&["bench", "-p", "server", "--bench", "*", "--locked"]).run()
        }
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The result of work started in the background.
fn joined(work: std::thread::JoinHandle<Result<(), String>>, what: &str) -> Result<(), String> {
    work.join().unwrap_or_else(|_| Err(format!("{what} panicked")))
}

/// Everything after a `--`, handed on to `npx playwright test` unchanged.
fn playwright_args(args: &[String]) -> Vec<String> {
    args.iter().skip_while(|a| *a != "--").skip(1).cloned().collect()
}

fn run(release: bool, demo: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    tools::ensure_for_build(release)?;
    site::build(release)?;
    let mut args = vec!["serve"];
    if demo {
        args.push("--demo");
    }
    process::step(&format!("serve Strongroom (built in {:.0?}; Ctrl-C stops it)", started.elapsed()));
    process::cmd(&site::server_binary(release).display().to_string(), &args)
        .env_if_unset("STRONGROOM_DATA_DIR", "data")
        .run()
}

/// `cargo leptos watch`: rebuilds server and WebAssembly on every change and reloads the browser.
fn watch() -> Result<(), String> {
    tools::ensure_for_build(false)?;
    tools::wasm_bindgen_cli()?;
    tools::cargo_leptos()?;
    process::step("serve Strongroom with live reload (Ctrl-C stops it)");
    process::cargo(&["leptos", "watch"]).env_if_unset("STRONGROOM_DATA_DIR", "data").run()
}

fn test() -> Result<(), String> {
    let started = std::time::Instant::now();
    tools::ensure_for_tests()?;
    supply_chain::ensure_tools()?;
    let browser_tools = tools::browser_test_tools_in_background();
    // Clippy runs inside the builds below rather than in check builds of its own ([`lint`]).
    lint::enable()?;
    let browser_side = site::build_browser_side_in_background();

    process::step("rustfmt");
    process::cargo(&["fmt", "--all", "--check"]).run()?;

    supply_chain::check()?;

    process::step("clippy (-D warnings) while compiling every target of the server side and the tools");
    lint::cargo(&["test", "--no-run", "--workspace", "--exclude", "frontend", "--all-targets", "--locked"]).run()?;
    process::step("clippy (-D warnings) while compiling the browser side (hydrate, wasm32), begun in the background");
    joined(browser_side, "the browser-side build")?;

    process::step("unit and integration tests (SQLite)");
    let nextest = ["nextest", "run", "--workspace", "--exclude", "frontend", "--locked", "--no-fail-fast"];
    lint::cargo(&nextest).env_remove("STRONGROOM_TEST_POSTGRES").run()?;

    on_postgres(&nextest)?;

    joined(browser_tools, "the browser-test tools' installation")?;
    // The browser tests are served by the binary the test build made (see `site::Server::FromTests`).
    site::build_serving(false, site::Server::FromTests)?;
    // Beside the tests with other servers, which mostly wait on those servers (a store stopped mid-upload,
    // Redis round trips). Not beside the PostgreSQL run: on two cores both are CPU-bound, and together they
    // took longer than one after the other (PostgreSQL tests 3 to 5 times slower).
    process::step("Playwright (desktop and phone) in the background, beside the tests below (log: target/e2e.log)");
    let browser_tests = e2e::in_background();
    let server_tests = with_other_servers(&nextest);
    process::step("Playwright (desktop and phone), run beside the tests above: its output");
    let browser_tests =
        browser_tests.join().unwrap_or_else(|_| Err((String::new(), "the browser tests panicked".into())));
    let browser_tests = match browser_tests {
        Ok(shown) => {
            print!("{shown}");
            Ok(())
        }
        Err((shown, error)) => {
            print!("{shown}");
            Err(error)
        }
    };
    server_tests.and(browser_tests)?;
    println!("\nall checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// The integration tests on PostgreSQL, when `STRONGROOM_TEST_POSTGRES` names a server.
fn on_postgres(nextest: &[&str]) -> Result<(), String> {
    match std::env::var("STRONGROOM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => {
            process::step("integration tests (PostgreSQL)");
            let mut args = nextest.to_vec();
            args.extend(["-p", "server"]);
            // Only the integration tests depend on the backend; rerunning the unit tests would prove nothing new.
            // Tests that break their storage on purpose run on SQLite only; nextest reports them as skipped.
            args.extend(["-E", SQLITE_ONLY_FILTER]);
            // Three tests per two cores: they mostly wait on the database (the CPU was a third to half idle
            // at one per core). The tests that measure time run alone (`.config/nextest.toml`).
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let threads = (cores * 3 / 2).max(2).to_string();
            args.extend(["--test-threads", &threads, "--profile", "postgres"]);
            println!("(SQLite only, skipped on PostgreSQL: {})", SQLITE_ONLY.join(", "));
            // Not beside a build of the end-to-end server: that would replace `target/debug/strongroom`,
            // which the crash and CLI tests run, with the binary without `test-support`.
            lint::cargo(&args).run()
        }
        _ => {
            println!("(STRONGROOM_TEST_POSTGRES is not set: skipping the PostgreSQL run)");
            Ok(())
        }
    }
}

/// The tests that need another server or tool (Redis, SeaweedFS, dkimpy).
fn with_other_servers(nextest: &[&str]) -> Result<(), String> {
    // The tests that need another server are marked #[ignore], so that a plain `cargo nextest run` on a
    // machine without it skips them visibly: SeaweedFS (installed here, started by each test) always,
    // Redis when STRONGROOM_TEST_REDIS names one.
    let weed = supply_chain::ensure_weed()?;
    let dkimpy = supply_chain::ensure_dkimpy()?;
    let redis = std::env::var("STRONGROOM_TEST_REDIS").is_ok_and(|url| !url.is_empty());
    process::step(if redis {
        "integration tests with other servers and tools: Redis (sessions, shared rate limits), SeaweedFS (S3 backups), dkimpy (DKIM)"
    } else {
        "integration tests with other servers and tools: SeaweedFS (S3 backups), dkimpy (DKIM)"
    });
    if !redis {
        println!("(STRONGROOM_TEST_REDIS is not set: skipping the Redis tests)");
    }
    let mut args = nextest.to_vec();
    let filter = if redis { "kind(test)" } else { "kind(test) & (test(/^backups::s3::/) | test(/^mail::dkim::/))" };
    args.extend(["-p", "server", "--run-ignored", "only", "-E", filter]);
    lint::cargo(&args)
        .env_remove("STRONGROOM_TEST_POSTGRES")
        .env("STRONGROOM_TEST_WEED", &weed)
        .env("STRONGROOM_TEST_DKIMPY", &dkimpy)
        .run()
}
