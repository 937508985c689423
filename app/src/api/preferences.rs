//! The user's language (UX3): chosen with the switcher in the header, kept in a cookie for everyone and,
//! for a signed-in user, saved in the account (so it follows them to other browsers and their mail); and
//! the signed-in user's time zone.

use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_i18n::Locale as _;

/// Switches the interface to `locale` and answers where to go back to: the path of the page the switch
/// was made on (from `Referer`; its host is ignored, so this can only lead back into this site). Pages
/// do not echo their own address into the form.
#[server(prefix = "/rpc", endpoint = "account/language")]
pub async fn set_language(_csrf_token: String, locale: String) -> Result<String, AppError> {
    let result: Result<String, AppError> = async {
        use crate::context::session_keys;
        let chosen = crate::lang::parse_tag(&locale).ok_or(AppError::BadRequest)?;
        set_language_cookie(chosen);
        if let Some(signed_in) = crate::auth::current().await? {
            let platform = crate::context::app_context()?.platform;
            platform.identity().set_language(signed_in.user, Some(chosen.as_str())).await?;
            crate::auth::session()?
                .insert(session_keys::LOCALE, chosen.as_str())
                .await
                .map_err(|e| AppError::internal(&e))?;
        }
        let back = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::REFERER)?.to_str().ok()?.parse::<http::Uri>().ok())
            .and_then(|uri| uri.path_and_query().map(|p| p.as_str().to_owned()));
        let next = back.filter(|path| is_local_path(path)).unwrap_or_else(|| "/".to_owned());
        if crate::context::is_plain_form_post() {
            leptos_axum::redirect(&next);
        }
        Ok(next)
    }
    .await;
    super::finish(result)
}

/// Saves the signed-in user's time zone (UX3); empty: follow the workspace's. Applies from the next page.
#[server(prefix = "/rpc", endpoint = "account/time-zone")]
pub async fn set_time_zone(_csrf_token: String, time_zone: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        use crate::context::session_keys;
        use domain::zones::Zone;
        let signed_in = crate::auth::require().await?;
        let zone = Zone::chosen(&time_zone).map_err(AppError::Invalid)?;
        crate::context::app_context()?.platform.identity().set_time_zone(signed_in.user, zone).await?;
        let session = crate::auth::session()?;
        let saved = match zone {
            Some(zone) => session.insert(session_keys::TIME_ZONE, zone.name()).await,
            None => session.remove_value(session_keys::TIME_ZONE).await.map(|_| ()),
        };
        saved.map_err(|e| AppError::internal(&e))?;
        leptos_axum::redirect("/account/security?notice=zone_saved");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// A path on this site (`/…`, not `//host/…` or `/\host`, which browsers read as another site).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") && !path.contains(['\r', '\n'])
}

#[cfg(feature = "ssr")]
fn set_language_cookie(locale: crate::lang::Locale) {
    let cookie = cookie::Cookie::build((crate::lang::LANG_COOKIE, locale.as_str()))
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

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert!(is_local_path("/w/acme/members?notice=invited"));
        for foreign in ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil", "/a\r\nSet-Cookie: x"] {
            assert!(!is_local_path(foreign), "{foreign}");
        }
    }
}
