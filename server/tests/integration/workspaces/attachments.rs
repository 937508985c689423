//! DATA4 over HTTP: files on sales orders and purchase requests. Types come from the bytes; a corpus
//! of hostile uploads is refused or stored inert; sizes and the workspace quota hold; the bytes are
//! encrypted on disk under random names; downloads are attachments with `nosniff` and a sandboxing CSP,
//! for permitted callers only, and audited.

use super::fixture::{Team, get, submit};
use super::sales_fixture::{SECRETS, add_order, contains, database_copy, secret_customer, tenant, tenant_db, texts};
use super::sharing_fixture::{upload, upload_raw};
use crate::harness::{Browser, TestApp};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] =
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const CSV_TEXT: &str = "item;amount\nPflaumenmus;12.50\n=HYPERLINK(\"x\");1\n";

async fn order_of(team: &Team) -> String {
    let customer = secret_customer(team).await;
    let (status, order) = add_order(&team.owner, &team.slug, &customer, "1", "10").await;
    assert_eq!(status, 200, "{order}");
    order["id"].as_str().unwrap().to_owned()
}

/// A download's status, headers and bytes.
async fn download(browser: &Browser, slug: &str, id: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = browser.client.get(format!("{}/w/{slug}/attachments/{id}", browser.base)).send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The headers every download must carry, whatever the file.
fn assert_inert(what: &str, headers: &reqwest::header::HeaderMap, filename: &str) {
    let disposition = header(headers, "content-disposition");
    assert!(disposition.starts_with("attachment; filename=\""), "{what}: {disposition}");
    assert!(disposition.contains(&format!("filename*=UTF-8''{filename}")), "{what}: {disposition}");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(headers, "content-security-policy"), "sandbox; default-src 'none'", "{what}");
    assert_eq!(header(headers, "cache-control"), "no-store", "{what}");
}

#[tokio::test]
/// Proves: DATA4
async fn files_are_stored_encrypted_and_downloaded_only_as_inert_attachments_by_permitted_callers() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Files Co", "owner@example.com").await;
    let order = order_of(&team).await;
    let path = format!("/w/{}/sales/{order}/attachments", team.slug);
    let secret_text = format!("delivery note: {}", SECRETS.notes);
    let mut ids = Vec::new();
    for (name, declared, bytes, kind) in [
        ("scan.png", "image/png", PNG.to_vec(), "image/png"),
        ("contract.pdf", "application/pdf", PDF.to_vec(), "application/pdf"),
        ("Größe.csv", "text/csv", CSV_TEXT.as_bytes().to_vec(), "text/csv; charset=utf-8"),
        ("note.txt", "text/plain", secret_text.as_bytes().to_vec(), "text/plain; charset=utf-8"),
    ] {
        let (status, body) = upload(&team.owner, &path, name, declared, &bytes).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["content_type"], kind, "{name}");
        ids.push((body["id"].as_str().unwrap().to_owned(), name, bytes, kind));
    }
    let page = get(&team.owner, &format!("/rpc/sales/order?slug={}&id={order}", team.slug)).await;
    assert_eq!(page["attachments"].as_array().unwrap().len(), 4, "{page}");
    assert_eq!(page["attachments"][2]["filename"], "Größe.csv");

    let viewer = team.member(&app, "viewer@example.com", "viewer").await;
    for (id, name, bytes, kind) in &ids {
        let (status, headers, body) = download(&viewer, &team.slug, id).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(&body, bytes, "{name}: the very bytes come back");
        assert_eq!(header(&headers, "content-type"), *kind, "{name}");
        let encoded: String = name
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        assert_inert(name, &headers, &encoded);
    }
    let db = tenant_db(&app, &team.slug).await;
    let downloads = texts(&db, "SELECT action FROM audit_events WHERE action = 'attachment.downloaded'").await;
    let uploads = texts(&db, "SELECT action FROM audit_events WHERE action = 'attachment.uploaded'").await;
    assert_eq!((uploads.len(), downloads.len()), (4, 4), "uploads and downloads are audited");

    // On disk: random names under the workspace's directory, ciphertext only; nothing in the database.
    let dir =
        app.data_dir.path().join("attachments").join(tenant(&app, &team.slug).await.as_uuid().simple().to_string());
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap()).collect();
    assert_eq!(files.len(), 4);
    for file in &files {
        let name = file.file_name().into_string().unwrap();
        assert!(name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()), "a random name: {name}");
        let stored = std::fs::read(file.path()).unwrap();
        assert!(!contains(&stored, "gate code") && !contains(&stored, "PNG") && !contains(&stored, "%PDF"), "{name}");
        assert!(!contains(&stored, "Pflaumenmus"), "{name}");
    }
    assert!(!contains(&database_copy(&app, &team.slug).await, "gate code 4711"), "no file body in the database");

    // Others: signed out, another workspace's owner, a member without the order permission.
    let (id, ..) = &ids[3];
    assert_eq!(download(&app.browser(), &team.slug, id).await.0, 401);
    let other = Team::create(&app, "Other Co", "other@example.com").await;
    assert_eq!(download(&other.owner, &team.slug, id).await.0, 404);
    assert_eq!(download(&other.owner, &other.slug, id).await.0, 404);
    let (status, _) = upload(&viewer, &path, "x.txt", "text/plain", b"hello").await;
    assert_eq!(status, 403, "seeing an order is not changing it");

    // A purchase request's files: its requester adds them; a member who may not see it gets nothing.
    let supplier = team.supplier("Paper Ltd").await;
    let member = team.member(&app, "member@example.com", "member").await;
    let (_, request) = submit(&member, &team.slug, &supplier, "Paper", "1", "10").await;
    let request = request["id"].as_str().unwrap().to_owned();
    let request_path = format!("/w/{}/requests/{request}/attachments", team.slug);
    let (status, body) = upload(&member, &request_path, "quote.pdf", "application/pdf", PDF).await;
    assert_eq!(status, 200, "{body}");
    let attached = body["id"].as_str().unwrap().to_owned();
    assert_eq!(download(&member, &team.slug, &attached).await.0, 200);
    let colleague = team.member(&app, "colleague@example.com", "member").await;
    assert_eq!(download(&colleague, &team.slug, &attached).await.0, 404, "not their request");
    let detail = get(&team.owner, &format!("/rpc/purchasing/request?slug={}&id={request}", team.slug)).await;
    assert_eq!(detail["attachments"][0]["filename"], "quote.pdf", "{detail}");
}

#[tokio::test]
/// Proves: DATA4
async fn a_corpus_of_hostile_uploads_is_refused_or_stored_inert() {
    let app = TestApp::spawn_with(|raw| {
        raw.attachment_max_file_bytes = 2048;
        raw.attachment_quota_bytes = 5000;
    })
    .await;
    let team = Team::create(&app, "Corpus Co", "owner@example.com").await;
    let order = order_of(&team).await;
    let path = format!("/w/{}/sales/{order}/attachments", team.slug);
    let file_type = json!({ "Invalid": { "FileType": { "field": "File" } } });

    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    assert_eq!(
        upload(&team.owner, &path, "invoice.pdf", "application/pdf", html).await,
        (422, file_type.clone()),
        "HTML named .pdf"
    );
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>";
    assert_eq!(
        upload(&team.owner, &path, "logo.png", "image/png", svg).await,
        (422, file_type.clone()),
        "SVG with script"
    );
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0\0\0!\0";
    assert_eq!(upload(&team.owner, &path, "data.csv", "text/csv", zip).await, (422, file_type.clone()), "an archive");
    let traversal_html = b"\n  <html><script>x</script></html>";
    assert_eq!(upload(&team.owner, &path, "../../x.html", "text/html", traversal_html).await.0, 422);

    // A polyglot: a real PNG header with HTML and script after it. Kept as a PNG, and served as one.
    let mut polyglot = PNG.to_vec();
    polyglot.extend_from_slice(b"<html><script>alert(document.domain)</script></html>");
    let (status, body) = upload(&team.owner, &path, "page.html", "text/html", &polyglot).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["content_type"].as_str(), body["filename"].as_str()), (Some("image/png"), Some("page.html.png")));
    let (status, headers, bytes) = download(&team.owner, &team.slug, body["id"].as_str().unwrap()).await;
    assert_eq!((status, header(&headers, "content-type")), (200, "image/png"));
    assert_eq!(bytes, polyglot);
    assert_inert("the polyglot", &headers, "page.html.png");

    // A path in the name: only its last part is kept, and nothing is written outside the store.
    let (status, body) = upload(&team.owner, &path, "../../x", "text/plain", b"plain words").await;
    assert_eq!((status, body["filename"].as_str()), (200, Some("x.txt")), "{body}");
    let (_, headers, _) = download(&team.owner, &team.slug, body["id"].as_str().unwrap()).await;
    assert_inert("a path in the name", &headers, "x.txt");
    assert!(!app.data_dir.path().join("x").exists() && !app.data_dir.path().parent().unwrap().join("x").exists());

    // Oversize, then over quota (5000 bytes: 2 × 2000 fit with what is there, a third does not).
    let too_big = vec![b'a'; 2049];
    let (status, body) = upload(&team.owner, &path, "big.txt", "text/plain", &too_big).await;
    assert_eq!((status, body), (422, json!({ "Invalid": { "FileTooLarge": { "field": "File", "max_kib": 2 } } })));
    let huge = vec![b'a'; 200 * 1024];
    let (status, _) = upload(&team.owner, &path, "huge.txt", "text/plain", &huge).await;
    assert!(matches!(status, 413 | 422), "far beyond the limit: {status}");
    for _ in 0..2 {
        assert_eq!(upload(&team.owner, &path, "fill.txt", "text/plain", &[b'b'; 2000]).await.0, 200);
    }
    let (status, body) = upload(&team.owner, &path, "last.txt", "text/plain", &[b'c'; 2000]).await;
    assert_eq!((status, body), (409, json!({ "Conflict": "AttachmentQuotaReached" })));
    let db = tenant_db(&app, &team.slug).await;
    assert_eq!(texts(&db, "SELECT filename FROM attachments").await.len(), 4, "only what was accepted");
    let dir =
        app.data_dir.path().join("attachments").join(tenant(&app, &team.slug).await.as_uuid().simple().to_string());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4, "refused files leave nothing behind");

    // The form, posted without WebAssembly: back to the order page, which says why, in words.
    let response = upload_raw(&team.owner, &path, "x.pdf", "application/pdf", html, "text/html").await;
    assert_eq!(response.status(), 303);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("/w/{}/sales/{order}?upload_error=", team.slug)), "{back}");
    let page = team.owner.get_page(&back).await.text().await.unwrap();
    assert!(page.contains("must be a PDF, PNG, JPEG or WebP image, a CSV file or plain text."), "{page}");
    let no_token = team
        .owner
        .client
        .post(format!("{}{path}", team.owner.base))
        .header("origin", &team.owner.base)
        .header("content-type", super::sharing_fixture::multipart("", "a.txt", "text/plain", b"hi").0)
        .body(super::sharing_fixture::multipart("", "a.txt", "text/plain", b"hi").1)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403, "uploads need the CSRF token like every other form");
}
