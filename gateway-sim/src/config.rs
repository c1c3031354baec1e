//! Configuration of a simulated gateway: the "application" it pretends to serve (token, enabled
//! privileged intents, session-start budget, identify concurrency), its timing (heartbeat
//! interval and grace, session lifetime, identify window) and its traffic (world, event rate).
//!
//! Defaults follow the production values in protocol.md; tests shorten the timings. This file
//! only holds data: the rules that read it live in `conn.rs`, `limits.rs` and `validate.rs`.

use std::time::Duration;

use crate::world::WorldConfig;

/// How generated events flow to connected sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventRate {
    /// No background generation; call [`crate::Simulator::emit_events`] or
    /// [`crate::Simulator::dispatch`] to send events.
    Manual,
    /// About this many generated events per second, across all shards.
    PerSecond(f64),
    /// As fast as the connected clients read: generation pauses while any live connection has a
    /// backlog of unsent frames.
    AsFastAsClientsRead,
}

/// Everything a [`crate::Simulator`] needs to start. Build it with struct-update syntax over
/// [`SimConfig::default`], or with the `with_*` helpers.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Address to bind; the default `127.0.0.1:0` picks a free port on loopback.
    pub bind: std::net::SocketAddr,
    /// The bot token clients must send in Identify and Resume (without a `Bot ` prefix), and as
    /// `Authorization: Bot <token>` on `GET /gateway/bot`.
    pub token: String,
    /// Interval announced in Hello (protocol.md §1.3; production uses 41.25 s).
    pub heartbeat_interval: Duration,
    /// Extra time after `heartbeat_interval` before a silent connection is closed (§3).
    pub heartbeat_grace: Duration,
    /// Close code used when heartbeats stop. The session stays resumable whatever the code.
    pub heartbeat_timeout_code: u16,
    /// How long a session stays resumable after its connection went away (§5.4, "a few
    /// minutes").
    pub session_lifetime: Duration,
    /// Dispatches kept per session for replay on Resume. A Resume whose `seq` is older than the
    /// oldest kept dispatch gets close 4007.
    pub replay_capacity: usize,
    /// Identify concurrency window (§7, 5 s in production).
    pub identify_window: Duration,
    /// `max_concurrency`: number of identify buckets, `shard_id % max_concurrency`.
    pub max_concurrency: u32,
    /// `session_start_limit.total` reported by `/gateway/bot`.
    pub session_start_total: u32,
    /// Session starts left; each successful Identify takes one. At zero, Identify is refused with
    /// close 4004, as the real gateway resets the token when the budget is exhausted.
    pub session_start_remaining: u32,
    /// `session_start_limit.reset_after`: when `remaining` is refilled to `total`.
    pub session_start_reset_after: Duration,
    /// Privileged intents switched on for this application (a subset of
    /// GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT). Others get close 4014.
    pub enabled_privileged_intents: u64,
    /// `shards` reported by `/gateway/bot`.
    pub recommended_shards: u32,
    /// Guilds one shard may hold before Identify gets close 4011 (§8: 2500).
    pub max_guilds_per_shard: usize,
    /// Commands a connection may send per [`SimConfig::command_window`] before close 4008 (§7).
    pub command_limit: usize,
    /// Rolling window of the command limit (§7: 60 s).
    pub command_window: Duration,
    /// Cooldown between two all-member requests for one guild (§11.1: 30 s).
    pub member_request_cooldown: Duration,
    /// After an injected Reconnect (op 7), close the socket with 4000 after this delay unless the
    /// client closed first. `None` leaves the socket open.
    pub reconnect_close_after: Option<Duration>,
    /// Close the socket (with 4003) right after sending an op 9 caused by Identify or Resume
    /// failures. Off by default: the client may retry on the same socket (§5.3).
    pub close_after_invalid_session: bool,
    /// The generated guilds, members and channels.
    pub world: WorldConfig,
    /// Seed of the event generator (the world has its own seed in `world`).
    pub event_seed: u64,
    /// Background event generation.
    pub event_rate: EventRate,
    /// Frames each zlib-stream message is split into (1 = one frame per message).
    pub compress_split: usize,
    /// Largest websocket message accepted at the transport level; anything between 4096 bytes
    /// and this gets a clean close 4002, anything beyond breaks the socket.
    pub transport_max_message: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            token: "sim-token".to_owned(),
            heartbeat_interval: Duration::from_millis(41_250),
            heartbeat_grace: Duration::from_secs(5),
            heartbeat_timeout_code: 4009,
            session_lifetime: Duration::from_secs(180),
            replay_capacity: 10_000,
            identify_window: Duration::from_secs(5),
            max_concurrency: 1,
            session_start_total: 1000,
            session_start_remaining: 1000,
            session_start_reset_after: Duration::from_secs(24 * 3600),
            enabled_privileged_intents: crate::intents::PRIVILEGED,
            recommended_shards: 1,
            max_guilds_per_shard: 2500,
            command_limit: 120,
            command_window: Duration::from_secs(60),
            member_request_cooldown: Duration::from_secs(30),
            reconnect_close_after: Some(Duration::from_secs(5)),
            close_after_invalid_session: false,
            world: WorldConfig::default(),
            event_seed: 7,
            event_rate: EventRate::Manual,
            compress_split: 1,
            transport_max_message: 1 << 20,
        }
    }
}

impl SimConfig {
    /// Settings for tests: 5 s heartbeats with a 30 s grace, so slow test machines never time
    /// out a client that does not heartbeat (tests of heartbeat timing shorten both), no identify window (tests of identify buckets set one) and no automatic close after
    /// op 7.
    pub fn fast() -> Self {
        Self {
            heartbeat_interval: Duration::from_secs(5),
            heartbeat_grace: Duration::from_secs(30),
            identify_window: Duration::ZERO,
            reconnect_close_after: None,
            ..Self::default()
        }
    }

    /// Replaces the token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Replaces the heartbeat interval.
    pub fn with_heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat_interval = interval;
        self
    }

    /// Replaces the world configuration.
    pub fn with_world(mut self, world: WorldConfig) -> Self {
        self.world = world;
        self
    }

    /// Replaces the event rate.
    pub fn with_event_rate(mut self, rate: EventRate) -> Self {
        self.event_rate = rate;
        self
    }
}
