//! Attachments and signed links driven over HTTP: a multipart upload as a browser sends it (the CSRF
//! token first, then the file), and making and opening signed links to an order.

use crate::harness::Browser;
use serde_json::Value;

/// A `multipart/form-data` body with the CSRF token and one file; returns (content type, body).
pub fn multipart(token: &str, filename: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----strongroom-test-boundary-7d1e";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a file to `path` (e.g. `/w/acme/sales/<id>/attachments`) as a script would (JSON answer).
pub async fn upload(browser: &Browser, path: &str, filename: &str, content_type: &str, bytes: &[u8]) -> (u16, Value) {
    let response = upload_raw(browser, path, filename, content_type, bytes, "application/json").await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The same upload, answered as `accept` asks (`text/html` for a form posted without WebAssembly).
pub async fn upload_raw(
    browser: &Browser,
    path: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
    accept: &str,
) -> reqwest::Response {
    let token = browser.csrf_token().await;
    let (form_type, body) = multipart(&token, filename, content_type, bytes);
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("accept", accept)
        .header("origin", &browser.base)
        .header("content-type", form_type)
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// Makes a signed link to `order` (as `browser`); returns (status, body: the link with its `path`).
pub async fn create_link(browser: &Browser, slug: &str, order: &str) -> (u16, Value) {
    let response = browser.call("sales/order/links/create", &[("slug", slug), ("id", order)]).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The token of a link's `/confirmation/<token>` path.
pub fn token_of(link: &Value) -> String {
    link["path"].as_str().unwrap().strip_prefix("/confirmation/").unwrap().to_owned()
}

/// Opens a link's server function as a browser without an account; returns (status, body as text).
pub async fn open(anonymous: &Browser, token: &str) -> (u16, String) {
    let response = anonymous.fetch(&format!("/rpc/public/order-confirmation?token={token}")).await;
    (response.status().as_u16(), response.text().await.unwrap())
}
