//! Tower/axum middleware.

pub mod client_ip;
pub mod csrf;
pub mod csrf_mask;
pub mod errors;
pub mod intrusion;
pub mod locale;
pub mod rate_limit;
pub mod refusal;
pub mod security_headers;
pub mod trace;
pub mod zone;
