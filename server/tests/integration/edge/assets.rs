//! How the built site travels (UX5): assets precompressed and cached for good under content-hashed
//! names, pages compressed on the fly, and the CSRF token in a compressed page masked afresh each time
//! (BREACH, WEB2).

use crate::harness::TestApp;
use std::io::Read as _;

/// A site root as `cargo xtask` builds it: hashed entry files, their `.br`/`.gz` copies, `hash.txt`.
fn built_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(site.path().join("hash.txt"), "js: 0a1b2c3d\nwasm: 4e5f6a7b\ncss: 8c9d0e1f\n").unwrap();
    for (name, body) in [
        ("strongroom.0a1b2c3d.js", "export function hydrate() {}\n"),
        ("strongroom.8c9d0e1f.css", "body { margin: 0 }\n"),
        ("unhashed.js", "// a file whose name does not change with its content\n"),
    ] {
        std::fs::write(pkg.join(name), body).unwrap();
        // Stand-ins whose bytes show which copy was served.
        std::fs::write(pkg.join(format!("{name}.br")), format!("brotli copy of {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gzip copy of {name}")).unwrap();
    }
    site
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(encodings) = accept_encoding {
        request = request.header("accept-encoding", encodings);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Proves: UX5
#[tokio::test]
async fn assets_are_served_precompressed_and_cached_for_good_under_hashed_names() {
    let site = built_site();
    let root = site.path().to_owned();
    let app = TestApp::spawn_with(move |raw| raw.site_root = root).await;
    let js = "/pkg/strongroom.0a1b2c3d.js";

    let brotli = get(&app, js, Some("gzip, deflate, br")).await;
    assert_eq!(brotli.status(), 200);
    assert_eq!(header(&brotli, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&brotli, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert!(header(&brotli, "vary").is_some_and(|v| v.to_lowercase().contains("accept-encoding")));
    assert_eq!(brotli.text().await.unwrap(), "brotli copy of strongroom.0a1b2c3d.js");

    let gzip = get(&app, js, Some("gzip")).await;
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(gzip.text().await.unwrap(), "gzip copy of strongroom.0a1b2c3d.js");

    let identity = get(&app, js, None).await;
    assert_eq!(header(&identity, "content-encoding"), None);
    assert_eq!(identity.text().await.unwrap(), "export function hydrate() {}\n");

    let unhashed = get(&app, "/pkg/unhashed.js", Some("br")).await;
    assert_eq!(unhashed.status(), 200);
    assert_eq!(header(&unhashed, "cache-control").as_deref(), Some("no-cache"), "a name that outlives its content");

    // Pages link to the hashed names, so a new build is fetched at once.
    let page = get(&app, "/", None).await.text().await.unwrap();
    assert!(page.contains("/pkg/strongroom.0a1b2c3d.js"), "{page}");
    // The WebAssembly's hashed name is handed to the hydration script (which adds `.wasm`).
    assert!(page.contains("\"strongroom.4e5f6a7b\", true)"), "{page}");
    assert!(page.contains("/pkg/strongroom.8c9d0e1f.css"), "{page}");
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("a gzip body");
    text
}

fn csrf_field(page: &str) -> String {
    let marker = "name=\"_csrf_token\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

/// Proves: UX5, WEB2
#[tokio::test]
async fn pages_are_compressed_and_never_carry_the_csrf_token_as_it_is() {
    let app = TestApp::spawn().await;
    let page = |encoding: &'static str| {
        app.client.get(app.url("/signin")).header("accept", "text/html").header("accept-encoding", encoding).send()
    };
    let first = page("gzip").await.unwrap();
    assert_eq!(header(&first, "content-encoding").as_deref(), Some("gzip"));
    let cookie = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("__Host-strongroom-csrf=").map(|rest| rest.split(';').next().unwrap().to_owned()))
        .expect("an anonymous CSRF cookie");
    let first_html = gunzip(&first.bytes().await.unwrap());
    let second_html = gunzip(&page("gzip").await.unwrap().bytes().await.unwrap());
    let (first_token, second_token) = (csrf_field(&first_html), csrf_field(&second_html));

    assert!(!first_html.contains(&cookie), "the token itself must never be in a compressed page");
    assert_ne!(first_token, second_token, "each page masks the token afresh");
    assert_eq!(header(&page("br").await.unwrap(), "content-encoding").as_deref(), Some("br"));

    // Both masked forms are the same token: either one is accepted with the cookie.
    for token in [&first_token, &second_token] {
        assert_eq!(request_reset(&app, token).await, 200, "a masked token is accepted");
    }
    // The raw token, as someone who learnt it from the cookie would send it, is not a masked form.
    assert_eq!(request_reset(&app, &cookie).await, 403);
}

/// A password-reset request (a state-changing call anyone may make) with `token`; its status.
async fn request_reset(app: &TestApp, token: &str) -> u16 {
    app.client
        .post(app.url("/rpc/auth/request-reset"))
        .header("accept", "application/json")
        .header("origin", &app.base)
        .form(&[("_csrf_token", token), ("email", "nobody@example.org")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
