//! Finds the `Proves:` markers: a doc-comment line directly above a Rust test function, or a bracketed
//! tag at the end of a Playwright test title, naming the promise ids that test proves.
//!
//! The scanner reads the Rust sources of the crates that hold tests and the Playwright specs, and names
//! each test by its module path and function (`identity::lockout::five_failures_…` for an integration
//! test, `domain::identity::password::tests::…` for a unit test, `end2end/identity.spec.ts › …` for a
//! browser test). Lines that look like a marker but are not one are reported, so a typo cannot silently
//! leave a promise unproven.

use std::path::{Path, PathBuf};

/// One test and the promise ids it claims to prove.
#[derive(Debug, Clone)]
pub struct Marker {
    pub ids: Vec<String>,
    pub test: String,
    /// `file:line` of the marker, for messages.
    pub place: String,
}

/// Rust source trees scanned, relative to the repository root, with the crate name their paths start with.
const RUST_TREES: &[(&str, Option<&str>)] = &[
    ("server/tests", None),
    ("domain/src", Some("domain")),
    ("model/src", Some("model")),
    ("server/src", Some("server")),
    ("app/src", Some("app")),
];

const RUST_MARKER: &str = "/// Proves:";
const TS_MARKER: &str = "[Proves:";

/// Every marker under `root`, and every problem found on the way.
pub fn scan(root: &Path) -> (Vec<Marker>, Vec<String>) {
    let mut markers = Vec::new();
    let mut problems = Vec::new();
    for (tree, krate) in RUST_TREES {
        for file in files(&root.join(tree), "rs") {
            let relative = file.strip_prefix(root).unwrap_or(&file).display().to_string();
            let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {relative}: {e}"));
            let module = module_path(file.strip_prefix(root.join(tree)).unwrap(), *krate);
            scan_rust(&source, &module, &relative, &mut markers, &mut problems);
        }
    }
    let specs = root.join("end2end/tests");
    for file in files(&specs, "ts").into_iter().filter(|f| f.parent() == Some(specs.as_path())) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        scan_playwright(&source, &name, &mut markers, &mut problems);
    }
    (markers, problems)
}

/// Files with extension `ext` under `dir`, recursively, in a stable order.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The module path of a file: `identity/lockout.rs` under `server/tests/integration` is `identity::lockout`.
fn module_path(relative: &Path, krate: Option<&str>) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if krate.is_none() && parts.len() > 1 {
        parts.remove(0); // the test binary's directory (`integration`)
    }
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "lib" | "main" | "mod") {
            parts.push(stem.to_owned());
        }
    }
    krate.map(str::to_owned).into_iter().chain(parts).collect()
}

fn parse_ids(list: &str) -> Vec<String> {
    list.split(',').map(|id| id.trim().to_owned()).collect()
}

fn valid_id(id: &str) -> bool {
    let letters = id.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && id.len() > letters && id[letters..].chars().all(|c| c.is_ascii_digit())
}

fn scan_rust(source: &str, file_module: &[String], file: &str, markers: &mut Vec<Marker>, problems: &mut Vec<String>) {
    let lines: Vec<&str> = source.lines().collect();
    // Inline modules (`mod tests {`), by their indentation: rustfmt'd code closes them at the same one.
    let mut inline: Vec<(usize, String)> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(name) = inline_module(trimmed) {
            inline.push((indent, name));
            continue;
        }
        if trimmed == "}" && inline.last().is_some_and(|(i, _)| *i == indent) {
            inline.pop();
            continue;
        }
        let place = format!("{file}:{}", index + 1);
        let Some(list) = trimmed.strip_prefix(RUST_MARKER) else {
            if looks_like_marker(trimmed) {
                problems.push(format!("{place}: malformed marker `{trimmed}` (write `{RUST_MARKER} ID4, ID5`)"));
            }
            continue;
        };
        let ids = parse_ids(list);
        if ids.iter().any(|id| !valid_id(id)) {
            problems.push(format!("{place}: malformed ids in `{trimmed}`"));
            continue;
        }
        match test_function(&lines, index) {
            Ok(name) => {
                let test = file_module.iter().chain(inline.iter().map(|(_, m)| m)).chain([&name]).cloned();
                markers.push(Marker { ids, test: test.collect::<Vec<_>>().join("::"), place });
            }
            Err(why) => problems.push(format!("{place}: {why}")),
        }
    }
}

/// `//` comments that mention a marker but are not exactly one (module docs, `//!`, may explain them).
fn looks_like_marker(trimmed: &str) -> bool {
    trimmed.starts_with("//") && !trimmed.starts_with("//!") && trimmed.to_ascii_lowercase().contains("proves:")
}

fn inline_module(trimmed: &str) -> Option<String> {
    let rest = trimmed.strip_prefix("pub ").or_else(|| trimmed.strip_prefix("pub(crate) ")).unwrap_or(trimmed);
    let name = rest.strip_prefix("mod ")?.strip_suffix(" {")?;
    name.chars().all(|c| c.is_alphanumeric() || c == '_').then(|| name.to_owned())
}

/// The test function a marker at `index` stands above: only doc comments, comments and attributes may
/// come between, and one attribute of the item must be a test attribute.
fn test_function(lines: &[&str], index: usize) -> Result<String, String> {
    let is_header = |line: &str| {
        let t = line.trim_start();
        t.starts_with("///") || t.starts_with("//") || t.starts_with("#[")
    };
    let mut is_test = lines[..index].iter().rev().take_while(|l| is_header(l)).any(|l| is_test_attribute(l));
    for line in &lines[index + 1..] {
        if let Some(name) = function_name(line.trim_start()) {
            return if is_test || is_test_attribute(line) {
                Ok(name)
            } else {
                Err(format!("marker above `fn {name}`, which is not a test (no #[test] attribute)"))
            };
        }
        if !is_header(line) {
            return Err("marker not directly above a function".to_owned());
        }
        is_test |= is_test_attribute(line);
    }
    Err("marker at the end of the file".to_owned())
}

fn is_test_attribute(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("#[") && (t.starts_with("#[test") || t.contains("::test"))
}

fn function_name(trimmed: &str) -> Option<String> {
    let mut rest = trimmed;
    for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async ", "const ", "unsafe "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    rest = rest.strip_prefix("async ").unwrap_or(rest);
    let name: String = rest.strip_prefix("fn ")?.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

/// Playwright: a `test(` call whose title ends with the bracketed marker.
fn scan_playwright(source: &str, file: &str, markers: &mut Vec<Marker>, problems: &mut Vec<String>) {
    for (index, line) in source.lines().enumerate() {
        let place = format!("end2end/tests/{file}:{}", index + 1);
        let Some(title) = playwright_title(line) else {
            if line.contains("Proves") {
                problems.push(format!("{place}: `Proves` outside a test title"));
            }
            continue;
        };
        let Some(start) = title.find(TS_MARKER) else {
            if title.to_ascii_lowercase().contains("proves:") {
                problems.push(format!("{place}: malformed marker in `{title}` (end the title with `[Proves: UX1]`)"));
            }
            continue;
        };
        let Some(list) = title[start + TS_MARKER.len()..].strip_suffix(']') else {
            problems.push(format!("{place}: the marker must end the title: `{title}`"));
            continue;
        };
        let ids = parse_ids(list);
        if ids.iter().any(|id| !valid_id(id)) {
            problems.push(format!("{place}: malformed ids in `{title}`"));
            continue;
        }
        let test = format!("end2end/{file} › {}", title[..start].trim_end());
        markers.push(Marker { ids, test, place });
    }
}

/// The title of a `test(` call that starts on this line (not `test.describe(`, not `….test(`).
fn playwright_title(line: &str) -> Option<&str> {
    let at = line.find("test(")?;
    if line[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_') {
        return None;
    }
    let rest = &line[at + "test(".len()..];
    let quote = rest.chars().next().filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let end = rest[1..].find(quote)?;
    Some(&rest[1..=end])
}
