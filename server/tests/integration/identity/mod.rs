//! Identity over HTTP (ID1–ID9, WEB2, WEB3): every rule, driven as a browser drives it.

mod csrf;
mod email_change;
mod lockout;
mod redis_sessions;
mod reset;
mod sessions;
mod sign_up;
mod smtp;
mod totp;
