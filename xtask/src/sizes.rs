//! `cargo xtask sizes`: a release build, then the sizes that matter to users and operators: what a page
//! makes the browser download (the WebAssembly, its JS glue and the stylesheet: raw, gzip -9, brotli 11,
//! as served precompressed) and the server binary. Fails when a page's WebAssembly exceeds the budget
//! (UX5: 200 KB brotli). Every page loads the same bundle today, so there is one row per file.

use crate::assets::{brotli_bytes, gzip_bytes};
use crate::site;
use std::path::Path;

/// The most brotli-compressed WebAssembly a page may load (UX5).
const WASM_BUDGET_BYTES: usize = 200 * 1000;

pub fn report() -> Result<(), String> {
    site::build(true)?;
    let root = site::site_root();
    let manifest = std::fs::read_to_string(root.join("hash.txt")).map_err(|e| format!("hash.txt: {e}"))?;
    let hash_of = |key: &str| {
        manifest.lines().find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_owned)).unwrap_or_default()
    };
    let kib = |bytes: usize| format!("{:>8.1} KiB", bytes as f64 / 1024.0);
    println!("\n{:<34} {:>12} {:>12} {:>12}", "file (every page loads these)", "raw", "gzip -9", "brotli 11");
    let mut wasm_brotli = 0;
    for ext in ["wasm", "js", "css"] {
        let name = format!("{}.{}.{ext}", site::OUTPUT_NAME, hash_of(ext));
        let path = root.join("pkg").join(&name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let brotli = brotli_bytes(&bytes, 11)?.len();
        let gzip = gzip_bytes(&bytes, 9)?.len();
        if ext == "wasm" {
            wasm_brotli = brotli;
        }
        println!("{name:<34} {} {} {}", kib(bytes.len()), kib(gzip), kib(brotli));
    }
    let server = site::server_binary(true);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).map_err(|e| format!("{}: {e}", p.display()));
    println!("server binary {}: {:.1} MiB", server.display(), size(&server)? as f64 / 1024.0 / 1024.0);
    if wasm_brotli > WASM_BUDGET_BYTES {
        return Err(format!(
            "the WebAssembly a page loads is {wasm_brotli} bytes brotli-compressed, over the budget of {WASM_BUDGET_BYTES} (UX5)"
        ));
    }
    println!("within the budget of {WASM_BUDGET_BYTES} bytes brotli per page (UX5)");
    Ok(())
}
