//! This project's side: gateway-tokio shards pointed at the feeder.
//!
//! gateway-tokio is not on main yet; until it is, every run reports that it is missing.

use crate::client::{MemoryArgs, MemoryResult, ThroughputArgs, ThroughputResult};

const PENDING: &str = "gateway-tokio is not on main yet";

/// One shard reading the throughput script.
pub async fn throughput(_args: &ThroughputArgs) -> Result<ThroughputResult, String> {
    Err(PENDING.to_owned())
}

/// `args.shards` shards in this process.
pub async fn memory(_args: &MemoryArgs) -> Result<MemoryResult, String> {
    Err(PENDING.to_owned())
}
