//! gateway-driver's starters that take no [`GatewayApi`](crate::GatewayApi), with async-std
//! filled in (the others take the runtime from the API's client). The rules live in
//! gateway-driver and gateway-proto.

use crate::{AsyncStd, InMemoryQueue, Shard, StartError};
use gateway_driver::{
    proto::{Config, ConfigBuilder, GatewayBot, ShardId},
    IntoShardBuilder,
};
use std::time::Duration;

/// Starts the shards `ids` on async-std from a `/gateway/bot` answer already at hand, without
/// HTTP (see [`gateway_driver::start_with`]).
pub fn start_with<I, F, B>(
    gateway: &GatewayBot,
    window: Duration,
    ids: I,
    config: Config,
    per_shard: F,
) -> Result<Vec<Shard>, StartError>
where
    I: IntoIterator<Item = ShardId>,
    F: FnMut(ShardId, ConfigBuilder) -> B,
    B: IntoShardBuilder<AsyncStd>,
{
    gateway_driver::start_with(gateway, window, ids, config, per_shard)
}

/// The identify queue for a `/gateway/bot` answer, on async-std's clock (see
/// [`gateway_driver::identify_queue`]).
pub fn identify_queue(
    gateway: &GatewayBot,
    window: Duration,
    expected: impl IntoIterator<Item = ShardId>,
) -> InMemoryQueue {
    gateway_driver::identify_queue(gateway, window, expected)
}
