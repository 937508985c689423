//! Value types that both the browser and the server need, with the rules that make them valid.
//!
//! The server's domain layer parses every input into these types before it acts ("parse, don't
//! validate"); the browser uses the very same rules for instant feedback, so the two can never
//! disagree. Nothing here does I/O, so it compiles to WebAssembly unchanged.

mod auth;
mod error;
mod identity;
mod money;
pub mod proof_of_work;
mod rbac;
mod refusal;
pub mod text;
mod workspace;

pub use auth::AuthFailure;
pub use error::{Field, ValidationError};
pub use identity::{EmailAddress, OneTimeCode, PasswordRules};
pub use money::Cents;
pub use rbac::{BuiltinRole, Permission, PermissionKind};
pub use refusal::{Conflict, Forbidden};
pub use workspace::{WorkspaceName, WorkspaceSlug};
