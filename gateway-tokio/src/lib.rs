//! Discord gateway shards on tokio.
//!
//! A thin adapter around [`gateway_proto`](proto)'s state machine: it opens the websocket
//! (async-tungstenite, rustls for `wss://`, plain `ws://` for simulators and proxies), runs
//! the machine in one task per shard, and hands its events to the bot. Every protocol
//! decision (heartbeats, identify or resume, close codes, rate limits, decompression) is the
//! machine's; the protocol types are re-exported from it.
//!
//! ```no_run
//! use gateway_tokio::{Config, EventTypeFlags, Intents, Shard, ShardId};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::builder("token", Intents::GUILDS | Intents::GUILD_MESSAGES).build()?;
//! let mut shard = Shard::with_config(ShardId::ONE, config);
//! while let Some(item) = shard.next_event(EventTypeFlags::MESSAGE_CREATE).await {
//!     match item {
//!         Ok(gateway_tokio::Event::Dispatch(dispatch)) => println!("{}", dispatch.data()),
//!         Ok(_) => {}
//!         Err(error) if error.is_fatal() => return Err(error.into()),
//!         Err(error) => eprintln!("recovering from: {error}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The loop and the user API are gateway-driver's, shared with the async-std adapter; this
//! crate is its [`Runtime`](gateway_driver::Runtime) on tokio ([`Tokio`]) and names the
//! types with it: [`Shard`] is `gateway_driver::Shard<Tokio>`.
//!
//! Module map: `rt` (clock, timers, spawning: the [`Tokio`] runtime), `net` (TCP, TLS and
//! websocket connect); for many shards: `http` (`GET /gateway/bot`), `start` (recommended
//! count, one identify queue, per-shard configs) and `stream` (a fair fan-in of their events,
//! shutdown).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod http;
mod net;
mod rt;
mod start;
mod stream;

pub use http::{ApiError, GatewayApi, DEFAULT_API_TIMEOUT};
pub use rt::Tokio;

/// A gateway session on tokio (see [`gateway_driver::Shard`]).
pub type Shard = gateway_driver::Shard<Tokio>;

/// A shard's settings, building shards on tokio (see [`gateway_driver::ShardBuilder`]).
pub type ShardBuilder = gateway_driver::ShardBuilder<Tokio>;

/// The identify queue of one process, on tokio's clock (see [`gateway_driver::InMemoryQueue`]).
pub type InMemoryQueue = gateway_driver::InMemoryQueue<Tokio>;

pub use gateway_driver::{
    default_tls_config, Error, ErrorKind, Message, MessageSender, PermitFuture, Queue,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};
pub use start::{
    identify_queue, start_range, start_recommended, start_with, IntoShardBuilder, StartError,
};
pub use stream::{ShardItem, ShardStream};

pub use gateway_driver::proto::{
    GatewayBot, GatewayBotError, SavedSessions, SessionStartLimits, ShardRange, Token,
};
pub use gateway_driver::{
    command, proto, rustls, CloseCause, CloseCode, CloseFrame, Closed, Command, Compression,
    Config, ConfigBuilder, ConfigError, Dispatch, Event, EventType, EventTypeFlags,
    IdentifyScheduler, Initiator, Intents, Latency, Next, Payload, RatelimiterState, ReceiveError,
    SendError, Session, SessionStartLimit, ShardId, State, Statistics, WebSocketConfig,
};

/// The README's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
