//! Identity server functions (`/rpc/auth/*`, rate limited per address by the server).
//!
//! Every state-changing function takes `_csrf_token` first: the server's CSRF middleware checks it before
//! the function runs (the argument only carries the form field through when WebAssembly submits a form).
//! Where a step leads to another page, the function redirects: the WebAssembly client follows with its
//! router, a plain form post gets a 302 — the same outcome with or without WebAssembly. Sign-in and
//! sign-out answer JavaScript callers with where to go instead, and the page reloads fully there, since
//! the session id and CSRF token have just changed.

use crate::dto::{SecondFactorDto, SecurityOverviewDto, SignInDto, TotpEnrolmentDto, UserDto};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth, crate::context::app_context, domain::identity::Identity, model::EmailAddress, model::Field,
    secrecy::SecretString,
};

#[cfg(feature = "ssr")]
fn identity() -> Result<Identity, AppError> {
    Ok(app_context()?.platform.identity().clone())
}

/// Where a signed-in user lands.
pub const HOME: &str = "/workspaces";

#[server(prefix = "/rpc", endpoint = "auth/sign-up")]
pub async fn sign_up(_csrf_token: String, email: String, password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let email = EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        identity()?.sign_up(email, SecretString::from(password), auth::request_meta()?).await?;
        leptos_axum::redirect("/signup/sent");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/verify-email")]
pub async fn verify_email(_csrf_token: String, token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        identity()?.verify_email(&token, &auth::request_meta()?).await?;
        leptos_axum::redirect("/signin?notice=verified");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/sign-in")]
pub async fn sign_in(
    _csrf_token: String,
    email: String,
    password: String,
    pow_challenge: Option<String>,
    pow_solution: Option<u64>,
) -> Result<SignInDto, AppError> {
    let result: Result<SignInDto, AppError> = async {
        let email = EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        let proof = pow_challenge.filter(|c| !c.is_empty()).zip(pow_solution);
        let step =
            identity()?.begin_sign_in(&email, &SecretString::from(password), proof, &auth::request_meta()?).await?;
        after_step(step).await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
async fn after_step(step: domain::identity::SignInStep) -> Result<SignInDto, AppError> {
    match step {
        domain::identity::SignInStep::SignedIn(now) => {
            auth::establish(&now).await?;
            super::redirect_plain_post(HOME);
            Ok(SignInDto::SignedIn { next: HOME.to_owned() })
        }
        domain::identity::SignInStep::SecondFactor(pending) => {
            auth::set_pending_sign_in(&pending).await?;
            leptos_axum::redirect("/signin/code");
            Ok(SignInDto::SecondFactor)
        }
    }
}

/// Which second factor the pending sign-in waits for (`None`: there is no pending sign-in).
#[server(prefix = "/rpc", endpoint = "session/pending", input = server_fn::codec::GetUrl)]
pub async fn pending_second_factor() -> Result<Option<SecondFactorDto>, AppError> {
    let result: Result<_, AppError> = async {
        Ok(auth::pending_sign_in().await?.map(|pending| match pending.factor {
            domain::identity::SecondFactor::EmailCode => SecondFactorDto::EmailCode,
            domain::identity::SecondFactor::Totp => SecondFactorDto::Totp,
        }))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/second-factor")]
pub async fn complete_sign_in(_csrf_token: String, code: String) -> Result<SignInDto, AppError> {
    let result: Result<SignInDto, AppError> = async {
        let pending = auth::pending_sign_in().await?.ok_or(AppError::Auth(model::AuthFailure::SignInTimedOut))?;
        let now = identity()?.complete_second_factor(&pending, &code, &auth::request_meta()?).await?;
        auth::establish(&now).await?;
        super::redirect_plain_post(HOME);
        Ok(SignInDto::SignedIn { next: HOME.to_owned() })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/resend-code")]
pub async fn resend_sign_in_code(_csrf_token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let pending = auth::pending_sign_in().await?.ok_or(AppError::Auth(model::AuthFailure::SignInTimedOut))?;
        identity()?.resend_sign_in_code(&pending, &auth::request_meta()?).await?;
        leptos_axum::redirect("/signin/code?notice=code_sent");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// "Email me a code": the way in during an account's cooldown. Answers the same for every address.
#[server(prefix = "/rpc", endpoint = "auth/request-code")]
pub async fn request_sign_in_code(_csrf_token: String, email: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let email = EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        identity()?.request_sign_in_code(&email, &auth::request_meta()?).await?;
        leptos_axum::redirect("/signin/with-code?notice=code_sent");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/sign-in-with-code")]
pub async fn sign_in_with_code(
    _csrf_token: String,
    email: String,
    password: String,
    code: String,
) -> Result<SignInDto, AppError> {
    let result: Result<SignInDto, AppError> = async {
        let email = EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        let code = model::OneTimeCode::parse(&code).map_err(AppError::Invalid)?;
        let step =
            identity()?.sign_in_with_code(&email, &SecretString::from(password), &code, &auth::request_meta()?).await?;
        after_step(step).await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/sign-out")]
pub async fn sign_out(_csrf_token: String) -> Result<String, AppError> {
    let result: Result<String, AppError> = async {
        if let Some(signed_in) = auth::current().await? {
            identity()?.sign_out(&signed_in, &auth::request_meta()?).await?;
        }
        auth::forget().await?;
        let next = "/signin?notice=signed_out";
        super::redirect_plain_post(next);
        Ok(next.to_owned())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/request-reset")]
pub async fn request_password_reset(_csrf_token: String, email: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let email = EmailAddress::parse(&email).map_err(AppError::Invalid)?;
        identity()?.request_password_reset(email, auth::request_meta()?).await?;
        leptos_axum::redirect("/reset/sent");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "auth/reset")]
pub async fn reset_password(_csrf_token: String, token: String, new_password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        identity()?.reset_password(&token, SecretString::from(new_password), &auth::request_meta()?).await?;
        leptos_axum::redirect("/signin?notice=password_reset");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The signed-in user, or `None`.
#[server(prefix = "/rpc", endpoint = "session/me", input = server_fn::codec::GetUrl)]
pub async fn current_user() -> Result<Option<UserDto>, AppError> {
    let result: Result<_, AppError> = async {
        let Some(signed_in) = auth::current().await? else { return Ok(None) };
        let platform = crate::context::app_context()?.platform;
        let workspaces = platform.workspaces().workspaces_of(&signed_in).await?;
        Ok(Some(UserDto {
            email: signed_in.email.to_string(),
            totp_enabled: signed_in.totp_enabled,
            workspaces: workspaces.iter().map(|w| (w.name.to_string(), format!("/w/{}", w.slug))).collect(),
        }))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/security", input = server_fn::codec::GetUrl)]
pub async fn security_overview() -> Result<SecurityOverviewDto, AppError> {
    use crate::dto::{SecurityEventDto, SessionDto, describe_user_agent, timestamp};
    let result: Result<_, AppError> = async {
        let signed_in = auth::require().await?;
        let overview = identity()?.security_overview(&signed_in).await?;
        Ok(SecurityOverviewDto {
            email: overview.email.to_string(),
            totp_enabled: overview.totp_enabled,
            recovery_codes_left: overview.recovery_codes_left,
            sessions: overview
                .sessions
                .into_iter()
                .map(|s| SessionDto {
                    id: s.id.to_string(),
                    current: s.id == signed_in.session,
                    created_at: timestamp(s.created_at),
                    last_seen_at: timestamp(s.last_seen_at),
                    ip: s.ip,
                    device: describe_user_agent(&s.user_agent),
                })
                .collect(),
            events: overview
                .recent_events
                .into_iter()
                .map(|e| SecurityEventDto { at: timestamp(e.at), kind: e.kind, ip: e.ip.unwrap_or_default() })
                .collect(),
            mail_topics: super::mail::own_topics(&signed_in).await?,
            time_zone: identity()?
                .time_zone_of(signed_in.user)
                .await?
                .map(|zone| zone.name().to_owned())
                .unwrap_or_default(),
            time_zones: domain::zones::Zone::choices().iter().map(|zone| (*zone).to_owned()).collect(),
        })
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(_csrf_token: String, password: String, new_password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        identity()?
            .change_password(
                &signed_in,
                SecretString::from(password),
                SecretString::from(new_password),
                &auth::request_meta()?,
            )
            .await?;
        auth::renew_id().await?;
        leptos_axum::redirect("/account/security?notice=password_changed");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/email")]
pub async fn request_email_change(_csrf_token: String, new_email: String, password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        let new_email = EmailAddress::parse_for(&new_email, Field::Email).map_err(AppError::Invalid)?;
        identity()?
            .request_email_change(&signed_in, &new_email, &SecretString::from(password), &auth::request_meta()?)
            .await?;
        leptos_axum::redirect("/account/security?notice=email_change_sent");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/email/confirm")]
pub async fn confirm_email_change(_csrf_token: String, token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        identity()?.confirm_email_change(&token, &auth::request_meta()?).await?;
        leptos_axum::redirect("/signin?notice=email_changed");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/email/undo")]
pub async fn undo_email_change(_csrf_token: String, token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        identity()?.undo_email_change(&token, &auth::request_meta()?).await?;
        auth::forget().await?;
        leptos_axum::redirect("/signin?notice=account_locked");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/totp/begin")]
pub async fn begin_totp(_csrf_token: String, password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        identity()?.begin_totp_enrolment(&signed_in, &SecretString::from(password), &auth::request_meta()?).await?;
        leptos_axum::redirect("/account/totp");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// The enrolment in progress, with its QR code.
#[server(prefix = "/rpc", endpoint = "account/totp/pending", input = server_fn::codec::GetUrl)]
pub async fn pending_totp() -> Result<Option<TotpEnrolmentDto>, AppError> {
    let result: Result<_, AppError> = async {
        let signed_in = auth::require().await?;
        let Some(enrolment) = identity()?.pending_totp_enrolment(&signed_in).await? else { return Ok(None) };
        let (qr_size, qr_path) = crate::qr::svg_path(&enrolment.otpauth_url)
            .ok_or_else(|| AppError::internal(&std::io::Error::other("the otpauth URL does not fit a QR code")))?;
        Ok(Some(TotpEnrolmentDto {
            secret: enrolment.secret_base32,
            otpauth_url: enrolment.otpauth_url,
            qr_size,
            qr_path,
        }))
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/totp/confirm")]
pub async fn confirm_totp(_csrf_token: String, code: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        let code = model::OneTimeCode::parse(&code).map_err(AppError::Invalid)?;
        let codes = identity()?.confirm_totp_enrolment(&signed_in, &code, &auth::request_meta()?).await?;
        auth::keep_recovery_codes(&codes).await?;
        auth::renew_id().await?;
        leptos_axum::redirect("/account/recovery-codes");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/totp/recovery-codes")]
pub async fn regenerate_recovery_codes(_csrf_token: String, password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        let codes = identity()?
            .regenerate_recovery_codes(&signed_in, &SecretString::from(password), &auth::request_meta()?)
            .await?;
        auth::keep_recovery_codes(&codes).await?;
        leptos_axum::redirect("/account/recovery-codes");
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Recovery codes just made, until the user confirms they saved them.
#[server(prefix = "/rpc", endpoint = "account/totp/fresh-codes", input = server_fn::codec::GetUrl)]
pub async fn fresh_recovery_codes() -> Result<Vec<String>, AppError> {
    let result: Result<_, AppError> = async {
        auth::require().await?;
        auth::kept_recovery_codes().await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/totp/codes-saved")]
pub async fn recovery_codes_saved(_csrf_token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        auth::require().await?;
        auth::keep_recovery_codes(&[]).await?;
        leptos_axum::redirect("/account/security?notice=totp_enabled");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/totp/disable")]
pub async fn disable_totp(_csrf_token: String, password: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        identity()?.disable_totp(&signed_in, &SecretString::from(password), &auth::request_meta()?).await?;
        auth::renew_id().await?;
        leptos_axum::redirect("/account/security?notice=totp_disabled");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end")]
pub async fn end_session(_csrf_token: String, session: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        let id = uuid::Uuid::parse_str(&session).map_err(|_| AppError::NotFound)?;
        identity()?.end_session(&signed_in, id.into(), &auth::request_meta()?).await?;
        leptos_axum::redirect("/account/security?notice=session_ended");
        Ok(())
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end-others")]
pub async fn end_other_sessions(_csrf_token: String) -> Result<(), AppError> {
    let result: Result<(), AppError> = async {
        let signed_in = auth::require().await?;
        identity()?.end_other_sessions(&signed_in, &auth::request_meta()?).await?;
        leptos_axum::redirect("/account/security?notice=sessions_ended");
        Ok(())
    }
    .await;
    super::finish(result)
}
