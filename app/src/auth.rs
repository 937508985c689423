//! The signed-in caller, for server functions (server only).
//!
//! Server functions never take "who is calling" as an argument: they read the server-side session
//! (`tower_sessions::Session`, put in the request by the session layer), ask `domain` whether it still
//! counts, and get a verified [`SignedIn`]. Sign-in state changes (sign-in, sign-out) rotate the
//! session id and the CSRF token; privilege changes (password, 2FA, a new workspace membership) rotate
//! the session id, so an id seen before the change is worth nothing after it.

use crate::context::{ClientIp, DEVICE_COOKIE, session_keys};
use crate::error::{AppError, Reference};
use domain::identity::{PendingSignIn, RequestMeta, SignedIn, SignedInNow};
use domain::ids::AuthSessionId;
use http::request::Parts;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use model::AuthFailure;
use tower_sessions::Session;

fn internal(what: &str, error: impl std::fmt::Display) -> AppError {
    let reference = crate::context::request_id();
    tracing::error!(%error, %reference, "{what}");
    AppError::Internal { reference: Reference::parse(&reference).unwrap_or_else(Reference::unknown) }
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("request parts missing", "no Parts in context"))
}

/// The server-side session of this request.
pub fn session() -> Result<Session, AppError> {
    parts()?.extensions.get::<Session>().cloned().ok_or_else(|| internal("session missing", "no Session in extensions"))
}

/// Address, user agent and device cookie of this request.
pub fn request_meta() -> Result<RequestMeta, AppError> {
    meta_of(&parts()?)
}

/// Address, user agent and device cookie of a request, from its parts.
pub fn meta_of(parts: &Parts) -> Result<RequestMeta, AppError> {
    let ip = parts
        .extensions
        .get::<ClientIp>()
        .map(|ClientIp(ip)| *ip)
        .ok_or_else(|| internal("client address missing", "no ClientIp"))?;
    let user_agent = parts.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let device = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == DEVICE_COOKIE)
        .map(|c| c.value().to_owned());
    let language = parts
        .extensions
        .get::<crate::lang::RequestLocale>()
        .and_then(|locale| domain::mail::Language::parse(locale.0.as_str()))
        .unwrap_or_default();
    Ok(RequestMeta::new(ip, user_agent, device).in_language(language))
}

/// The signed-in caller, or `None`. A session that no longer counts is forgotten.
pub async fn current() -> Result<Option<SignedIn>, AppError> {
    current_in(&session()?, &crate::context::app_context()?.platform).await
}

/// The signed-in user of `session`, or `None` (a session that no longer counts is forgotten).
pub async fn current_in(session: &Session, platform: &domain::Platform) -> Result<Option<SignedIn>, AppError> {
    let Some(id) = session.get::<AuthSessionId>(session_keys::AUTH).await.map_err(|e| internal("session read", e))?
    else {
        return Ok(None);
    };
    match platform.identity().authenticate(id).await? {
        Some(signed_in) => Ok(Some(signed_in)),
        None => {
            session.remove::<AuthSessionId>(session_keys::AUTH).await.map_err(|e| internal("session write", e))?;
            Ok(None)
        }
    }
}

/// The signed-in caller, or [`AuthFailure::SignInRequired`].
pub async fn require() -> Result<SignedIn, AppError> {
    current().await?.ok_or(AppError::Auth(AuthFailure::SignInRequired))
}

pub async fn pending_sign_in() -> Result<Option<PendingSignIn>, AppError> {
    session()?.get::<PendingSignIn>(session_keys::PENDING_SIGN_IN).await.map_err(|e| internal("session read", e))
}

pub async fn set_pending_sign_in(pending: &PendingSignIn) -> Result<(), AppError> {
    session()?.insert(session_keys::PENDING_SIGN_IN, pending).await.map_err(|e| internal("session write", e))
}

/// Makes this browser signed in: a new session id and CSRF token (no fixation), the session row
/// recorded, the pending sign-in gone, and the device cookie set if the browser had none.
pub async fn establish(now: &SignedInNow) -> Result<(), AppError> {
    let session = session()?;
    let write = |e| internal("session write", e);
    session.cycle_id().await.map_err(write)?;
    session.remove_value(session_keys::PENDING_SIGN_IN).await.map_err(write)?;
    session.insert(session_keys::AUTH, now.signed_in.session).await.map_err(write)?;
    session.insert(session_keys::CSRF, domain::crypto::random_token()).await.map_err(write)?;
    let saved = crate::context::app_context()?.platform.identity().language_of(now.signed_in.user).await?;
    if let Some(locale) = saved.as_deref().and_then(crate::lang::parse_tag) {
        session.insert(session_keys::LOCALE, locale.as_str()).await.map_err(write)?;
    }
    let zone = crate::context::app_context()?.platform.identity().time_zone_of(now.signed_in.user).await?;
    if let Some(zone) = zone {
        session.insert(session_keys::TIME_ZONE, zone.name()).await.map_err(write)?;
    }
    if let Some(token) = &now.new_device_token {
        set_device_cookie(token);
    }
    Ok(())
}

/// Gives this browser's session a new id, keeping its contents (after a privilege change).
pub async fn renew_id() -> Result<(), AppError> {
    session()?.cycle_id().await.map_err(|e| internal("session id renewal", e))
}

/// Forgets the signed-in state of this browser (new session id, nothing kept).
pub async fn forget() -> Result<(), AppError> {
    session()?.flush().await.map_err(|e| internal("session flush", e))
}

/// The device cookie: random, HttpOnly, Secure, host-only, kept for 400 days (the browsers' maximum).
fn set_device_cookie(token: &str) {
    let cookie = cookie::Cookie::build((DEVICE_COOKIE, token.to_owned()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(400))
        .build();
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&cookie.to_string()))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Keeps freshly made recovery codes in the session until the user says they saved them (an empty
/// list forgets them). They are shown once, on their own page, with or without WebAssembly.
pub async fn keep_recovery_codes(codes: &[String]) -> Result<(), AppError> {
    let session = session()?;
    let write = |e| internal("session write", e);
    if codes.is_empty() {
        session.remove_value(session_keys::FRESH_RECOVERY_CODES).await.map_err(write)?;
    } else {
        session.insert(session_keys::FRESH_RECOVERY_CODES, codes).await.map_err(write)?;
    }
    Ok(())
}

pub async fn kept_recovery_codes() -> Result<Vec<String>, AppError> {
    Ok(session()?
        .get::<Vec<String>>(session_keys::FRESH_RECOVERY_CODES)
        .await
        .map_err(|e| internal("session read", e))?
        .unwrap_or_default())
}

/// The verified caller in the workspace at `slug`, for `area`: signed in, a member now, the workspace's
/// policies met. Every workspace server function starts here.
pub async fn caller(slug: &str, area: domain::workspace::access::Area) -> Result<domain::workspace::Caller, AppError> {
    caller_in(&parts()?, &crate::context::app_context()?.platform, slug, area).await
}

/// The signed-in user of a request outside Leptos (plain axum handlers), from its parts.
pub async fn signed_in_of(parts: &Parts, platform: &domain::Platform) -> Result<SignedIn, AppError> {
    let session = parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| internal("session missing", "no Session in extensions"))?;
    current_in(&session, platform).await?.ok_or(AppError::Auth(AuthFailure::SignInRequired))
}

/// [`caller`] for code outside Leptos (plain axum handlers), from the request's parts.
pub async fn caller_in(
    parts: &Parts,
    platform: &domain::Platform,
    slug: &str,
    area: domain::workspace::access::Area,
) -> Result<domain::workspace::Caller, AppError> {
    let signed_in = signed_in_of(parts, platform).await?;
    enter_in(parts, platform, &signed_in, slug, area).await
}

/// The second half of [`caller_in`], for a handler that needs the [`SignedIn`] itself as well (to
/// confirm a password, say) and so has read it from the session already.
pub async fn enter_in(
    parts: &Parts,
    platform: &domain::Platform,
    signed_in: &SignedIn,
    slug: &str,
    area: domain::workspace::access::Area,
) -> Result<domain::workspace::Caller, AppError> {
    let request_id =
        parts.headers.get(crate::context::REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok(platform.workspaces().enter(signed_in, slug, meta_of(parts)?, request_id, area).await?)
}
