//! The language of each request (UX3), decided here once so that the page is rendered in it from the
//! first byte: the signed-in user's saved language (kept in the session), then the `strongroom-lang`
//! cookie (the switcher's choice), then `Accept-Language`, then English (`app::lang::resolve`). The
//! choice goes to the app as a request extension ([`RequestLocale`]) and back to the browser as
//! `Content-Language`; `Vary` tells caches that the answer depends on the cookie and the header.

use app::context::session_keys;
use app::lang::{self, LANG_COOKIE, RequestLocale};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, COOKIE, VARY};
use tower_sessions::Session;

pub async fn locale(mut request: Request, next: Next) -> Response {
    let saved = match request.extensions().get::<Session>() {
        // A store that cannot be read only loses the preference: the cookie and header still count.
        Some(session) => session.get::<String>(session_keys::LOCALE).await.ok().flatten(),
        None => None,
    };
    let cookie = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == LANG_COOKIE)
        .map(|c| c.value().to_owned());
    let accept = request.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let chosen = lang::resolve(saved.as_deref(), cookie.as_deref(), accept.as_deref());
    request.extensions_mut().insert(RequestLocale(chosen));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(CONTENT_LANGUAGE) {
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang::tag(chosen)));
    }
    headers.append(VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    response
}
