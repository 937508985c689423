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

pub mod plans;
pub mod signatures;
pub mod status;
