//! Identity: accounts, sign-in that resists attackers, second factors, sessions and email changes
//! (ID1–ID9). Everything lives in the control-plane database.
//!
//! The [`Identity`] service is what the web layer calls; it takes already-parsed inputs (`model` types,
//! passwords in `SecretString`) and the request's [`RequestMeta`], and answers with domain types or a
//! [`DomainError`] whose user-facing part is a closed [`model::AuthFailure`].
//!
//! - [`password`]: argon2id hashing off the executor; the password policy.
//! - [`throttle`]: failed-login counters per account and per address, in the shared database.
//! - [`pow`], [`codes`], [`risk`], [`totp`]: proof of work, emailed codes, risk assessment, TOTP.
//! - [`sessions`], [`tokens`], [`events`]: sessions, single-use link tokens, the security event log.
//! - [`gate`]: the one gate every check of a guessable secret passes (password, TOTP, recovery code).
//! - [`accounts`], [`sign_in`], [`second_factor`], [`with_code`], [`reauth`], [`email_change`]: the
//!   flows, built from the pieces above.

mod accounts;
pub mod codes;
mod demo_accounts;
mod email_change;
pub mod events;
mod gate;
pub mod password;
mod policies;
pub mod pow;
mod preferences;
mod reauth;
mod recovery;
pub mod risk;
mod second_factor;
pub mod sessions;
mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod totp;
mod with_code;

pub use accounts::SecurityOverview;
pub(crate) use preferences::{account_language, mail_language};
pub use reauth::{PasswordConfirmed, REAUTH_FAILURES_PER_SESSION};
pub use second_factor::PENDING_TRIES;
pub use sign_in::{PendingSignIn, SecondFactor, SignInStep, SignedIn, SignedInNow};

use crate::crypto::Keys;
use crate::entities::control::user;
use crate::error::DomainResult;
use crate::ids::UserId;
use crate::mail::{Mailer, templates};
use codes::{EmailCodePolicy, EmailCodes};
use model::EmailAddress;
use password::{HashParams, PasswordHasher};
use pow::ProofOfWork;
use sea_orm::{ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use sessions::{SessionPolicy, Sessions};
use std::net::IpAddr;
use std::sync::Arc;
use throttle::{AccountLockoutPolicy, IpBlockPolicy, Throttle};

/// Identity settings; every default is the value named in SPEC.md.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    pub hash: HashParams,
    pub sessions: SessionPolicy,
    pub account_lockout: AccountLockoutPolicy,
    pub ip_block: IpBlockPolicy,
    pub email_codes: EmailCodePolicy,
    /// Failures (per account or per address) after which a proof of work is required [3].
    pub proof_of_work_after: u32,
    /// Leading zero bits a proof of work must reach [18: about a quarter of a second in a browser].
    pub proof_of_work_bits: u8,
    /// The minimum password length for new passwords [12].
    pub min_password_chars: usize,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            hash: HashParams::default(),
            sessions: SessionPolicy::default(),
            account_lockout: AccountLockoutPolicy::default(),
            ip_block: IpBlockPolicy::default(),
            email_codes: EmailCodePolicy::default(),
            proof_of_work_after: 3,
            proof_of_work_bits: 18,
            min_password_chars: model::PasswordRules::MIN_CHARS,
        }
    }
}

/// What the web layer knows about the request making an identity call.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The client's address (from a trusted proxy's header, else the peer).
    pub ip: IpAddr,
    /// The `User-Agent`, cut to 512 characters.
    pub user_agent: String,
    /// The browser's device cookie, if it sent one.
    pub device_token: Option<String>,
    /// The language the request was answered in: mail it causes is written in it, unless the
    /// recipient's account has a saved language.
    pub language: crate::mail::Language,
}

impl RequestMeta {
    pub fn new(ip: IpAddr, user_agent: &str, device_token: Option<String>) -> Self {
        let device_token = device_token.filter(|t| !t.is_empty() && t.len() <= 64);
        Self {
            ip,
            user_agent: user_agent.chars().take(512).collect(),
            device_token,
            language: crate::mail::Language::default(),
        }
    }

    /// The same request, answered in `language`.
    pub fn in_language(mut self, language: crate::mail::Language) -> Self {
        self.language = language;
        self
    }
}

/// Roles on the platform itself, separate from workspace roles (TN4): they give no access to any
/// workspace's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformRole {
    None,
    /// Platform staff: the operator console (alerts, blocked addresses, maintenance).
    Operator,
    /// Operators who may also grant and revoke platform roles.
    SuperAdmin,
}

impl PlatformRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Operator => "operator",
            Self::SuperAdmin => "superadmin",
        }
    }

    /// Unknown values count as no role (fail closed).
    pub fn parse(value: &str) -> Self {
        match value {
            "operator" => Self::Operator,
            "superadmin" => Self::SuperAdmin,
            _ => Self::None,
        }
    }
}

/// An account as the identity flows need it.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: UserId,
    pub email: EmailAddress,
    pub row: user::Model,
}

impl Account {
    fn from_row(row: user::Model) -> Option<Self> {
        Some(Self { id: row.id.into(), email: EmailAddress::parse(&row.email).ok()?, row })
    }
}

/// The identity service. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct Identity {
    db: DatabaseConnection,
    keys: Arc<Keys>,
    mailer: Arc<Mailer>,
    hasher: PasswordHasher,
    throttle: Arc<Throttle>,
    codes: EmailCodes,
    pow: ProofOfWork,
    sessions: Sessions,
    settings: IdentitySettings,
    /// Bounds the work sign-up, reset and code requests leave to the background (security review M2).
    background: Arc<tokio::sync::Semaphore>,
    reauth_budget: Arc<reauth::ReauthBudget>,
}

/// Background identity tasks (hash, account, mail) allowed to wait or run at once; past that, requests
/// get "too many requests", alike for every address.
const BACKGROUND_TASKS: usize = 64;

impl Identity {
    pub fn new(
        db: DatabaseConnection,
        keys: Arc<Keys>,
        mailer: Arc<Mailer>,
        settings: IdentitySettings,
    ) -> DomainResult<Self> {
        Ok(Self {
            hasher: PasswordHasher::new(settings.hash)?,
            throttle: Arc::new(Throttle::new(db.clone(), settings.account_lockout, settings.ip_block)),
            codes: EmailCodes::new(db.clone(), keys.clone(), mailer.clone(), settings.email_codes),
            pow: ProofOfWork::new(db.clone(), keys.clone(), settings.proof_of_work_bits),
            sessions: Sessions::new(db.clone(), settings.sessions),
            background: Arc::new(tokio::sync::Semaphore::new(BACKGROUND_TASKS)),
            reauth_budget: Arc::new(reauth::ReauthBudget::default()),
            db,
            keys,
            mailer,
            settings,
        })
    }

    pub fn settings(&self) -> &IdentitySettings {
        &self.settings
    }

    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// Runs `work` in the background so that the answer is given before any work that differs between
    /// addresses; at most [`BACKGROUND_TASKS`] at once, past that [`model::AuthFailure::RateLimited`].
    pub(super) fn in_background<F, Fut>(&self, what: &'static str, work: F) -> DomainResult<()>
    where
        F: FnOnce(Identity) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = DomainResult<()>> + Send + 'static,
    {
        let permit = self
            .background
            .clone()
            .try_acquire_owned()
            .map_err(|_| crate::error::DomainError::Auth(model::AuthFailure::RateLimited))?;
        let this = self.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(error) = work(this).await {
                tracing::error!(%error, "{what} failed in the background");
            }
        });
        Ok(())
    }

    /// Background identity tasks waiting or running now (tests wait for this to reach zero).
    pub fn background_tasks(&self) -> usize {
        BACKGROUND_TASKS - self.background.available_permits()
    }

    /// Grants (or, with [`PlatformRole::None`], revokes) a platform role. For the `strongroom` CLI: platform
    /// roles are given by whoever runs the server, not through the web.
    pub async fn set_platform_role(&self, email: &EmailAddress, role: PlatformRole) -> DomainResult<()> {
        use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
        let account = self.account_by_email(&self.db, email).await?.ok_or(crate::error::DomainError::NotFound)?;
        let mut row = account.row.into_active_model();
        row.platform_role = Set(role.as_str().to_owned());
        row.update(&self.db).await?;
        events::record(
            &self.db,
            events::EventKind::PlatformRoleChanged,
            Some(account.id),
            None,
            serde_json::json!({ "role": role.as_str() }),
        )
        .await
    }

    async fn account_by_email<C: ConnectionTrait>(
        &self,
        conn: &C,
        email: &EmailAddress,
    ) -> DomainResult<Option<Account>> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(conn)
            .await?
            .and_then(Account::from_row))
    }

    async fn account_by_id<C: ConnectionTrait>(&self, conn: &C, id: UserId) -> DomainResult<Option<Account>> {
        Ok(user::Entity::find_by_id(id.as_uuid()).one(conn).await?.and_then(Account::from_row))
    }

    /// Queues a security notice to `to` with a link to the security settings, in their language.
    async fn notify<C: ConnectionTrait>(
        &self,
        conn: &C,
        to: &EmailAddress,
        notice: templates::Notice,
        fallback: crate::mail::Language,
    ) -> DomainResult<()> {
        let settings = self.mailer.link("/account/security");
        let language = mail_language(conn, to, fallback).await?;
        self.mailer.enqueue(conn, templates::notice(language, to, &notice, &settings)).await
    }
}
