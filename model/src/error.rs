//! The single error type of this crate: which rule an input broke, in words a user can act on.
//!
//! Errors are closed enums, never free text: they travel to the browser (sometimes inside a URL, when a
//! form is posted without WebAssembly) and the browser renders the words itself, so a crafted link can
//! only ever make the page show one of our own messages.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The input fields that rules apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    WorkspaceName,
    WorkspaceSlug,
    Email,
    Password,
    NewPassword,
    Code,
    Amount,
    Quantity,
    Description,
    Title,
    Supplier,
    SupplierName,
    RoleName,
    Comment,
    Policy,
    CustomerName,
    Phone,
    PostalAddress,
    Notes,
    Customer,
    Reason,
    Currency,
    File,
    Passphrase,
    TimeZone,
}

impl Field {
    /// The field's label, as shown next to the input.
    pub fn label(self) -> &'static str {
        match self {
            Self::WorkspaceName => "Workspace name",
            Self::WorkspaceSlug => "Workspace address",
            Self::Email => "Email address",
            Self::Password => "Password",
            Self::NewPassword => "New password",
            Self::Code => "Code",
            Self::Amount => "Amount",
            Self::Quantity => "Quantity",
            Self::Description => "Description",
            Self::Title => "Title",
            Self::Supplier => "Supplier",
            Self::SupplierName => "Supplier name",
            Self::RoleName => "Role name",
            Self::Comment => "Comment",
            Self::Policy => "Policy",
            Self::CustomerName => "Customer name",
            Self::Phone => "Phone",
            Self::PostalAddress => "Postal address",
            Self::Notes => "Notes",
            Self::Customer => "Customer",
            Self::Reason => "Reason",
            Self::Currency => "Currency",
            Self::File => "File",
            Self::Passphrase => "Passphrase",
            Self::TimeZone => "Time zone",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A rule that an input broke. The `Display` text is safe to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ValidationError {
    #[error("{field} is required.")]
    Required { field: Field },
    #[error("{field} must be at least {min} characters long.")]
    TooShort { field: Field, min: usize },
    #[error("{field} must be at most {max} characters long.")]
    TooLong { field: Field, max: usize },
    #[error("{field} contains characters that are not allowed.")]
    ForbiddenCharacters { field: Field },
    #[error("{field} is reserved; please choose another.")]
    Reserved { field: Field },
    #[error("{field} does not look like an email address.")]
    NotAnEmailAddress { field: Field },
    #[error("{field} is on a list of common or leaked passwords; please choose another.")]
    CommonPassword { field: Field },
    #[error("{field} must be the {digits} digits we sent you.")]
    NotACode { field: Field, digits: usize },
    #[error("{field} must be an amount like 1234.50.")]
    NotAnAmount { field: Field },
    #[error("{field} must be a whole number from {min} to {max}.")]
    OutOfRange { field: Field, min: i64, max: i64 },
    #[error("{field} must not be lower than it is now.")]
    CannotLower { field: Field },
    #[error("{field} must be a PDF, PNG, JPEG or WebP image, a CSV file or plain text.")]
    FileType { field: Field },
    #[error("{field} must be at most {max_kib} KiB.")]
    FileTooLarge { field: Field, max_kib: u64 },
    #[error("{field} must be one of the time zones in the list.")]
    UnknownTimeZone { field: Field },
}

impl ValidationError {
    /// The field the rule belongs to, so the UI can show the message next to it.
    pub fn field(&self) -> Field {
        match self {
            Self::Required { field }
            | Self::TooShort { field, .. }
            | Self::TooLong { field, .. }
            | Self::ForbiddenCharacters { field }
            | Self::Reserved { field }
            | Self::NotAnEmailAddress { field }
            | Self::CommonPassword { field }
            | Self::NotACode { field, .. }
            | Self::NotAnAmount { field }
            | Self::OutOfRange { field, .. }
            | Self::CannotLower { field }
            | Self::FileType { field }
            | Self::FileTooLarge { field, .. }
            | Self::UnknownTimeZone { field } => *field,
        }
    }
}
