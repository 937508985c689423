//! AES-256-GCM with associated data: a sealed value opens only under the same key and context string,
//! so a ciphertext copied to another row or column is refused. Format: base64(nonce ‖ ciphertext+tag).

use aes_gcm::aead::{Aead as _, Payload};
use aes_gcm::{Aes256Gcm, KeyInit as _, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;

const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error)]
#[error("the sealed value could not be opened (wrong key, wrong context, or corrupted)")]
pub struct SealError;

pub(super) fn seal(key: &[u8; 32], context: &[u8], plaintext: &[u8]) -> String {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: context })
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ciphertext);
    STANDARD.encode(out)
}

/// [`seal`] without the base64: `nonce ‖ ciphertext+tag` as bytes (for file bodies).
pub(super) fn seal_bytes(key: &[u8; 32], context: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: context })
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens what [`seal_bytes`] made.
pub(super) fn open_bytes(key: &[u8; 32], context: &[u8], bytes: &[u8]) -> Result<Vec<u8>, SealError> {
    if bytes.len() < NONCE_BYTES + 16 {
        return Err(SealError);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError)?;
    Aes256Gcm::new(key.into())
        .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: context })
        .map_err(|_| SealError)
}

pub(super) fn open(key: &[u8; 32], context: &[u8], sealed: &str) -> Result<Vec<u8>, SealError> {
    let bytes = STANDARD.decode(sealed).map_err(|_| SealError)?;
    if bytes.len() < NONCE_BYTES + 16 {
        return Err(SealError);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError)?;
    Aes256Gcm::new(key.into())
        .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: context })
        .map_err(|_| SealError)
}
