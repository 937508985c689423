//! Key material and the small cryptographic tools built on it.
//!
//! The master key is the root of every key Strongroom uses; [`Keys`] derives one independent key per
//! purpose from it (HKDF-SHA256), so no two features ever share a key and the master key itself is never
//! used directly. Nothing here appears in logs or `Debug` output. [`Vault`] holds each workspace's own
//! random data keys, wrapped under the master key (envelope encryption of sensitive fields, DATA2).

mod blobs;
mod keys;
mod master_key;
mod random;
mod seal;
mod vault;

pub use keys::{KeyPurpose, Keys, mac_hex, mac_matches};
pub use master_key::{MasterKey, MasterKeyError};
pub use random::{hash_token, random_digits, random_token};
pub use seal::SealError;
pub(crate) use vault::activate;
pub use vault::{CACHE_FOR, FieldError, FieldKeys, FieldRef, RewrapReport, Vault, master_key_id, rewrap_all};
