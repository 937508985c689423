//! What the unsubscribe page shows (UX4): the topic, the address masked, and whether it still gets it;
//! and the account's own notification topics.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSubscriptionDto {
    /// `invitations`, `approval-requests` or `request-decisions`.
    pub topic: String,
    /// Masked (`j•••@example.com`).
    pub address: String,
    pub subscribed: bool,
}

/// One notification topic on the account's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTopicDto {
    /// As in [`MailSubscriptionDto::topic`].
    pub topic: String,
    pub subscribed: bool,
}
