//! `cargo xtask sizes`: a release build, then the sizes that matter to users and operators: the
//! WebAssembly a browser downloads (raw, gzip -9, brotli -q 11) and the server binary.

use crate::e2e::{build_site, target_dir};
use crate::process::{cmd, root};
use std::path::Path;

pub fn report() -> Result<(), String> {
    build_site(true)?;
    let wasm = root().join("target/site/pkg/strongroom.wasm");
    let server = target_dir().join("release/strongroom");
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).map_err(|e| format!("{}: {e}", p.display()));
    let compressed = |tool: &str, args: &[&str]| -> Option<u64> {
        let mut full: Vec<&str> = args.to_vec();
        let path = wasm.display().to_string();
        full.push(&path);
        let out = cmd("sh", &["-c", &format!("{tool} {} | wc -c", full.join(" "))]).output()?;
        out.trim().parse().ok()
    };
    let kib = |bytes: u64| format!("{:.1} KiB", bytes as f64 / 1024.0);
    println!("\nWebAssembly {}:", wasm.display());
    println!("  raw     {}", kib(size(&wasm)?));
    match compressed("gzip", &["-9", "-c"]) {
        Some(n) => println!("  gzip -9 {}", kib(n)),
        None => println!("  gzip    (gzip not available)"),
    }
    match compressed("brotli", &["-q", "11", "-c"]) {
        Some(n) if n > 0 => println!("  brotli  {}", kib(n)),
        _ => println!("  brotli  (brotli CLI not available: apt-get install brotli)"),
    }
    println!("server binary {}: {}", server.display(), kib(size(&server)?));
    Ok(())
}
