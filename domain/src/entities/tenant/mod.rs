//! Tables of a workspace's own database.

pub(crate) mod approval_decision;
pub(crate) mod attachment;
pub(crate) mod audit_chain_head;
pub(crate) mod audit_checkpoint;
pub(crate) mod audit_event;
pub(crate) mod billing_checkout;
pub(crate) mod billing_event;
pub(crate) mod counter;
pub(crate) mod customer;
pub(crate) mod member;
pub(crate) mod member_role;
pub(crate) mod notification;
pub(crate) mod order_link;
pub(crate) mod pending_control_change;
pub(crate) mod purchase_order;
pub(crate) mod purchase_request;
pub(crate) mod purchase_request_line;
pub(crate) mod purchasing_setting;
pub(crate) mod reveal_count;
pub(crate) mod role;
pub(crate) mod sales_order;
pub(crate) mod sales_order_line;
pub(crate) mod subscription;
pub(crate) mod supplier;
pub(crate) mod workspace_profile;
