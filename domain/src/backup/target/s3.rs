//! S3-compatible object stores as backup targets (OPS1: copies in several places), through the
//! `object_store` crate (Apache Arrow's; AWS S3 and everything that speaks its API: MinIO, SeaweedFS,
//! Ceph, Backblaze B2, Cloudflare R2, ...).
//!
//! The same promise as for a directory: a copy gets its real name only after it read back right. It is
//! uploaded in parts under `<prefix>.partial-<name>`, read back and hashed, then copied inside the store
//! to `<prefix><name>` and the partial object deleted. A run killed at any point leaves at most a partial
//! object (never listed, removed later by [`super::Target::clean_partials`]) or an unfinished multipart
//! upload, which the store does not show as an object at all (a bucket lifecycle rule should abort
//! those after a day; the README says so).

use super::{PARTIAL, Progress, check_name};
use crate::error::{DomainError, DomainResult};
use bytes::Bytes;
use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore as _, ObjectStoreExt as _, RetryConfig, WriteMultipart};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Parts of a multipart upload (S3 wants at least 5 MiB but for the last).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts uploaded at once; with [`PART_BYTES`] this bounds the memory an upload takes.
const PARTS_IN_FLIGHT: usize = 2;

/// Where and how to reach a bucket (`[[backup.targets]]` with `s3_bucket`).
#[derive(Clone)]
pub struct S3Bucket {
    /// `None` for AWS itself; else the store's address, e.g. `https://s3.eu-central-1.example.com`.
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    /// Put before every object name, e.g. `strongroom/` (may be empty).
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// Plain `http://` endpoints (a store on a private network or in tests).
    pub allow_http: bool,
    /// How often a failed request is retried before the copy counts as failed.
    pub max_retries: usize,
    client: Arc<OnceLock<Arc<AmazonS3>>>,
}

impl S3Bucket {
    pub fn new(
        endpoint: Option<String>,
        bucket: String,
        region: String,
        prefix: String,
        access_key_id: String,
        secret_access_key: SecretString,
    ) -> Self {
        let allow_http = endpoint.as_deref().is_some_and(|e| e.starts_with("http://"));
        Self {
            endpoint,
            bucket,
            region,
            prefix,
            access_key_id,
            secret_access_key,
            allow_http,
            max_retries: 3,
            client: Arc::default(),
        }
    }

    /// The same bucket with `retries` retries per request.
    pub fn with_retries(self, retries: usize) -> Self {
        Self { max_retries: retries, client: Arc::default(), ..self }
    }

    /// The client, built once (it keeps its connections).
    fn store(&self) -> DomainResult<Arc<AmazonS3>> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: self.max_retries,
            retry_timeout: Duration::from_secs(60),
        };
        // The client options first: `with_allow_http` is one of them, and setting them replaces them all.
        let mut builder = AmazonS3Builder::new()
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(Duration::from_secs(120))
                    .with_connect_timeout(Duration::from_secs(5)),
            )
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(self.secret_access_key.expose_secret())
            .with_allow_http(self.allow_http)
            .with_virtual_hosted_style_request(false)
            .with_retry(retry);
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        builder = builder.with_http_connector(super::s3_http::ReqwestConnector { allow_http: self.allow_http });
        let client = Arc::new(builder.build().map_err(|e| DomainError::Misconfigured(format!("S3 target: {e}")))?);
        Ok(self.client.get_or_init(|| client).clone())
    }

    fn path(&self, name: &str) -> ObjectPath {
        ObjectPath::from(format!("{}{name}", self.prefix))
    }

    /// Uploads `source` as `name`, verified (see the module header). Returns the size.
    pub async fn put(&self, name: &str, source: &Path, sha256: &str, progress: &Progress) -> DomainResult<u64> {
        let store = self.store()?;
        let partial = self.path(&format!("{PARTIAL}{name}"));
        let total = tokio::fs::metadata(source).await?.len();
        let mut input = tokio::fs::File::open(source).await?;
        let mut upload =
            WriteMultipart::new_with_chunk_size(store.put_multipart(&partial).await.map_err(unreachable)?, PART_BYTES);
        let mut buffer = vec![0u8; PART_BYTES];
        let mut sent = 0u64;
        loop {
            let n = input.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            if let Err(error) = upload.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = upload.abort().await;
                return Err(unreachable(error));
            }
            upload.write(&buffer[..n]);
            sent += n as u64;
            progress("upload", sent, total);
        }
        upload.finish().await.map_err(unreachable)?;
        let (read_back, bytes) = self.hash_object(&store, &partial).await?;
        if read_back != sha256 {
            let _ = store.delete(&partial).await;
            return Err(DomainError::Tampered(format!(
                "the copy of {name} in bucket {} reads back differently",
                self.bucket
            )));
        }
        store.copy(&partial, &self.path(name)).await.map_err(unreachable)?;
        store.delete(&partial).await.map_err(unreachable)?;
        Ok(bytes)
    }

    async fn hash_object(&self, store: &AmazonS3, path: &ObjectPath) -> DomainResult<(String, u64)> {
        let mut stream = store.get(path).await.map_err(not_found_or_unreachable)?.into_stream();
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk: Bytes = chunk.map_err(unreachable)?;
            hasher.update(&chunk);
            total += chunk.len() as u64;
        }
        Ok((hex::encode(hasher.finalize()), total))
    }

    /// SHA-256 and size of the copy `name`, read back from the store.
    pub async fn hash(&self, name: &str) -> DomainResult<(String, u64)> {
        self.hash_object(&*self.store()?, &self.path(name)).await
    }

    /// Downloads the copy `name` to `to`.
    pub async fn download(&self, name: &str, to: &Path) -> DomainResult<()> {
        let mut stream = self.store()?.get(&self.path(name)).await.map_err(not_found_or_unreachable)?.into_stream();
        let mut file = tokio::fs::File::create(to).await?;
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk.map_err(unreachable)?).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        Ok(())
    }

    pub async fn delete(&self, name: &str) -> DomainResult<()> {
        match self.store()?.delete(&self.path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(unreachable(error)),
        }
    }

    /// Every object under the prefix, as (name, last modified).
    async fn objects(&self) -> DomainResult<Vec<(String, SystemTime)>> {
        let store = self.store()?;
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.trim_end_matches('/')));
        let mut listing = store.list(prefix.as_ref());
        let mut found = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(unreachable)?;
            let key = meta.location.as_ref();
            if let Some(name) = key.strip_prefix(self.prefix.as_str())
                && !name.contains('/')
            {
                found.push((name.to_owned(), SystemTime::from(meta.last_modified)));
            }
        }
        Ok(found)
    }

    /// The complete backup objects (never partial ones), by name.
    pub async fn list(&self) -> DomainResult<Vec<String>> {
        let mut names: Vec<String> =
            self.objects().await?.into_iter().map(|(name, _)| name).filter(|name| check_name(name).is_ok()).collect();
        names.sort();
        Ok(names)
    }

    /// Removes partial objects older than `age`; returns how many.
    pub async fn clean_partials(&self, age: Duration) -> DomainResult<usize> {
        let now = SystemTime::now();
        let mut removed = 0;
        for (name, modified) in self.objects().await? {
            if name.starts_with(PARTIAL) && now.duration_since(modified).unwrap_or_default() >= age {
                self.delete_raw(&name).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    async fn delete_raw(&self, name: &str) -> DomainResult<()> {
        self.store()?.delete(&self.path(name)).await.map_err(unreachable)
    }
}

fn unreachable(error: object_store::Error) -> DomainError {
    DomainError::Unreachable { service: "an S3 backup target", reason: error.to_string() }
}

fn not_found_or_unreachable(error: object_store::Error) -> DomainError {
    match error {
        object_store::Error::NotFound { .. } => DomainError::NotFound,
        other => unreachable(other),
    }
}

impl PartialEq for S3Bucket {
    /// The same place with the same credentials (the client is not compared).
    fn eq(&self, other: &Self) -> bool {
        self.endpoint == other.endpoint
            && self.bucket == other.bucket
            && self.region == other.region
            && self.prefix == other.prefix
            && self.access_key_id == other.access_key_id
            && self.secret_access_key.expose_secret() == other.secret_access_key.expose_secret()
            && self.allow_http == other.allow_http
            && self.max_retries == other.max_retries
    }
}

impl Eq for S3Bucket {}

impl std::fmt::Debug for S3Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Bucket")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}
