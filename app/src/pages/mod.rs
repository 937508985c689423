//! One module per page.

mod landing;
mod not_found;
mod workspace;

pub use landing::Landing;
pub use not_found::NotFound;
pub use workspace::WorkspacePage;
