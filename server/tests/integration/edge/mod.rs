//! The HTTP edge: caching of server-function answers, the dev outbox's exposure, rate limits per endpoint
//! class (shared across servers through Redis), CSRF for anonymous visitors without server-side
//! sessions, and where the CSP nonce may appear.

mod anonymous_csrf;
mod assets;
mod caching;
mod dev_outbox;
mod intrusion;
mod nonce;
mod rate_limits;
mod shared_rate_limits;
