//! Tables of the control-plane database.

pub(crate) mod tenant;
