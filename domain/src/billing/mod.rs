//! Billing (PAY1, PAY2): plans, a subscription per workspace, and payments through Stripe Checkout or
//! the iyzico Checkout Form, by redirect, so that no card data ever reaches Strongroom.
//!
//! Nothing a browser says about a payment is believed. A result counts only when it arrives signed by
//! the provider ([`signatures`]) and has then been *fetched back from the provider itself*; what is
//! applied is always the provider's current state, never the event's copy of it, so events that arrive
//! twice, late or out of order cannot move a subscription backwards.
//!
//! - [`plans`]: the configured plans, validated at start.
//! - [`status`]: subscription states and what they let a workspace do.
//! - [`signatures`]: Stripe's and iyzico's signature schemes.
//! - [`sandbox`], [`sandbox_iyzico`]: the dev-mode stand-in provider, speaking Stripe or iyzico.

pub mod iyzico;
pub mod plans;
pub mod sandbox;
pub mod sandbox_iyzico;
mod service;
pub mod settings;
pub mod signatures;
pub mod status;
mod store;
pub mod stripe;

pub use service::{Billing, CheckoutState, Delivered, Overview, REFETCH_JOB, Receipt};
pub use store::{Applied, Snapshot};

/// Why a provider's message or answer was not used. The detail goes to the logs only.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("webhook signature refused: {0}")]
    Signature(#[from] signatures::StripeSignatureError),
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("payment provider: {0}")]
    Provider(String),
    #[error(transparent)]
    Domain(#[from] crate::error::DomainError),
}

impl From<sea_orm::DbErr> for BillingError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Domain(e.into())
    }
}
