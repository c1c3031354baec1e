//! Discord gateway shards on tokio.
//!
//! A thin adapter around [`gateway_proto`](proto)'s state machine: it opens the websocket
//! (async-tungstenite, rustls for `wss://`, plain `ws://` for simulators and proxies), runs
//! the machine in one task per shard, and hands its events to the bot. Every protocol
//! decision (heartbeats, identify or resume, close codes, rate limits, decompression) is the
//! machine's; the protocol types are re-exported from it.
//!
//! ```no_run
//! use gateway_tokio::{Config, DispatchEvent, EventTypeFlags, Intents, Shard, ShardId, TypedEvent};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::builder("token", Intents::GUILDS | Intents::GUILD_MESSAGES).build()?;
//! let mut shard = Shard::with_config(ShardId::ONE, config);
//! while let Some(item) = shard.next_typed_event(EventTypeFlags::MESSAGE_CREATE).await {
//!     match item {
//!         Ok(TypedEvent::Dispatch(DispatchEvent::MessageCreate(message))) => {
//!             println!("{}: {}", message.author.username, message.content)
//!         }
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
//! Many shards work the same way: [`start_recommended`] asks [`GatewayApi`] for
//! `GET /gateway/bot` (sent with reqwest, [`Reqwest`]), starts the shards with one identify
//! queue, and [`ShardStream`] reads them as one fair stream; all of it is gateway-driver's.
//!
//! Module map: `rt` (clock, timers, spawning: the [`Tokio`] runtime), `net` (TCP, TLS and
//! websocket connect), `http` (the HTTP client of `GET /gateway/bot`), `start` (the starters
//! with tokio filled in).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod http;
mod net;
mod rt;
mod start;

pub use http::Reqwest;
pub use rt::Tokio;

/// A gateway session on tokio (see [`gateway_driver::Shard`]).
pub type Shard = gateway_driver::Shard<Tokio>;

/// A shard's settings, building shards on tokio (see [`gateway_driver::ShardBuilder`]).
pub type ShardBuilder = gateway_driver::ShardBuilder<Tokio>;

/// The identify queue of one process, on tokio's clock (see [`gateway_driver::InMemoryQueue`]).
pub type InMemoryQueue = gateway_driver::InMemoryQueue<Tokio>;

/// Discord's HTTP API (`GET /gateway/bot`) through reqwest (see
/// [`gateway_driver::GatewayApi`]).
pub type GatewayApi = gateway_driver::GatewayApi<Reqwest>;

/// The events of many shards on tokio as one fair stream (see
/// [`gateway_driver::ShardStream`]).
pub type ShardStream = gateway_driver::ShardStream<Tokio>;

pub use gateway_driver::{
    default_tls_config, start_range, start_recommended, ApiError, Error, ErrorKind,
    IntoShardBuilder, Message, MessageSender, PermitFuture, Queue, ShardItem, StartError,
    DEFAULT_API_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};
pub use start::{identify_queue, start_with};

pub use gateway_driver::proto::{
    GatewayBot, GatewayBotError, SavedSessions, SessionStartLimits, ShardRange, Token,
};
pub use gateway_driver::{
    command, model, proto, rustls, CloseCause, CloseCode, CloseFrame, Closed, Command, Compression,
    Config, ConfigBuilder, ConfigError, Dispatch, DispatchEvent, Event, EventType, EventTypeFlags,
    IdentifyScheduler, Initiator, Intents, Latency, Next, ParseError, Payload, RatelimiterState,
    ReceiveError, SendError, Session, SessionStartLimit, ShardId, State, Statistics, TypedEvent,
    UnparsedDispatch, WebSocketConfig,
};

/// The README's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
