//! Accounts for the demo workspace (`strongroom serve --demo`, dev mode on loopback only; see
//! [`crate::demo`]). A demo account is an ordinary verified account whose password the demo prints to
//! the terminal; it signs in and is checked like any other. Only [`crate::demo`] can call this: the
//! function is crate-private, and the demo refuses to run outside dev mode on a loopback address.

use super::{Identity, PlatformRole, RequestMeta, SignedIn};
use crate::entities::control::user;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use chrono::Utc;
use model::EmailAddress;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
use secrecy::SecretString;

impl Identity {
    /// Makes `email` a verified account with `password` (creating it, or setting the password of the
    /// one there), and starts a session for it: the demo acts through the same domain calls as a person.
    pub(crate) async fn demo_account(&self, email: &EmailAddress, password: &SecretString) -> DomainResult<SignedIn> {
        let hash = self.hasher.hash(password).await?;
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let id = match self.account_by_email(&txn, email).await? {
            Some(account) => {
                let id = account.id;
                let mut row = account.row.into_active_model();
                row.password_hash = Set(hash);
                row.password_changed_at = Set(now);
                row.email_verified_at = Set(Some(now));
                row.locked_at = Set(None);
                row.updated_at = Set(now);
                row.update(&txn).await?;
                id
            }
            None => {
                let id = UserId::new_random();
                user::ActiveModel {
                    id: Set(id.as_uuid()),
                    email: Set(email.to_string()),
                    email_verified_at: Set(Some(now)),
                    password_hash: Set(hash),
                    password_changed_at: Set(now),
                    locked_at: Set(None),
                    totp_secret: Set(None),
                    totp_pending_secret: Set(None),
                    totp_enabled_at: Set(None),
                    totp_last_step: Set(None),
                    platform_role: Set(PlatformRole::None.as_str().to_owned()),
                    locale: Set(None),
                    time_zone: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
                id
            }
        };
        let meta = RequestMeta::new(std::net::Ipv4Addr::LOCALHOST.into(), "strongroom demo", None);
        let session = self.sessions.start(&txn, id, &meta, now, false).await?;
        txn.commit().await?;
        self.authenticate(session).await?.ok_or(DomainError::NotFound)
    }
}
