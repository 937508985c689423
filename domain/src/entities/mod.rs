//! sea-orm entities, split by the database they live in. They stay inside this crate: callers get
//! domain types, and the web layer maps those to DTOs, so a table row never reaches a browser.

pub(crate) mod control;
pub(crate) mod tenant;
