//! `cargo xtask security`: regenerate SECURITY.md and the `/security` page data
//! (`app/src/pages/security/data.rs`) from `security/*.toml` and the tests' `Proves:` markers.
//!
//! The generator lives beside its check in the integration tests (`security_page`), so the two can never
//! disagree; this command runs it in its writing mode.

use crate::process;

pub fn regenerate() -> Result<(), String> {
    process::step("security page: regenerate SECURITY.md and app/src/pages/security/data.rs");
    let args = ["test", "-p", "server", "--test", "integration", "--locked", "--", "--ignored", "--exact"];
    let mut args = args.to_vec();
    args.push("security_page::regenerate");
    process::cargo(&args).env("STRONGROOM_WRITE_SECURITY", "1").run()
}
