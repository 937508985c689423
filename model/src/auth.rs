//! Why an identity action was refused, as a closed set the browser renders itself (see `error.rs` on
//! why errors are never free text). Messages never say whether an account exists.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AuthFailure {
    #[error("The email address or password is wrong.")]
    InvalidCredentials,
    #[error("Too many failed sign-ins from your network. Please try again in {retry_after_minutes} minutes.")]
    NetworkBlocked { retry_after_minutes: u32 },
    #[error(
        "Too many failed sign-ins for this account. To protect it, sign in with a one-time code sent to the account's email address."
    )]
    AccountProtected,
    #[error(
        "For your protection, this sign-in needs a quick check by your browser. Please allow JavaScript on this site and try again."
    )]
    ProofOfWorkRequired { challenge: String, difficulty: u8 },
    #[error("The sign-in check expired. Please try again.")]
    ProofOfWorkInvalid,
    #[error("Please confirm your email address first. We have sent you a new confirmation link.")]
    EmailNotVerified,
    #[error("This account is locked. Choose a new password with “Forgot your password?” to unlock it.")]
    AccountLocked,
    #[error("That code is not right. {tries_left} tries left.")]
    CodeIncorrect { tries_left: u32 },
    #[error("That code has expired or was used up. Please ask for a new one.")]
    CodeExpired,
    /// Sign-in with an emailed code: one answer for "no such account", "no live code" and "wrong code",
    /// so the answer tells nothing about which addresses have accounts.
    #[error("That code is wrong or has expired. Use the newest code we sent you, or ask for a new one.")]
    CodeNotAccepted,
    #[error("We have sent several codes in the last hour. Please use the newest one, or try again later.")]
    TooManyCodes,
    #[error("Your sign-in took too long. Please start again.")]
    SignInTimedOut,
    #[error("This link is invalid, was already used, or has expired.")]
    LinkInvalid,
    #[error("Your current password is wrong.")]
    WrongPassword,
    #[error("That code is not right. Use the newest code from your authenticator app (and check your phone's clock).")]
    TotpCodeIncorrect,
    #[error("Two-factor authentication is already on.")]
    TotpAlreadyEnabled,
    #[error("Start setting up your authenticator app again.")]
    TotpNotEnrolling,
    #[error("Two-factor authentication is not on.")]
    TotpNotEnabled,
    #[error("Please sign in to continue.")]
    SignInRequired,
    #[error("Too many requests. Please slow down and try again in a minute.")]
    RateLimited,
    #[error("This workspace requires two-factor authentication. Please set up an authenticator app to continue.")]
    TwoFactorRequired,
    #[error("A workspace you belong to requires a longer password. Please choose a new one to continue.")]
    PasswordChangeRequired,
    #[error("The administration pages of this workspace cannot be opened from your current network.")]
    AddressNotAllowed,
    #[error("Your session has ended under this workspace's rules. Please sign in again.")]
    WorkspaceSessionExpired,
}
