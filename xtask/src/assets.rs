//! The built assets made ready for long caching and small transfers (UX5):
//!
//! - **content-hashed names**: `strongroom.js`, `.wasm` and `.css` become `strongroom.<hash>.<ext>`, and
//!   `hash.txt` in the site root (cargo-leptos's format: `js: <hash>` lines) tells the server which names
//!   to put in pages. A new build gets new names, so browsers may keep each file for a year (`immutable`)
//!   and still never run a stale one;
//! - **precompressed copies**: `<file>.br` and `<file>.gz` beside every text and WebAssembly file, served
//!   as they are when the browser accepts them, so the server never compresses an asset per request.
//!   Release builds use the strongest settings (brotli 11, gzip 9); dev builds fast ones.

use crate::site::OUTPUT_NAME;
use sha2::{Digest as _, Sha256};
use std::io::Write as _;
use std::path::Path;

/// The files that get hashed names, with the key cargo-leptos uses for each in `hash.txt`.
const HASHED: [(&str, &str); 3] = [("js", "js"), ("wasm", "wasm"), ("css", "css")];

/// Which files get precompressed copies.
const COMPRESSIBLE: [&str; 5] = ["js", "wasm", "css", "svg", "json"];

/// Renames the entry files in `pkg` to content-hashed names and writes `site_root/hash.txt`.
pub fn fingerprint(site_root: &Path, pkg: &Path) -> Result<(), String> {
    let mut manifest = String::new();
    for (ext, key) in HASHED {
        let plain = pkg.join(format!("{OUTPUT_NAME}.{ext}"));
        let bytes = std::fs::read(&plain).map_err(|e| format!("{}: {e}", plain.display()))?;
        let digest = Sha256::digest(&bytes);
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let hashed = pkg.join(format!("{OUTPUT_NAME}.{hash}.{ext}"));
        std::fs::rename(&plain, &hashed).map_err(|e| format!("{}: {e}", hashed.display()))?;
        manifest.push_str(&format!("{key}: {hash}\n"));
    }
    let path = site_root.join("hash.txt");
    std::fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `.br` and `.gz` copies of every compressible file under `dir`.
pub fn precompress(dir: &Path, strongest: bool) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            precompress(&path, strongest)?;
            continue;
        }
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let with_suffix = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::path::PathBuf::from(name)
        };
        std::fs::write(with_suffix(".br"), brotli_bytes(&bytes, if strongest { 11 } else { 5 })?)
            .map_err(|e| format!("{}.br: {e}", path.display()))?;
        std::fs::write(with_suffix(".gz"), gzip_bytes(&bytes, if strongest { 9 } else { 6 })?)
            .map_err(|e| format!("{}.gz: {e}", path.display()))?;
    }
    Ok(())
}

pub fn brotli_bytes(bytes: &[u8], quality: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        writer.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

pub fn gzip_bytes(bytes: &[u8], level: u32) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}
