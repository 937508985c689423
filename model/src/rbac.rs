//! Permissions and the built-in roles (TN3).
//!
//! *Functional* permissions say which actions a member may take; *data* permissions say which rows they
//! may see (their own purchase requests, or everyone's). Roles are named sets of permissions; a member
//! may hold several, and their permissions add up. The server decides with these; the browser uses the
//! same list only to hide what would be refused anyway.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! permissions {
    ($($variant:ident = $key:literal, $kind:ident, $label:literal;)*) => {
        /// Everything a workspace role can allow.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Permission {
            $($variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// The stable key stored in the database.
            pub fn key(self) -> &'static str {
                match self { $(Self::$variant => $key,)* }
            }

            pub fn kind(self) -> PermissionKind {
                match self { $(Self::$variant => PermissionKind::$kind,)* }
            }

            /// What the permission allows, for the roles page.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                match key { $($key => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PermissionKind {
    /// May take an action.
    Functional,
    /// May see data beyond their own.
    Data,
}

permissions! {
    WorkspaceView = "workspace.view", Functional, "Open the workspace";
    MembersView = "members.view", Functional, "See the members";
    MembersInvite = "members.invite", Functional, "Invite members and revoke invitations";
    MembersRemove = "members.remove", Functional, "Remove members";
    MembersAssignRoles = "members.assign_roles", Functional, "Change members' roles";
    RolesManage = "roles.manage", Functional, "Create and change custom roles";
    PoliciesManage = "policies.manage", Functional, "Change security and purchasing policies";
    AuditView = "audit.view", Functional, "Read the audit log";
    AuditExport = "audit.export", Functional, "Export the audit log";
    SuppliersView = "suppliers.view", Functional, "See suppliers";
    SuppliersManage = "suppliers.manage", Functional, "Add suppliers";
    RequestsCreate = "requests.create", Functional, "Submit purchase requests";
    RequestsViewAll = "requests.view_all", Data, "See everyone's purchase requests (not only one's own)";
    RequestsApprove = "requests.approve", Functional, "Approve or deny purchase requests";
    OrdersView = "orders.view", Data, "See all purchase orders";
    BillingManage = "billing.manage", Functional, "See and change the plan, subscription and payment";
    CustomersView = "customers.view", Functional, "See customers (contact data masked)";
    CustomersManage = "customers.manage", Functional, "Add and change customers";
    SalesView = "sales.view", Functional, "See sales orders";
    SalesManage = "sales.manage", Functional, "Create sales orders and move them through their life cycle";
    SalesExport = "sales.export", Functional, "Export order lists as CSV";
    ContactReveal = "contact.reveal", Functional, "Reveal customers' masked contact data, with a stated reason";
    KeysManage = "keys.manage", Functional, "Rotate the workspace's data encryption key";
    BackupsManage = "backups.manage", Functional, "See the workspace's backups, back it up and restore a backup";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The roles every workspace has. Owners hold everything and cannot be removed by admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BuiltinRole {
    Owner,
    Admin,
    Approver,
    Member,
    Viewer,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 5] = [Self::Owner, Self::Admin, Self::Approver, Self::Member, Self::Viewer];

    pub fn key(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Approver => "approver",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Administrator",
            Self::Approver => "Approver",
            Self::Member => "Member",
            Self::Viewer => "Viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.key() == key)
    }

    pub fn permissions(self) -> Vec<Permission> {
        use Permission as P;
        match self {
            Self::Owner | Self::Admin => Permission::ALL.to_vec(),
            Self::Approver => vec![
                P::WorkspaceView,
                P::MembersView,
                P::SuppliersView,
                P::RequestsCreate,
                P::RequestsViewAll,
                P::RequestsApprove,
                P::OrdersView,
                P::CustomersView,
                P::SalesView,
            ],
            Self::Member => vec![
                P::WorkspaceView,
                P::SuppliersView,
                P::RequestsCreate,
                P::CustomersView,
                P::CustomersManage,
                P::SalesView,
                P::SalesManage,
            ],
            Self::Viewer => vec![
                P::WorkspaceView,
                P::MembersView,
                P::SuppliersView,
                P::RequestsViewAll,
                P::OrdersView,
                P::CustomersView,
                P::SalesView,
            ],
        }
    }

    /// Roles whose holders count as administrators (for "2FA required for admins" and the admin
    /// console allowlist).
    pub fn is_administrative(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut keys: Vec<&str> = Permission::ALL.iter().map(|p| p.key()).collect();
        for permission in Permission::ALL {
            assert_eq!(Permission::from_key(permission.key()), Some(*permission));
        }
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Permission::ALL.len());
        assert_eq!(BuiltinRole::from_key("approver"), Some(BuiltinRole::Approver));
        assert_eq!(BuiltinRole::from_key("root"), None);
    }

    #[test]
    fn data_permissions_are_marked() {
        assert_eq!(Permission::RequestsViewAll.kind(), PermissionKind::Data);
        assert_eq!(Permission::RequestsApprove.kind(), PermissionKind::Functional);
    }
}
