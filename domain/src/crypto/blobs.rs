//! What a workspace's keys do beyond single fields: whole file bodies (attachments, DATA4) sealed under
//! the data key with associated data binding workspace, table, column and row, and the signatures of
//! the links a workspace hands to its own customers (DATA5).
//!
//! Link signatures use a key derived (HMAC, its own label) from the workspace's random index key, not
//! the master key: they survive a master key rotation, they differ per workspace, and crypto-shredding
//! a workspace kills every link it ever made.

use super::seal;
use super::vault::{FieldError, FieldKeys, FieldRef};
use secrecy::ExposeSecret as _;

impl FieldKeys {
    /// Encrypts a file body for `at` under the current data key; returns the key version with it.
    pub fn encrypt_bytes(&self, at: FieldRef<'_>, plaintext: &[u8]) -> (i32, Vec<u8>) {
        let key = self.data.get(&self.current).expect("the current version is loaded");
        (self.current, seal::seal_bytes(key.expose_secret(), &self.aad(at), plaintext))
    }

    /// Decrypts a file body sealed for `at` under data key `version`; anything else is tampering.
    pub fn decrypt_bytes(&self, at: FieldRef<'_>, version: i32, sealed: &[u8]) -> Result<Vec<u8>, FieldError> {
        let key = self.data.get(&version).ok_or(FieldError::UnknownKey {
            table: at.table,
            column: at.column,
            row: *at.row,
            version,
        })?;
        seal::open_bytes(key.expose_secret(), &self.aad(at), sealed).map_err(|_| FieldError::Tampered {
            table: at.table,
            column: at.column,
            row: *at.row,
        })
    }

    /// The signature (HMAC-SHA256, hex) of a link this workspace made, over `parts` (length-prefixed).
    /// The workspace id is always part of what is signed.
    pub fn link_signature(&self, parts: &[&[u8]]) -> String {
        let link_key = super::mac_hex(self.index.expose_secret(), &[b"strongroom/signed-link-key/v1"]);
        let tenant = self.tenant.to_string();
        let mut all: Vec<&[u8]> = vec![b"strongroom/signed-link/v1".as_slice(), tenant.as_bytes()];
        all.extend_from_slice(parts);
        super::mac_hex(link_key.as_bytes(), &all)
    }
}
