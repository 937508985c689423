//! Rate limits that hold across servers (WEB3 with several servers): when sessions live in Redis, the
//! limits are counted there too, so N requests a minute means N in total, not N per server.
//!
//! Each bucket is one Redis key holding its GCRA "theoretical arrival time" (the generic cell rate
//! algorithm, as governor uses locally): a request is allowed while that time is less than a full burst
//! ahead of now, and moves it one emission interval (a minute divided by the limit) further. The check and
//! the update run as one Lua script, so concurrent requests on any number of servers cannot both take the
//! last unit, and the script reads the time from Redis itself, so the servers' clocks do not matter.
//! Keys expire when their bucket is full again, so Redis holds only the active clients.

use redis::aio::ConnectionManager;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// `KEYS[1]` the bucket, `ARGV[1]` the emission interval in microseconds, `ARGV[2]` the burst (the
/// per-minute limit). Returns 0 when allowed, else the microseconds until the next request would pass.
/// Microseconds since 1970 stay below 2^53, so Lua's doubles hold them exactly.
const GCRA: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_from = next_tat - interval * burst
if now < allowed_from then
  return allowed_from - now
end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return 0
";

static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GCRA));

/// The buckets in Redis; cheap to clone (one multiplexed connection).
#[derive(Clone)]
pub struct SharedBuckets {
    connection: ConnectionManager,
    /// `<redis_key_prefix>rate:`: apart from the session keys (whose ids hold no `:`).
    prefix: Arc<str>,
}

impl SharedBuckets {
    pub fn new(connection: ConnectionManager, key_prefix: &str) -> Self {
        Self { connection, prefix: format!("{key_prefix}rate:").into() }
    }

    /// Takes one request from `bucket` under a limit of `per_minute` (at least 1): `Ok(Err(wait))` when
    /// the bucket is empty, `Err` when Redis did not answer.
    #[tracing::instrument(skip(self), level = "debug")]
    pub async fn take(&self, bucket: &str, per_minute: u32) -> redis::RedisResult<Result<(), Duration>> {
        let per_minute = per_minute.max(1);
        let interval_micros = 60_000_000 / u64::from(per_minute);
        let wait_micros: u64 = SCRIPT
            .key(format!("{}{bucket}", self.prefix))
            .arg(interval_micros)
            .arg(per_minute)
            .invoke_async(&mut self.connection.clone())
            .await?;
        Ok(if wait_micros == 0 { Ok(()) } else { Err(Duration::from_micros(wait_micros)) })
    }
}
