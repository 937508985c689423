//! Tables of a workspace's own database.

pub(crate) mod workspace_profile;
