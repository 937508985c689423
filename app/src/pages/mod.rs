//! One module per page (or group of pages).

mod account;
mod auth;
mod confirmation;
mod landing;
mod not_found;
pub mod security;
pub(crate) mod unsubscribe;
mod workspace;

pub use account::{RecoveryCodesPage, SecurityPage, TotpPage};
pub use auth::{
    EmailConfirmPage, EmailUndoPage, ResetConfirmPage, ResetRequestPage, ResetSentPage, SecondFactorPage, SignInPage,
    SignInWithCodePage, SignUpPage, SignUpSentPage, VerifyEmailPage,
};
pub use confirmation::ConfirmationPage;
pub use landing::Landing;
pub use not_found::NotFound;
pub use unsubscribe::UnsubscribePage;
pub use workspace::{
    AcceptInvitationPage, AuditPage, BillingPage, MembersPage, NewRequestPage, OrdersPage, PoliciesPage, RequestPage,
    RequestsPage, RolesPage, SuppliersPage, WorkspacePage, WorkspacesPage,
};
pub use workspace::{
    BackupCopyPage, BackupsPage, CustomerPage, CustomersPage, DataKeysPage, NewSalesOrderPage, SalesOrderPage,
    SalesOrdersPage,
};
