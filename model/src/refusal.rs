//! Why an action inside a workspace was refused, as closed sets the browser renders itself.

use serde::{Deserialize, Serialize};

/// The caller may not do this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Forbidden {
    #[error("You do not have permission to do this in this workspace.")]
    MissingPermission,
    #[error("Nobody approves their own request: another approver has to decide.")]
    SelfApproval,
    #[error("Only an owner can change owners.")]
    OwnerOnly,
    #[error("You can only give roles the permissions you have yourself.")]
    CannotGrantUnheldPermission,
    #[error("Built-in roles cannot be changed.")]
    BuiltinRole,
    #[error(
        "This workspace is read-only until its overdue payment is made. An administrator can pay on the billing page; nothing has been deleted."
    )]
    PaymentOverdue,
    #[error("You have revealed many values in a short time. Please wait a while before revealing more.")]
    RevealLimitReached,
}

/// The request was well-formed but conflicts with what exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Conflict {
    #[error("Every address for this workspace name is taken; please choose a more distinctive name.")]
    WorkspaceAddressesExhausted,
    #[error("This request has already been decided.")]
    AlreadyDecided,
    #[error("A workspace needs at least one owner.")]
    LastOwner,
    #[error("This person is already a member of the workspace.")]
    AlreadyMember,
    #[error("This invitation was sent to another email address. Sign in with that address to accept it.")]
    InvitationForSomeoneElse,
    #[error("A role with this name exists already.")]
    RoleNameTaken,
    #[error("A member needs at least one role; remove them from the workspace instead.")]
    MemberNeedsARole,
    #[error("You have reached the number of workspaces one person can create.")]
    WorkspaceLimitReached,
    #[error("Too many invitations were sent today; please try again tomorrow.")]
    InvitationLimitReached,
    #[error("The order cannot move to that status from where it is now.")]
    OrderStatusChange,
    #[error("A key rotation is still re-encrypting older data; please wait until it has finished.")]
    RotationInProgress,
    #[error("The workspace's plan allows no more members (open invitations count); a larger plan allows more.")]
    PlanMemberLimit,
    #[error("This workspace has used up its space for attachments.")]
    AttachmentQuotaReached,
    #[error("A backup or restore of this workspace is still running; please wait until it has finished.")]
    BackupOperationRunning,
    #[error("The backup's owners are no longer members: restoring it would leave the workspace without an owner.")]
    RestoreLeavesNoOwner,
}
