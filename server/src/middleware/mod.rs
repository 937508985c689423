//! Tower/axum middleware applied to every response.

pub mod errors;
pub mod security_headers;
pub mod trace;
