//! Identity over HTTP (ID1–ID9, WEB2, WEB3): every rule, driven as a browser drives it.

mod account_takeback;
mod code_sign_in;
mod csrf;
mod email_change;
mod lockout;
mod lockout_race;
mod reauthentication;
mod redis_sessions;
mod reset;
mod second_factor_limits;
mod sessions;
mod sign_up;
mod smtp;
mod support;
mod totp;
