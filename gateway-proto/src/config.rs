//! Runtime-free configuration shared by every adapter: token, intents, shard id,
//! identify fields, compression, URLs and limits. Adapters add only what is I/O-shaped
//! (TLS connectors, queue handles).

use crate::{
    command::{IdentifyProperties, UpdatePresence},
    event_type::EventTypeFlags,
    intents::Intents,
    session::Session,
};
use std::{fmt, time::Duration};

/// Discord's gateway, used when no URL is configured (protocol.md §1.1).
pub const DISCORD_GATEWAY_URL: &str = "wss://gateway.discord.gg";

/// The API version this crate speaks (protocol.md §1.2).
pub const API_VERSION: u8 = 10;

/// Default cap on one inflated inbound message: 16 MiB. The largest real payloads
/// (GUILD_CREATE of big guilds) stay well below it; a decompression bomb does not.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// Default capacity of the outbound command queue.
pub const DEFAULT_QUEUE_CAPACITY: usize = 512;

/// A shard's position: `number` in `0..total` (protocol.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShardId {
    number: u32,
    total: u32,
}

impl ShardId {
    /// The only shard of an unsharded bot.
    pub const ONE: ShardId = ShardId {
        number: 0,
        total: 1,
    };

    /// A shard id, checked: `total` at least 1 and `number < total`.
    pub const fn new(number: u32, total: u32) -> Result<Self, ConfigError> {
        if total == 0 || number >= total {
            return Err(ConfigError::InvalidShard { number, total });
        }
        Ok(Self { number, total })
    }

    /// Zero-based shard number.
    pub const fn number(self) -> u32 {
        self.number
    }

    /// Total shard count.
    pub const fn total(self) -> u32 {
        self.total
    }
}

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.number, self.total)
    }
}

/// Transport compression (protocol.md §9.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Plain text frames.
    None,
    /// One zlib stream per connection, `compress=zlib-stream`.
    #[default]
    ZlibStream,
    /// One endless zstd frame per connection, `compress=zstd-stream`.
    #[cfg(feature = "zstd")]
    ZstdStream,
}

impl Compression {
    /// The `compress` query value, if any.
    pub const fn query_value(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::ZlibStream => Some("zlib-stream"),
            #[cfg(feature = "zstd")]
            Self::ZstdStream => Some("zstd-stream"),
        }
    }
}

/// A bot token. Its text never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Box<str>);

impl Token {
    /// Wraps a token; a leading `Bot ` (as used in HTTP headers) is removed.
    pub fn new(token: &str) -> Self {
        let token = token.trim();
        Self(token.strip_prefix("Bot ").unwrap_or(token).into())
    }

    /// The secret text, for the Identify and Resume payloads only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Misconfiguration found when building a [`Config`] or [`ShardId`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `number >= total` or `total == 0`.
    InvalidShard {
        /// The shard number given.
        number: u32,
        /// The total given.
        total: u32,
    },
    /// `large_threshold` outside 50–250 (protocol.md §4.1).
    LargeThreshold(u16),
    /// The token is empty.
    EmptyToken,
    /// The queue capacity is zero.
    ZeroQueueCapacity,
    /// The gateway URL is not `ws://` or `wss://`.
    InvalidUrl(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidShard { number, total } => {
                write!(f, "invalid shard id {number} of {total}")
            }
            Self::LargeThreshold(value) => {
                write!(f, "large threshold {value} is outside 50..=250")
            }
            Self::EmptyToken => f.write_str("the token is empty"),
            Self::ZeroQueueCapacity => f.write_str("the command queue capacity is zero"),
            Self::InvalidUrl(url) => write!(f, "gateway url {url:?} is not ws:// or wss://"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Everything a shard needs besides its [`ShardId`]. Build it with [`Config::builder`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) token: Token,
    pub(crate) intents: Intents,
    pub(crate) large_threshold: u16,
    pub(crate) presence: Option<UpdatePresence>,
    pub(crate) properties: IdentifyProperties,
    pub(crate) compression: Compression,
    pub(crate) gateway_url: String,
    pub(crate) max_message_size: usize,
    pub(crate) ratelimit: bool,
    pub(crate) event_types: EventTypeFlags,
    pub(crate) session: Option<Session>,
    pub(crate) queue_capacity: usize,
    pub(crate) rng_seed: u64,
    pub(crate) hello_timeout: Duration,
    pub(crate) ratelimit_window: Duration,
}

impl Config {
    /// A config with defaults for everything but the token and intents.
    pub fn new(token: &str, intents: Intents) -> Self {
        Self {
            token: Token::new(token),
            intents,
            large_threshold: 50,
            presence: None,
            properties: IdentifyProperties::default(),
            compression: Compression::default(),
            gateway_url: DISCORD_GATEWAY_URL.to_owned(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            ratelimit: true,
            event_types: EventTypeFlags::all(),
            session: None,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            rng_seed: 0x5eed_0fd1_5c0b,
            hello_timeout: Duration::from_secs(20),
            ratelimit_window: crate::ratelimit::WINDOW,
        }
    }

    /// Starts a builder.
    pub fn builder(token: &str, intents: Intents) -> ConfigBuilder {
        ConfigBuilder(Self::new(token, intents))
    }

    /// The token (redacted in `Debug`).
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// Intents sent in Identify.
    pub fn intents(&self) -> Intents {
        self.intents
    }

    /// `large_threshold` sent in Identify.
    pub fn large_threshold(&self) -> u16 {
        self.large_threshold
    }

    /// Initial presence sent in Identify.
    pub fn presence(&self) -> Option<&UpdatePresence> {
        self.presence.as_ref()
    }

    /// Identify `properties`.
    pub fn properties(&self) -> &IdentifyProperties {
        &self.properties
    }

    /// Transport compression.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The gateway URL new sessions connect to, without query.
    pub fn gateway_url(&self) -> &str {
        &self.gateway_url
    }

    /// Cap on one inflated inbound message, in bytes.
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// Whether outbound commands are rate limited (120 per 60 s, protocol.md §7).
    pub fn ratelimit(&self) -> bool {
        self.ratelimit
    }

    /// Dispatch types delivered as events (others still advance the sequence).
    pub fn event_types(&self) -> EventTypeFlags {
        self.event_types
    }

    /// A saved session to resume instead of identifying.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Capacity of the outbound command queue.
    pub fn queue_capacity(&self) -> usize {
        self.queue_capacity
    }

    /// Seed of the machine's randomness (heartbeat and backoff jitter).
    pub fn rng_seed(&self) -> u64 {
        self.rng_seed
    }

    /// How long to wait for Hello after the socket opened before reconnecting.
    pub fn hello_timeout(&self) -> Duration {
        self.hello_timeout
    }

    /// The rolling window of the 120-frame command limit (60 s, protocol.md §7).
    pub fn ratelimit_window(&self) -> Duration {
        self.ratelimit_window
    }
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks the values.
#[derive(Clone, Debug)]
#[must_use]
pub struct ConfigBuilder(Config);

impl From<Config> for ConfigBuilder {
    /// A builder starting from `config`'s values, to derive per-shard configs from one base.
    fn from(config: Config) -> Self {
        Self(config)
    }
}

impl ConfigBuilder {
    /// `large_threshold`, 50–250 (checked by `build`).
    pub fn large_threshold(mut self, value: u16) -> Self {
        self.0.large_threshold = value;
        self
    }

    /// Initial presence.
    pub fn presence(mut self, presence: UpdatePresence) -> Self {
        self.0.presence = Some(presence);
        self
    }

    /// Identify `properties`.
    pub fn properties(mut self, properties: IdentifyProperties) -> Self {
        self.0.properties = properties;
        self
    }

    /// Transport compression.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.0.compression = compression;
        self
    }

    /// The gateway URL (`ws://` or `wss://`, without query), e.g. a simulator or proxy.
    pub fn gateway_url(mut self, url: impl Into<String>) -> Self {
        self.0.gateway_url = url.into();
        self
    }

    /// Cap on one inflated inbound message, in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.0.max_message_size = bytes;
        self
    }

    /// Turns the outbound rate limiter on or off (on by default).
    pub fn ratelimit(mut self, enabled: bool) -> Self {
        self.0.ratelimit = enabled;
        self
    }

    /// Dispatch types to deliver.
    pub fn event_types(mut self, flags: EventTypeFlags) -> Self {
        self.0.event_types = flags;
        self
    }

    /// A saved session: the shard resumes it instead of identifying.
    pub fn session(mut self, session: Session) -> Self {
        self.0.session = Some(session);
        self
    }

    /// Capacity of the outbound command queue.
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.0.queue_capacity = capacity;
        self
    }

    /// Seed of the machine's randomness; fix it in tests for reproducible jitter.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.0.rng_seed = seed;
        self
    }

    /// How long to wait for Hello before reconnecting.
    pub fn hello_timeout(mut self, timeout: Duration) -> Self {
        self.0.hello_timeout = timeout;
        self
    }

    /// The rolling window of the 120-frame command limit. Discord's is 60 s (protocol.md §7);
    /// change it only to match a simulator or proxy that enforces a shorter one.
    pub fn ratelimit_window(mut self, window: Duration) -> Self {
        self.0.ratelimit_window = window;
        self
    }

    /// Checks and returns the config.
    pub fn build(self) -> Result<Config, ConfigError> {
        let config = self.0;
        if config.token.expose().is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if !(50..=250).contains(&config.large_threshold) {
            return Err(ConfigError::LargeThreshold(config.large_threshold));
        }
        if config.queue_capacity == 0 {
            return Err(ConfigError::ZeroQueueCapacity);
        }
        for url in std::iter::once(&config.gateway_url)
            .chain(config.session.as_ref().map(|s| &s.resume_url))
        {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) {
                return Err(ConfigError::InvalidUrl(url.clone()));
            }
        }
        Ok(config)
    }
}

/// Appends `v`, `encoding` and `compress` to a gateway URL (protocol.md §1.2).
pub fn connect_url(base: &str, compression: Compression) -> String {
    let mut url = String::with_capacity(base.len() + 40);
    url.push_str(base);
    if base.contains('?') {
        url.push('&');
    } else if base
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.contains('/'))
    {
        url.push_str("/?");
    } else {
        url.push('?');
    }
    url.push_str("v=10&encoding=json");
    if let Some(value) = compression.query_value() {
        url.push_str("&compress=");
        url.push_str(value);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_id_is_checked() {
        assert!(ShardId::new(0, 1).is_ok());
        assert_eq!(
            ShardId::new(1, 1),
            Err(ConfigError::InvalidShard {
                number: 1,
                total: 1
            })
        );
        assert!(ShardId::new(0, 0).is_err());
    }

    #[test]
    fn large_threshold_must_be_50_to_250() {
        let build = |v| {
            Config::builder("t", Intents::GUILDS)
                .large_threshold(v)
                .build()
        };
        assert!(build(50).is_ok());
        assert!(build(250).is_ok());
        assert_eq!(build(49).err(), Some(ConfigError::LargeThreshold(49)));
        assert!(build(251).is_err());
        assert!(build(1000).is_err());
    }

    #[test]
    fn token_is_redacted_and_bot_prefix_removed() {
        let config = Config::new("Bot secret-token-text", Intents::GUILDS);
        assert_eq!(config.token().expose(), "secret-token-text");
        assert!(!format!("{config:?}").contains("secret-token-text"));
    }

    #[test]
    fn connect_url_adds_version_encoding_and_compression() {
        assert_eq!(
            connect_url("wss://gateway.discord.gg", Compression::ZlibStream),
            "wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream"
        );
        assert_eq!(
            connect_url("wss://gateway.discord.gg/", Compression::None),
            "wss://gateway.discord.gg/?v=10&encoding=json"
        );
        assert_eq!(
            connect_url("ws://127.0.0.1:9/resume", Compression::None),
            "ws://127.0.0.1:9/resume?v=10&encoding=json"
        );
        assert_eq!(
            connect_url("ws://h/?x=1", Compression::None),
            "ws://h/?x=1&v=10&encoding=json"
        );
        #[cfg(feature = "zstd")]
        assert_eq!(
            connect_url("wss://gateway.discord.gg", Compression::ZstdStream),
            "wss://gateway.discord.gg/?v=10&encoding=json&compress=zstd-stream"
        );
    }

    #[test]
    fn a_config_converts_back_into_a_builder() {
        let base = Config::builder("t", Intents::GUILDS)
            .large_threshold(100)
            .build()
            .unwrap();
        let derived = ConfigBuilder::from(base).rng_seed(3).build().unwrap();
        assert_eq!(derived.large_threshold(), 100);
        assert_eq!(derived.rng_seed(), 3);
    }

    #[test]
    fn bad_urls_and_empty_tokens_are_refused() {
        assert_eq!(
            Config::builder("", Intents::GUILDS).build().err(),
            Some(ConfigError::EmptyToken)
        );
        assert!(matches!(
            Config::builder("t", Intents::GUILDS)
                .gateway_url("http://x")
                .build(),
            Err(ConfigError::InvalidUrl(_))
        ));
    }
}
