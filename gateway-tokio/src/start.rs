//! Starting many shards: the recommended count from `GET /gateway/bot`, one identify queue
//! built from its `max_concurrency` and session-start limit, and a per-shard config callback.
//!
//! The rules (buckets, windows, the budget, buckets in order) are gateway-proto's
//! [`IdentifyScheduler`]; this file only builds one per start and hands it to every shard, so
//! shards of one start never get a queue each by accident. Shards start on their first poll
//! (for example by a [`ShardStream`](crate::ShardStream)).

use crate::proto::{
    config::DISCORD_GATEWAY_URL, Config, ConfigBuilder, ConfigError, GatewayBot, IdentifyScheduler,
    ShardId, ShardRange,
};
use crate::{ApiError, GatewayApi, InMemoryQueue, Queue, Shard, ShardBuilder, Tokio};
use gateway_driver::Runtime;
use std::{fmt, sync::Arc, time::Duration};

/// What a per-shard callback may return: a [`ConfigBuilder`] (the usual case), a
/// [`Config`], or a [`ShardBuilder`] for adapter settings (TLS, buffer sizes), each bare or
/// in a `Result`. The starter replaces the identify queue with the shared one.
pub trait IntoShardBuilder {
    /// The shard's settings, or why its config is invalid.
    fn into_shard_builder(self) -> Result<ShardBuilder, ConfigError>;
}

impl IntoShardBuilder for ConfigBuilder {
    fn into_shard_builder(self) -> Result<ShardBuilder, ConfigError> {
        self.build().map(ShardBuilder::new)
    }
}

impl IntoShardBuilder for Config {
    fn into_shard_builder(self) -> Result<ShardBuilder, ConfigError> {
        Ok(ShardBuilder::new(self))
    }
}

impl IntoShardBuilder for ShardBuilder {
    fn into_shard_builder(self) -> Result<ShardBuilder, ConfigError> {
        Ok(self)
    }
}

impl<T: IntoShardBuilder> IntoShardBuilder for Result<T, ConfigError> {
    fn into_shard_builder(self) -> Result<ShardBuilder, ConfigError> {
        self.and_then(IntoShardBuilder::into_shard_builder)
    }
}

/// Starting shards failed; no shard was started.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum StartError {
    /// `GET /gateway/bot` failed.
    Api(ApiError),
    /// A shard's config is invalid.
    Config {
        /// The shard.
        shard: ShardId,
        /// What is wrong with its config.
        error: ConfigError,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(error) => write!(f, "cannot start shards: {error}"),
            Self::Config { shard, error } => write!(f, "shard {shard}: {error}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Api(error) => Some(error),
            Self::Config { error, .. } => Some(error),
        }
    }
}

impl From<ApiError> for StartError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// Starts the recommended number of shards: asks `api` for `/gateway/bot`, builds one
/// identify queue from its answer, and calls `per_shard` for every shard `0..shards` with a
/// builder seeded from `config` (and the answer's gateway URL when `config` has Discord's
/// default one).
///
/// ```no_run
/// use gateway_tokio::{start_recommended, Config, GatewayApi, Intents, ShardStream};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::new("token", Intents::GUILDS);
/// let shards = start_recommended(&GatewayApi::new(), config, |_id, builder| builder).await?;
/// let mut events = ShardStream::new(shards);
/// # Ok(()) }
/// ```
pub async fn start_recommended<F, B>(
    api: &GatewayApi,
    config: Config,
    per_shard: F,
) -> Result<Vec<Shard>, StartError>
where
    F: FnMut(ShardId, ConfigBuilder) -> B,
    B: IntoShardBuilder,
{
    let gateway = api.gateway_bot(config.token()).await?;
    // `parse_response` refused a count of 0.
    let shards = ShardRange::all(gateway.shards.max(1)).into_iter().flatten();
    start_with(&gateway, api.window(), shards, config, per_shard)
}

/// Starts the shards `ids` (their own total; e.g. a
/// [`ShardRange::process`] share, or the shards of [`SavedSessions`](crate::SavedSessions)),
/// with one identify queue built from `api`'s `/gateway/bot` answer.
pub async fn start_range<I, F, B>(
    api: &GatewayApi,
    ids: I,
    config: Config,
    per_shard: F,
) -> Result<Vec<Shard>, StartError>
where
    I: IntoIterator<Item = ShardId>,
    F: FnMut(ShardId, ConfigBuilder) -> B,
    B: IntoShardBuilder,
{
    let gateway = api.gateway_bot(config.token()).await?;
    start_with(&gateway, api.window(), ids, config, per_shard)
}

/// Starts the shards `ids` from a `/gateway/bot` answer already at hand, without HTTP:
/// one identify queue ([`identify_queue`]) for all of them. Shards whose config carries a
/// session resume it and never ask the queue.
pub fn start_with<I, F, B>(
    gateway: &GatewayBot,
    window: Duration,
    ids: I,
    config: Config,
    mut per_shard: F,
) -> Result<Vec<Shard>, StartError>
where
    I: IntoIterator<Item = ShardId>,
    F: FnMut(ShardId, ConfigBuilder) -> B,
    B: IntoShardBuilder,
{
    let use_answer_url = config.gateway_url() == DISCORD_GATEWAY_URL;
    let mut builders = Vec::new();
    for id in ids {
        let mut base = ConfigBuilder::from(config.clone());
        if use_answer_url {
            base = base.gateway_url(gateway.url.as_str());
        }
        let builder = per_shard(id, base)
            .into_shard_builder()
            .map_err(|error| StartError::Config { shard: id, error })?;
        builders.push((id, builder));
    }
    let fresh = builders
        .iter()
        .filter(|(_, builder)| builder.config().session().is_none())
        .map(|(id, _)| *id);
    let queue: Arc<dyn Queue> = Arc::new(identify_queue(gateway, window, fresh));
    Ok(builders
        .into_iter()
        .map(|(id, builder)| builder.queue(queue.clone()).build(id))
        .collect())
}

/// The identify queue for a `/gateway/bot` answer: `max_concurrency` buckets of `window`,
/// the session-start budget as of now, and `expected` announced so that buckets start in
/// order whatever order the shards' Hellos arrive in
/// ([`IdentifyScheduler::expect`]).
pub fn identify_queue(
    gateway: &GatewayBot,
    window: Duration,
    expected: impl IntoIterator<Item = ShardId>,
) -> InMemoryQueue {
    // The clock the shards stamp their requests with, so paused test time agrees.
    let now = Tokio::now();
    let mut scheduler: IdentifyScheduler = gateway.scheduler(now).with_window(window);
    for id in expected {
        scheduler.expect(id.number());
    }
    if let Some(limit) = scheduler.session_start_limit(now) {
        if limit.remaining == 0 {
            tracing::warn!(
                reset_after = ?limit.reset_after,
                "no session starts left: new sessions wait for the reset"
            );
        }
    }
    InMemoryQueue::from_scheduler(scheduler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::gateway_bot::SessionStartLimits;
    use crate::{Compression, Intents, SavedSessions, Session, State};

    fn answer(shards: u32) -> GatewayBot {
        GatewayBot {
            url: "ws://127.0.0.1:9".to_owned(),
            shards,
            session_start_limit: SessionStartLimits {
                total: 1000,
                remaining: 1000,
                reset_after: Duration::from_secs(3600),
                max_concurrency: 4,
            },
        }
    }

    #[test]
    fn every_shard_gets_its_own_config_and_the_answers_url() {
        let config = Config::new("token", Intents::GUILDS);
        let ids = ShardRange::all(3).expect("3 shards");
        let shards = start_with(&answer(3), Duration::from_secs(5), ids, config, |id, c| {
            c.compression(Compression::None)
                .large_threshold(50 + 10 * id.number() as u16)
        })
        .expect("valid configs");
        assert_eq!(shards.len(), 3);
        for (number, shard) in shards.iter().enumerate() {
            assert_eq!(shard.id().number() as usize, number);
            assert_eq!(
                shard.state(),
                State::Connecting,
                "not started before polled"
            );
        }
    }

    #[test]
    fn a_bad_per_shard_config_names_the_shard() {
        let config = Config::new("token", Intents::GUILDS);
        let ids = ShardRange::all(3).expect("3 shards");
        let error = start_with(&answer(3), Duration::from_secs(5), ids, config, |id, c| {
            c.large_threshold(if id.number() == 2 { 7 } else { 50 })
        })
        .expect_err("shard 2 is invalid");
        match error {
            StartError::Config { shard, error } => {
                assert_eq!(shard.number(), 2);
                assert_eq!(error, ConfigError::LargeThreshold(7));
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn callbacks_may_return_configs_shard_builders_or_results() {
        let config = Config::new("token", Intents::GUILDS);
        let one = || ShardRange::all(1).expect("1 shard");
        let gateway = answer(1);
        let window = Duration::from_secs(5);
        let built = start_with(&gateway, window, one(), config.clone(), |_, c| c.build());
        assert!(built.is_ok());
        let adapter = start_with(&gateway, window, one(), config.clone(), |_, c| {
            Ok(Shard::builder(c.build()?).event_capacity(8))
        });
        assert!(adapter.is_ok());
        let saved = {
            let mut saved = SavedSessions::new(1);
            saved.insert(
                ShardId::ONE,
                Session::new("s", 3, "ws://127.0.0.1:9/resume"),
            );
            saved
        };
        let resumed = start_with(&gateway, window, saved.shard_ids(), config, |id, c| {
            saved.resume(id, c)
        })
        .expect("valid");
        assert_eq!(resumed[0].session().map(|s| s.sequence), Some(3));
    }

    #[test]
    fn the_queue_gets_the_buckets_and_the_budget() {
        let queue = identify_queue(
            &answer(8),
            Duration::from_secs(5),
            ShardRange::all(8)
                .expect("8 shards")
                .filter(|id| id.number() % 2 == 0),
        );
        let debug = format!("{queue:?}");
        assert!(debug.contains("max_concurrency: 4"), "{debug}");
        assert_eq!(queue.waiting(), 0);
        assert_eq!(
            queue.session_start_limit().map(|limit| limit.remaining),
            Some(1000)
        );
    }
}
