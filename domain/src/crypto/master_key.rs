//! The deployment's 256-bit master key: parsed from base64, read from a file, or generated into a new
//! file that only the server's user can read (mode 0600).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretBox};
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

pub const MASTER_KEY_BYTES: usize = 32;

/// The master key. `Debug` prints nothing secret; the bytes are zeroed when dropped.
pub struct MasterKey(SecretBox<[u8; MASTER_KEY_BYTES]>);

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("the master key must be {MASTER_KEY_BYTES} bytes encoded as base64 (e.g. `openssl rand -base64 32`)")]
    Malformed,
    #[error("cannot read the master key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot create the master key file {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("the master key file {path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`")]
    TooOpen { path: String, mode: u32 },
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut bytes = Box::new([0u8; MASTER_KEY_BYTES]);
        rand::rng().fill_bytes(bytes.as_mut());
        Self(SecretBox::new(bytes))
    }

    pub fn from_base64(encoded: &str) -> Result<Self, MasterKeyError> {
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| MasterKeyError::Malformed)?;
        let bytes: [u8; MASTER_KEY_BYTES] = decoded.try_into().map_err(|_| MasterKeyError::Malformed)?;
        Ok(Self(SecretBox::new(Box::new(bytes))))
    }

    /// Reads a key file, refusing one that other users could read.
    pub fn read_file(path: &Path) -> Result<Self, MasterKeyError> {
        let shown = path.display().to_string();
        let metadata =
            std::fs::metadata(path).map_err(|source| MasterKeyError::Read { path: shown.clone(), source })?;
        reject_open_permissions(&metadata, &shown)?;
        let text = std::fs::read_to_string(path).map_err(|source| MasterKeyError::Read { path: shown, source })?;
        Self::from_base64(&text)
    }

    /// Generates a key into a new file with mode 0600. Never overwrites an existing file.
    pub fn create_file(path: &Path) -> Result<Self, MasterKeyError> {
        let shown = path.display().to_string();
        let key = Self::generate();
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|source| MasterKeyError::Create { path: shown.clone(), source })?;
        let encoded = STANDARD.encode(key.0.expose_secret());
        file.write_all(format!("{encoded}\n").as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| MasterKeyError::Create { path: shown, source })?;
        Ok(key)
    }

    /// Derives 32 bytes of independent key material for the purpose named by `info` (HKDF-SHA256).
    pub(super) fn derive(&self, info: &[u8]) -> SecretBox<[u8; 32]> {
        let mut okm = Box::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(Some(b"strongroom master key v1"), self.0.expose_secret())
            .expand(info, okm.as_mut())
            .expect("HKDF-SHA256 can produce 32 bytes");
        SecretBox::new(okm)
    }

    #[cfg(test)]
    fn expose(&self) -> &[u8; MASTER_KEY_BYTES] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[cfg(unix)]
fn reject_open_permissions(metadata: &std::fs::Metadata, path: &str) -> Result<(), MasterKeyError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(MasterKeyError::TooOpen { path: path.to_owned(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn reject_open_permissions(_: &std::fs::Metadata, _: &str) -> Result<(), MasterKeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_files_are_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let created = MasterKey::create_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let read = MasterKey::read_file(&path).unwrap();
        assert_eq!(created.expose(), read.expose());
        assert!(matches!(MasterKey::create_file(&path), Err(MasterKeyError::Create { .. })), "must not overwrite");
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_key_files_are_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        MasterKey::create_file(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(MasterKey::read_file(&path), Err(MasterKeyError::TooOpen { mode: 0o644, .. })));
    }

    #[test]
    fn derived_keys_depend_on_the_master_key_and_the_purpose() {
        let a = MasterKey::from_base64(&STANDARD.encode([1u8; 32])).unwrap();
        let b = MasterKey::from_base64(&STANDARD.encode([2u8; 32])).unwrap();
        assert_eq!(a.derive(b"x").expose_secret(), a.derive(b"x").expose_secret());
        assert_ne!(a.derive(b"x").expose_secret(), a.derive(b"y").expose_secret());
        assert_ne!(a.derive(b"x").expose_secret(), b.derive(b"x").expose_secret());
        assert_ne!(a.derive(b"x").expose_secret(), a.expose(), "the master key is never used directly");
    }

    #[test]
    fn malformed_keys_are_refused_and_debug_is_redacted() {
        assert!(matches!(MasterKey::from_base64("c2hvcnQ="), Err(MasterKeyError::Malformed)));
        assert!(matches!(MasterKey::from_base64("not base64!"), Err(MasterKeyError::Malformed)));
        let key = MasterKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        assert_eq!(format!("{key:?}"), "MasterKey(<redacted>)");
    }
}
