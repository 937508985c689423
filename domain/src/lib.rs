//! Strongroom's server-only core: everything that decides or stores, with no web framework in sight.
//!
//! The web layer (`app` server functions, `server` handlers) parses requests, calls into this crate and
//! maps its answers to responses. Keeping Leptos and axum out of here means every rule can be tested
//! directly, and the browser build never pulls in a database driver.
//!
//! - [`platform`]: the [`Platform`] handle that owns the databases and keys, built once at start-up.
//! - [`tenancy`]: workspaces, each with a database of its own (TN1).
//! - [`crypto`]: the master key and, later, field encryption.
//! - [`db`]: connecting to SQLite or PostgreSQL with the settings we rely on.
//! - [`jobs`]: background work that runs once per period across every server sharing the database.
//! - [`backup`]: encrypted, verified backups of every database, retention, restore (OPS1–OPS3).
//! - [`retention`]: how long each growing control-plane table keeps its rows, and the purge job.
//!
//! Ids like ID4 or TN1 in doc comments refer to the promises on the public security page (`/security#ID4`)
//! and in SECURITY.md, generated from `security/promises.toml` and the tests' `Proves:` markers.

pub mod backup;
pub mod billing;
pub mod crypto;
pub mod db;
pub mod demo;
mod entities;
mod error;
pub mod identity;
pub mod ids;
pub mod jobs;
pub mod platform;
pub mod retention;
pub mod session_store;
pub mod tenancy;
pub mod workspace;
pub mod zones;

pub use error::DomainError;
pub use platform::{Platform, PlatformSettings, Readiness};
pub mod mail;
