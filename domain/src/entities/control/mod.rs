//! Tables of the control-plane database.

pub(crate) mod account_throttle;
pub(crate) mod applied_control_change;
pub(crate) mod auth_session;
// Backups (issue 13).
pub(crate) mod backup;
pub(crate) mod backup_copy;
pub(crate) mod email_code;
pub(crate) mod invitation;
pub(crate) mod ip_throttle;
pub(crate) mod job;
pub(crate) mod known_device;
pub(crate) mod known_network;
pub(crate) mod mail_opt_out;
pub(crate) mod mail_outbox;
pub(crate) mod membership;
pub(crate) mod pending_sign_in;
pub(crate) mod pow_spent;
pub(crate) mod recovery_code;
pub(crate) mod security_event;
pub(crate) mod tenant;
pub(crate) mod tower_session;
pub(crate) mod user;
pub(crate) mod user_token;
pub(crate) mod workspace_key;
pub(crate) mod workspace_policy;
