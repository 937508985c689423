//! The backup file format (OPS1): a snapshot compressed with zstd, then encrypted with AES-256-GCM in
//! chunks under the STREAM construction (`aead-stream`, big-endian 32-bit counter and a last-chunk flag
//! in each nonce), so a truncated, reordered, spliced or altered file never decrypts.
//!
//! ```text
//! "SRBACKUP" | version (u8) = 1 | header length (u32 BE) | header (JSON, in clear)
//! frame*     : length (u32 BE; top bit set on the last frame) | AES-256-GCM ciphertext and tag
//! ```
//!
//! - The header says what the file is (backup id, workspace or control plane, when, from which
//!   database engine) and carries the backup's own random key, wrapped (by the workspace's data key, or
//!   for the control plane by a key derived from the master key) with the version of the wrapping key.
//! - Every chunk's associated data is the SHA-256 of everything before the first frame, so the header
//!   cannot be swapped or edited either.
//! - Data chunks hold [`CHUNK_BYTES`] of compressed data each; the last chunk holds the [`Manifest`]
//!   (snapshot size and SHA-256, compressed size, chunk count, row counts), which is checked against what
//!   was decrypted. A file without its last chunk is truncated; bytes after it are refused.
//! - Both directions stream: memory use is a chunk and zstd's window, whatever the database's size.

use aead_stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{KeyInit as _, Payload};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};

pub const MAGIC: &[u8; 8] = b"SRBACKUP";
pub const VERSION: u8 = 1;
/// Compressed bytes per encrypted chunk.
pub const CHUNK_BYTES: usize = 256 * 1024;
const TAG_BYTES: usize = 16;
const LAST: u32 = 0x8000_0000;
const MAX_HEADER: usize = 64 * 1024;
const MAX_MANIFEST: usize = 1024 * 1024;
/// The STREAM nonce prefix: 12-byte GCM nonce less the 5 bytes of counter and flag.
pub const NONCE_BYTES: usize = 7;

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Scope {
    Workspace(uuid::Uuid),
    ControlPlane,
}

/// The engine the snapshot came from, and so what it is: a SQLite database file or a `pg_dump -Fc` archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Sqlite,
    Postgres,
}

/// Which key wrapped the backup's own key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum WrappedKey {
    /// The workspace's data key of this version (a shredded workspace has none: its backups are unreadable).
    WorkspaceDataKey { version: i32, sealed: String },
    /// The control plane's backup key, derived from the master key with this id.
    MasterKey { master_key_id: String, sealed: String },
}

/// The clear header of a backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub backup_id: uuid::Uuid,
    pub scope: Scope,
    pub source: Source,
    /// When the snapshot began: everything committed before is in it.
    pub taken_at: DateTime<Utc>,
    pub key: WrappedKey,
    /// The STREAM nonce prefix, hex.
    pub nonce: String,
    pub compression: String,
    pub chunk_bytes: u32,
}

/// What the last (encrypted) chunk says about the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub snapshot_bytes: u64,
    pub snapshot_sha256: String,
    pub compressed_bytes: u64,
    pub chunks: u64,
    /// Rows per table at the snapshot, when known (SQLite), for the restore test.
    pub row_counts: BTreeMap<String, u64>,
}

/// Why a backup file does not open.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    #[error("not a Strongroom backup file")]
    NotABackup,
    #[error("backup format version {0} is not supported")]
    UnsupportedVersion(u8),
    #[error("the backup header is damaged: {0}")]
    BadHeader(String),
    #[error("the backup is truncated")]
    Truncated,
    #[error("a chunk of the backup does not authenticate (altered, reordered, or from another file)")]
    Tampered,
    #[error("the backup has data after its last chunk")]
    TrailingData,
    #[error("the backup's content does not match its manifest: {0}")]
    ManifestMismatch(String),
}

impl From<FormatError> for io::Error {
    fn from(error: FormatError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }
}

/// The [`FormatError`] inside an I/O error raised while streaming, if it is one.
pub fn format_error(error: &io::Error) -> Option<&FormatError> {
    error.get_ref().and_then(|inner| inner.downcast_ref::<FormatError>())
}

/// Writes the magic, version and header; returns the associated data of every chunk.
pub fn write_header<W: Write>(out: &mut W, header: &Header) -> io::Result<[u8; 32]> {
    let json = serde_json::to_vec(header).map_err(io::Error::other)?;
    let mut prefix = Vec::with_capacity(13 + json.len());
    prefix.extend_from_slice(MAGIC);
    prefix.push(VERSION);
    prefix.extend_from_slice(&(json.len() as u32).to_be_bytes());
    prefix.extend_from_slice(&json);
    out.write_all(&prefix)?;
    Ok(Sha256::digest(&prefix).into())
}

/// Reads the magic, version and header; returns the header and the chunks' associated data.
pub fn read_header<R: Read>(input: &mut R) -> Result<(Header, [u8; 32]), FormatError> {
    let mut fixed = [0u8; 13];
    input.read_exact(&mut fixed).map_err(|_| FormatError::NotABackup)?;
    if &fixed[..8] != MAGIC {
        return Err(FormatError::NotABackup);
    }
    if fixed[8] != VERSION {
        return Err(FormatError::UnsupportedVersion(fixed[8]));
    }
    let len = u32::from_be_bytes(fixed[9..13].try_into().expect("4 bytes")) as usize;
    if len > MAX_HEADER {
        return Err(FormatError::BadHeader("too long".into()));
    }
    let mut json = vec![0u8; len];
    input.read_exact(&mut json).map_err(|_| FormatError::Truncated)?;
    let header: Header = serde_json::from_slice(&json).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    let mut hasher = Sha256::new();
    hasher.update(fixed);
    hasher.update(&json);
    Ok((header, hasher.finalize().into()))
}

/// The nonce prefix of a header, checked.
pub fn nonce_of(header: &Header) -> Result<[u8; NONCE_BYTES], FormatError> {
    hex::decode(&header.nonce)
        .ok()
        .and_then(|bytes| <[u8; NONCE_BYTES]>::try_from(bytes).ok())
        .ok_or_else(|| FormatError::BadHeader("nonce".into()))
}

/// A fresh random nonce prefix, hex (each backup also has a key of its own, so it never repeats).
pub fn random_nonce() -> String {
    hex::encode(rand::random::<[u8; NONCE_BYTES]>())
}

/// Encrypts what is written to it in chunks and writes the frames to `W`.
pub struct ChunkWriter<W: Write> {
    out: W,
    stream: EncryptorBE32<Aes256Gcm>,
    aad: [u8; 32],
    buffer: Vec<u8>,
    chunks: u64,
    written: u64,
}

impl<W: Write> ChunkWriter<W> {
    pub fn new(out: W, key: &[u8; 32], nonce: [u8; NONCE_BYTES], aad: [u8; 32]) -> Self {
        let cipher = Aes256Gcm::new(key.into());
        let stream = EncryptorBE32::from_aead(cipher, &nonce.into());
        Self { out, stream, aad, buffer: Vec::with_capacity(CHUNK_BYTES), chunks: 0, written: 0 }
    }

    fn frame(&mut self, ciphertext: &[u8], last: bool) -> io::Result<()> {
        let len = ciphertext.len() as u32 | if last { LAST } else { 0 };
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(ciphertext)
    }

    fn emit(&mut self) -> io::Result<()> {
        let ciphertext = self
            .stream
            .encrypt_next(Payload { msg: &self.buffer, aad: &self.aad })
            .map_err(|_| io::Error::other("chunk encryption failed (stream exhausted)"))?;
        self.frame(&ciphertext, false)?;
        self.chunks += 1;
        self.buffer.clear();
        Ok(())
    }

    /// Writes the remaining data and the manifest as the last chunk; returns the output and the
    /// manifest as written (with the compressed size and chunk count filled in).
    pub fn finish(mut self, mut manifest: Manifest) -> io::Result<(W, Manifest)> {
        if !self.buffer.is_empty() {
            self.emit()?;
        }
        manifest.compressed_bytes = self.written;
        manifest.chunks = self.chunks;
        let json = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
        let Self { mut out, stream, aad, .. } = self;
        let ciphertext = stream
            .encrypt_last(Payload { msg: &json, aad: &aad })
            .map_err(|_| io::Error::other("manifest encryption failed"))?;
        out.write_all(&(ciphertext.len() as u32 | LAST).to_be_bytes())?;
        out.write_all(&ciphertext)?;
        out.flush()?;
        Ok((out, manifest))
    }
}

impl<W: Write> Write for ChunkWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_BYTES - self.buffer.len();
        let taken = room.min(data.len());
        self.buffer.extend_from_slice(&data[..taken]);
        self.written += taken as u64;
        if self.buffer.len() == CHUNK_BYTES {
            self.emit()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Chunks are only written whole; the output is flushed by `finish`.
        Ok(())
    }
}

/// Reads frames from `R` and yields the decrypted data; at the end, the manifest.
pub struct ChunkReader<R: Read> {
    input: R,
    stream: Option<DecryptorBE32<Aes256Gcm>>,
    aad: [u8; 32],
    plain: Vec<u8>,
    at: usize,
    chunks: u64,
    read: u64,
    manifest: Option<Manifest>,
}

impl<R: Read> ChunkReader<R> {
    pub fn new(input: R, key: &[u8; 32], nonce: [u8; NONCE_BYTES], aad: [u8; 32]) -> Self {
        let cipher = Aes256Gcm::new(key.into());
        let stream = DecryptorBE32::<Aes256Gcm>::from_aead(cipher, &nonce.into());
        Self { input, stream: Some(stream), aad, plain: Vec::new(), at: 0, chunks: 0, read: 0, manifest: None }
    }

    /// The manifest, once everything was read; checked against the chunks and bytes seen.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    fn next_frame(&mut self) -> Result<(), FormatError> {
        let mut len = [0u8; 4];
        read_full(&mut self.input, &mut len)?;
        let len = u32::from_be_bytes(len);
        let (last, len) = (len & LAST != 0, (len & !LAST) as usize);
        let limit = if last { MAX_MANIFEST } else { CHUNK_BYTES } + TAG_BYTES;
        if len > limit || len < TAG_BYTES {
            return Err(FormatError::Tampered);
        }
        let mut ciphertext = vec![0u8; len];
        read_full(&mut self.input, &mut ciphertext)?;
        let payload = Payload { msg: &ciphertext, aad: &self.aad };
        if last {
            let stream = self.stream.take().ok_or(FormatError::TrailingData)?;
            let json = stream.decrypt_last(payload).map_err(|_| FormatError::Tampered)?;
            let manifest: Manifest =
                serde_json::from_slice(&json).map_err(|e| FormatError::ManifestMismatch(e.to_string()))?;
            if manifest.chunks != self.chunks || manifest.compressed_bytes != self.read {
                return Err(FormatError::ManifestMismatch("chunk count or size".into()));
            }
            let mut extra = [0u8; 1];
            if matches!(self.input.read(&mut extra), Ok(n) if n > 0) {
                return Err(FormatError::TrailingData);
            }
            self.manifest = Some(manifest);
            self.plain.clear();
        } else {
            let stream = self.stream.as_mut().ok_or(FormatError::TrailingData)?;
            self.plain = stream.decrypt_next(payload).map_err(|_| FormatError::Tampered)?;
            self.chunks += 1;
            self.read += self.plain.len() as u64;
        }
        self.at = 0;
        Ok(())
    }
}

fn read_full<R: Read>(input: &mut R, buffer: &mut [u8]) -> Result<(), FormatError> {
    input.read_exact(buffer).map_err(|_| FormatError::Truncated)
}

impl<R: Read> Read for ChunkReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.plain.len() {
            if self.manifest.is_some() {
                return Ok(0);
            }
            self.next_frame()?;
        }
        let n = out.len().min(self.plain.len() - self.at);
        out[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Passes bytes through and keeps their SHA-256 and count.
pub struct Hashing<T> {
    pub inner: T,
    hasher: Sha256,
    pub bytes: u64,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Self {
        Self { inner, hasher: Sha256::new(), bytes: 0 }
    }

    pub fn finish(self) -> (T, String, u64) {
        (self.inner, hex::encode(self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(data)?;
        self.hasher.update(&data[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.hasher.update(&out[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Compresses and encrypts `snapshot` into `out` after `header`; returns the manifest. `progress` is
/// called with the snapshot bytes read so far.
pub fn seal<R: Read, W: Write>(
    snapshot: R,
    out: W,
    header: &Header,
    key: &[u8; 32],
    row_counts: BTreeMap<String, u64>,
    progress: &dyn Fn(u64),
) -> io::Result<(W, Manifest)> {
    let mut out = out;
    let aad = write_header(&mut out, header)?;
    let nonce = nonce_of(header)?;
    let mut encoder = zstd::stream::Encoder::new(ChunkWriter::new(out, key, nonce, aad), 3)?;
    let mut input = Hashing::new(snapshot);
    let mut buffer = vec![0u8; 128 * 1024];
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        encoder.write_all(&buffer[..n])?;
        progress(input.bytes);
    }
    let (_, snapshot_sha256, snapshot_bytes) = input.finish();
    let manifest = Manifest { snapshot_bytes, snapshot_sha256, row_counts, ..Manifest::default() };
    encoder.finish()?.finish(manifest)
}

/// Decrypts and decompresses a backup from `input` (already past its header, whose associated data is
/// `aad`) into `out`, and checks the result against the manifest. Refuses anything that does not
/// authenticate; what was written to `out` before a refusal must be thrown away by the caller.
pub fn open<R: Read, W: Write>(
    input: R,
    out: W,
    header: &Header,
    aad: [u8; 32],
    key: &[u8; 32],
    progress: &dyn Fn(u64),
) -> io::Result<(W, Manifest)> {
    let nonce = nonce_of(header)?;
    let mut decoder = zstd::stream::Decoder::new(ChunkReader::new(input, key, nonce, aad))?;
    let mut output = Hashing::new(out);
    let mut buffer = vec![0u8; 128 * 1024];
    loop {
        let n = match decoder.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if format_error(&e).is_some() => return Err(e),
            // A chunk that authenticates but does not decompress cannot be ours.
            Err(e) => return Err(FormatError::ManifestMismatch(format!("decompression: {e}")).into()),
        };
        if n == 0 {
            break;
        }
        output.write_all(&buffer[..n])?;
        progress(output.bytes);
    }
    // Reach the manifest even if zstd stopped before the reader's end.
    let mut reader = decoder.finish();
    let mut rest = [0u8; 1];
    if reader.read(&mut rest)? != 0 {
        return Err(FormatError::ManifestMismatch("data after the compressed stream".into()).into());
    }
    let manifest = reader.get_ref().manifest().cloned().ok_or(FormatError::Truncated)?;
    let (out, sha256, bytes) = output.finish();
    if bytes != manifest.snapshot_bytes || sha256 != manifest.snapshot_sha256 {
        return Err(FormatError::ManifestMismatch("snapshot size or SHA-256".into()).into());
    }
    Ok((out, manifest))
}

#[cfg(test)]
mod tests;
