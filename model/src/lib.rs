//! Value types that both the browser and the server need, with the rules that make them valid.
//!
//! The server's domain layer parses every input into these types before it acts ("parse, don't
//! validate"); the browser uses the very same rules for instant feedback, so the two can never
//! disagree. Nothing here does I/O, so it compiles to WebAssembly unchanged.

mod auth;
mod error;
mod identity;
pub mod proof_of_work;
mod workspace;

pub use auth::AuthFailure;
pub use error::{Field, ValidationError};
pub use identity::{EmailAddress, OneTimeCode, PasswordRules};
pub use workspace::{WorkspaceName, WorkspaceSlug};
