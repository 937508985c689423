//! The file names of the built JS, WebAssembly and stylesheet that every page links to.
//!
//! `cargo xtask` builds give them content-hashed names (`strongroom.<hash>.wasm`) and write `hash.txt`
//! into the site root in cargo-leptos's format (`js: <hash>` lines); the server reads it at start. A
//! build without it (`cargo leptos build` without `hash-files`, or tests without a site) has the plain
//! names. Hashed names change with every build, so only they may be cached as immutable.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetNames {
    pub js: String,
    pub wasm: String,
    pub css: String,
    hashed: bool,
}

impl AssetNames {
    /// The names as built without hashes.
    pub fn plain(output_name: &str) -> Self {
        Self {
            js: format!("{output_name}.js"),
            wasm: format!("{output_name}.wasm"),
            css: format!("{output_name}.css"),
            hashed: false,
        }
    }

    /// The names `hash.txt` gives; the plain name for any file it does not list.
    pub fn from_manifest(output_name: &str, manifest: &str) -> Self {
        let hash = |key: &str| {
            manifest.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                let value = value.trim();
                let well_formed = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric());
                (name.trim() == key && well_formed).then(|| value.to_owned())
            })
        };
        let name = |key: &str| match hash(key) {
            Some(hash) => format!("{output_name}.{hash}.{key}"),
            None => format!("{output_name}.{key}"),
        };
        let hashed = ["js", "wasm", "css"].iter().all(|key| hash(key).is_some());
        Self { js: name("js"), wasm: name("wasm"), css: name("css"), hashed }
    }

    /// Whether `file` (a name under `/pkg`) is one of these names and content-hashed, so that a
    /// browser may keep it for good.
    pub fn is_immutable(&self, file: &str) -> bool {
        self.hashed && [&self.js, &self.wasm, &self.css].iter().any(|name| name.as_str() == file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_the_manifest_and_only_they_are_immutable() {
        let names = AssetNames::from_manifest("strongroom", "js: 0a1b\nwasm: 2c3d\ncss: 4e5f\n");
        assert_eq!(names.js, "strongroom.0a1b.js");
        assert_eq!(names.wasm, "strongroom.2c3d.wasm");
        assert_eq!(names.css, "strongroom.4e5f.css");
        assert!(names.is_immutable("strongroom.2c3d.wasm"));
        assert!(!names.is_immutable("strongroom.wasm"));
        assert!(!AssetNames::plain("strongroom").is_immutable("strongroom.wasm"));
    }

    #[test]
    fn a_damaged_manifest_falls_back_to_plain_names() {
        let names = AssetNames::from_manifest("strongroom", "js: ../../etc\nwasm:\n");
        assert_eq!(names, AssetNames::plain("strongroom"));
    }
}
