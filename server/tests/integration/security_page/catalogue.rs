//! Reads the security catalogue (`security/promises.toml`, `security/asvs.toml`, the ASVS list copied
//! into `security/asvs-5.0.0-l1-l2.tsv`), joins it with the tests' markers, and lists every problem: a
//! promise without a test, a marker naming an unknown id, an ASVS requirement missing from the table.

use super::markers::Marker;
use figment::providers::Format as _;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How many level 1 and level 2 requirements ASVS 5.0.0 has: the copy must hold exactly these.
const ASVS_LEVEL_1: usize = 70;
const ASVS_LEVEL_2: usize = 183;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromisesFile {
    promise: Vec<PromiseIn>,
    not_yet: Vec<NotYetIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromiseIn {
    id: String,
    title: String,
    text: String,
    #[serde(default)]
    later: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotYetIn {
    id: String,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsvsFile {
    requirement: BTreeMap<String, EntryIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryIn {
    met: Option<Vec<String>>,
    na: Option<String>,
    open: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    NotApplicable,
    Open,
}

#[derive(Debug)]
pub struct Promise {
    pub id: String,
    pub title: String,
    pub text: String,
    pub later: String,
    pub asvs: Vec<String>,
    pub tests: Vec<String>,
}

#[derive(Debug)]
pub struct NotYet {
    pub id: String,
    pub title: String,
}

#[derive(Debug)]
pub struct Requirement {
    pub id: String,
    pub level: u8,
    pub section: String,
    pub status: Status,
    pub by: Vec<String>,
    pub note: String,
}

/// The whole catalogue, ready to render.
#[derive(Debug)]
pub struct Catalogue {
    pub promises: Vec<Promise>,
    pub not_yet: Vec<NotYet>,
    pub asvs: Vec<Requirement>,
}

impl Catalogue {
    pub fn count(&self, level: u8, status: Status) -> usize {
        self.asvs.iter().filter(|r| r.level == level && r.status == status).count()
    }
}

fn toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    figment::Figment::from(figment::providers::Toml::string(&text))
        .extract()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// One line of the ASVS list: id, level, section name.
type AsvsLine = (String, u8, String);

fn read_asvs_copy(path: &Path) -> Result<Vec<AsvsLine>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.is_empty()) {
        let mut fields = line.split('\t');
        let (Some(id), Some(level), Some(section), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("{}:{}: expected `id<TAB>level<TAB>section`", path.display(), n + 1));
        };
        let level = level.parse().map_err(|_| format!("{}:{}: bad level", path.display(), n + 1))?;
        lines.push((id.to_owned(), level, section.to_owned()));
    }
    Ok(lines)
}

/// `shared/asvs` beside the repository (or beside one of its parents: worktrees live one level deeper).
pub fn shared_asvs(root: &Path) -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("STRONGROOM_ASVS_DIR") {
        return Some(PathBuf::from(dir).join("ASVS-5.0.0-en.flat.json"));
    }
    root.ancestors()
        .skip(1)
        .take(3)
        .map(|dir| dir.join("shared/asvs/ASVS-5.0.0-en.flat.json"))
        .find(|file| file.is_file())
}

/// The level 1 and 2 requirements of the official export.
fn read_official(file: &Path) -> Result<Vec<AsvsLine>, String> {
    #[derive(Deserialize)]
    struct Export {
        requirements: Vec<Official>,
    }
    #[derive(Deserialize)]
    struct Official {
        req_id: String,
        #[serde(rename = "L")]
        level: String,
        section_name: String,
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let export: Export = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(export
        .requirements
        .into_iter()
        .filter(|r| r.level == "1" || r.level == "2")
        .map(|r| (r.req_id, r.level.parse().unwrap(), r.section_name))
        .collect())
}

/// Builds the catalogue and lists every problem with it. The catalogue is built even with problems
/// (unknown ids are left out), so that the generator can still write the files.
pub fn build(root: &Path, markers: &[Marker]) -> (Catalogue, Vec<String>) {
    let mut problems = Vec::new();
    let security = root.join("security");
    let promises: PromisesFile = toml(&security.join("promises.toml")).unwrap_or_else(|e| panic!("{e}"));
    let entries: AsvsFile = toml(&security.join("asvs.toml")).unwrap_or_else(|e| panic!("{e}"));
    let copy = read_asvs_copy(&security.join("asvs-5.0.0-l1-l2.tsv")).unwrap_or_else(|e| panic!("{e}"));

    // The ASVS list: the right size, and the same as the official export when that is at hand.
    for (level, expected) in [(1, ASVS_LEVEL_1), (2, ASVS_LEVEL_2)] {
        let found = copy.iter().filter(|(_, l, _)| *l == level).count();
        if found != expected {
            problems.push(format!(
                "security/asvs-5.0.0-l1-l2.tsv: {found} level {level} requirements, ASVS 5.0.0 has {expected}"
            ));
        }
    }
    match shared_asvs(root) {
        Some(file) => match read_official(&file) {
            Ok(official) if official == copy => {}
            Ok(official) => {
                let theirs: BTreeSet<_> = official.iter().collect();
                let ours: BTreeSet<_> = copy.iter().collect();
                for line in theirs.difference(&ours) {
                    problems.push(format!("ASVS requirement {line:?} of {} is missing from the copy", file.display()));
                }
                for line in ours.difference(&theirs) {
                    problems.push(format!("ASVS copy line {line:?} is not in {}", file.display()));
                }
                if theirs == ours {
                    problems.push("the ASVS copy is not in the official order".to_owned());
                }
            }
            Err(e) => problems.push(e),
        },
        None => eprintln!(
            "note: ../shared/asvs not found beside the repository (set STRONGROOM_ASVS_DIR to compare); \
             checking against the copy in security/ only"
        ),
    }

    // Ids: unique, and either offered or not yet.
    let offered: BTreeSet<String> = promises.promise.iter().map(|p| p.id.clone()).collect();
    let not_yet: BTreeSet<String> = promises.not_yet.iter().map(|p| p.id.clone()).collect();
    if offered.len() != promises.promise.len() || not_yet.len() != promises.not_yet.len() {
        problems.push("security/promises.toml: an id is listed twice".to_owned());
    }
    for id in offered.intersection(&not_yet) {
        problems.push(format!("security/promises.toml: {id} is both offered and not yet"));
    }

    // The ASVS table: every requirement exactly once, with exactly one status.
    let mut asvs = Vec::new();
    let listed: BTreeSet<&str> = copy.iter().map(|(id, _, _)| id.as_str()).collect();
    for id in entries.requirement.keys().filter(|id| !listed.contains(id.as_str())) {
        problems.push(format!("security/asvs.toml: {id} is not an ASVS 5.0 level 1 or 2 requirement"));
    }
    for (id, level, section) in &copy {
        let Some(entry) = entries.requirement.get(id) else {
            problems.push(format!("security/asvs.toml: ASVS {id} (level {level}) is missing"));
            continue;
        };
        let (status, by, note) = match (&entry.met, &entry.na, &entry.open) {
            (Some(by), None, None) if !by.is_empty() => {
                (Status::Met, by.clone(), entry.note.clone().unwrap_or_default())
            }
            (None, Some(why), None) if !why.trim().is_empty() && entry.note.is_none() => {
                (Status::NotApplicable, Vec::new(), why.clone())
            }
            (None, None, Some(note)) if entry.note.is_none() => (Status::Open, Vec::new(), note.clone()),
            _ => {
                problems.push(format!(
                    "security/asvs.toml: {id} needs exactly one of `met = [promise ids]`, `na = \"why\"`, `open = \"note\"`"
                ));
                continue;
            }
        };
        for promise in by.iter().filter(|p| !offered.contains(*p)) {
            problems.push(format!("security/asvs.toml: {id} is met by {promise}, which is not an offered promise"));
        }
        asvs.push(Requirement { id: id.clone(), level: *level, section: section.clone(), status, by, note });
    }

    // Markers: known ids only, and a test for every promise.
    let mut tests: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for marker in markers {
        for id in &marker.ids {
            if offered.contains(id.as_str()) {
                tests.entry(id.clone()).or_default().insert(marker.test.clone());
            } else if not_yet.contains(id.as_str()) {
                problems.push(format!(
                    "{}: {id} is not offered yet (security/promises.toml); move it to [[promise]] first",
                    marker.place
                ));
            } else {
                problems.push(format!("{}: unknown promise id {id} (not in security/promises.toml)", marker.place));
            }
        }
    }
    let promises_out = promises
        .promise
        .into_iter()
        .map(|p| {
            let tests: Vec<String> = tests.get(p.id.as_str()).map(|t| t.iter().cloned().collect()).unwrap_or_default();
            if tests.is_empty() {
                problems.push(format!(
                    "promise {} has no test: add `/// Proves: {}` above a test that proves it",
                    p.id, p.id
                ));
            }
            let asvs_ids = asvs.iter().filter(|r| r.by.contains(&p.id)).map(|r| r.id.clone()).collect();
            Promise { id: p.id, title: p.title, text: p.text.trim().to_owned(), later: p.later, asvs: asvs_ids, tests }
        })
        .collect();
    let not_yet = promises.not_yet.into_iter().map(|n| NotYet { id: n.id, title: n.title }).collect();
    (Catalogue { promises: promises_out, not_yet, asvs }, problems)
}
