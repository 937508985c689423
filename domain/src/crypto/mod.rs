//! Key material. The master key is the root of every key Strongroom derives (field-encryption
//! envelope keys, token MACs); it never leaves the process and never appears in logs or `Debug` output.

mod master_key;

pub use master_key::{MasterKey, MasterKeyError};
