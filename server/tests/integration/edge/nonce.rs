//! The CSP nonce enables scripts: it belongs in `nonce` attributes and nowhere else in a page (Leptos's
//! own hydration component also writes it into `crossorigin`, where markup-reading code could find it).

use crate::harness::TestApp;

/// Proves: WEB1
#[tokio::test]
async fn the_nonce_appears_only_in_nonce_attributes() {
    let app = TestApp::spawn().await;
    for path in ["/", "/signin", "/no/such/page"] {
        let response = app.browser().get_page(path).await;
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let start = csp.find("'nonce-").unwrap() + "'nonce-".len();
        let nonce = csp[start..start + csp[start..].find('\'').unwrap()].to_owned();
        let html = response.text().await.unwrap();
        let everywhere = html.matches(nonce.as_str()).count();
        let in_nonce_attributes = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(in_nonce_attributes >= 1, "{path}: the hydration script carries the nonce");
        assert_eq!(everywhere, in_nonce_attributes, "{path}: the nonce outside a nonce attribute:\n{html}");
        assert!(html.contains("rel=\"modulepreload\""), "{path}: the hydration scripts are rendered");
    }
}
