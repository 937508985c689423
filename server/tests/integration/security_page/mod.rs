//! SEC1: the public security page and SECURITY.md are built from one catalogue (`security/*.toml`) and
//! from the tests' own markers, and this suite fails when they are incomplete or stale.
//!
//! The marker convention: a Rust test proves promises with the doc-comment line `/// Proves: ID4, ID5`
//! directly above its `fn` (after its other doc lines and attributes); a Playwright test ends its title
//! with `[Proves: UX1]`. `cargo xtask security` (the ignored test `security_page::regenerate`) rewrites
//! SECURITY.md and `app/src/pages/security/data.rs` from them.

mod catalogue;
mod markers;
mod render;

use crate::harness::TestApp;
use crate::security_headers::assert_hardened;
use catalogue::{Catalogue, Status};
use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the server crate sits in the repository").to_path_buf()
}

/// The catalogue, the two generated files as they should read, and every problem found.
fn generate(root: &Path) -> (Catalogue, [(&'static str, String); 2], Vec<String>) {
    let (markers, mut problems) = markers::scan(root);
    let (catalogue, more) = catalogue::build(root, &markers);
    problems.extend(more);
    let files =
        [(render::SECURITY_MD, render::markdown(&catalogue)), (render::PAGE_DATA, render::page_data(&catalogue))];
    (catalogue, files, problems)
}

/// Every offered promise has a test, every marker names a known promise, every ASVS level 1 and 2
/// requirement is in the table (compared with `../shared/asvs` when it is beside the repository), and
/// SECURITY.md and the page data are what the generator makes now.
/// Proves: SEC1
#[test]
fn the_security_page_sources_are_complete_and_current() {
    let root = repository();
    let (_, files, mut problems) = generate(&root);
    for (path, expected) in &files {
        let current = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        if &current != expected {
            problems.push(format!("{path} is stale: run `cargo xtask security`"));
        }
    }
    assert!(problems.is_empty(), "the security page is not right:\n  {}", problems.join("\n  "));
}

/// Writes SECURITY.md and the page data when `STRONGROOM_WRITE_SECURITY=1` (as `cargo xtask security`
/// runs it; a run of all ignored tests leaves the files alone). Fails afterwards if the catalogue still has
/// problems: the files are written anyway, so that the page shows what is there.
#[test]
#[ignore = "writes files: run through `cargo xtask security`"]
fn regenerate() {
    if std::env::var("STRONGROOM_WRITE_SECURITY").as_deref() != Ok("1") {
        eprintln!("STRONGROOM_WRITE_SECURITY is not 1: nothing written (run `cargo xtask security`)");
        return;
    }
    let root = repository();
    let (_, files, problems) = generate(&root);
    for (path, text) in &files {
        std::fs::write(root.join(path), text).unwrap_or_else(|e| panic!("writing {path}: {e}"));
        println!("wrote {path}");
    }
    assert!(problems.is_empty(), "written, but the catalogue has problems:\n  {}", problems.join("\n  "));
}

/// Plain text of an HTML fragment: tags and comments become spaces, whitespace collapses.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `/security` answers to anyone, hardened like every page, with every offered promise (anchored by its
/// id), the tests that prove it, the ASVS counts, and the not-yet-offered capabilities.
/// Proves: SEC1, WEB1
#[tokio::test]
async fn the_security_page_shows_every_promise_with_its_tests_and_the_asvs_counts() {
    let (catalogue, _, _) = generate(&repository());
    let app = TestApp::spawn().await;
    let response = app.get("/security").await;
    assert_eq!(response.status(), 200);
    assert_hardened(&response, "/security");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();

    for promise in &catalogue.promises {
        assert!(html.contains(&format!("id=\"{}\"", promise.id)), "no anchor for {}", promise.id);
        let first = promise.tests.first().expect("every promise has a test");
        let shown = first.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&shown), "{}: test {first} not shown", promise.id);
    }
    for missing in &catalogue.not_yet {
        assert!(html.contains(&format!("id=\"{}\"", missing.id)), "not-yet {} not listed", missing.id);
    }
    for level in [1u8, 2] {
        let start =
            html.find(&format!("data-testid=\"asvs-l{level}\"")).unwrap_or_else(|| panic!("no level {level} row"));
        let row = &html[start..start + html[start..].find("</tr>").unwrap()];
        let [met, na, open] = [Status::Met, Status::NotApplicable, Status::Open].map(|s| catalogue.count(level, s));
        let expected = format!("Level {level} {met} {na} {open} {}", met + na + open);
        assert!(text_of(&format!("<{row}")).ends_with(&expected), "level {level}: {row}");
    }
    assert_eq!(html.matches("<tr id=\"V").count(), catalogue.asvs.len(), "one row per ASVS requirement");
}
