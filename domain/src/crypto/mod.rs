//! Key material and the small cryptographic tools built on it.
//!
//! The master key is the root of every key Strongroom uses; [`Keys`] derives one independent key per
//! purpose from it (HKDF-SHA256), so no two features ever share a key and the master key itself is never
//! used directly. Nothing here appears in logs or `Debug` output.

mod keys;
mod master_key;
mod random;
mod seal;

pub use keys::{KeyPurpose, Keys, mac_hex, mac_matches};
pub use master_key::{MasterKey, MasterKeyError};
pub use random::{hash_token, random_digits, random_token};
pub use seal::SealError;
