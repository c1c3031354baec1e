//! Discord gateway shards on async-std, and on smol.
//!
//! The same [`Shard`] as `gateway-tokio` (names, methods, errors, cancel safety, session save
//! and restore, the shared identify queue): the loop and the user API are gateway-driver's,
//! and this crate is its [`Runtime`](gateway_driver::Runtime) on async-std ([`AsyncStd`]),
//! with async-tungstenite and rustls (`ring`) for `wss://`, plain `ws://` for simulators and
//! proxies. [`Shard`] is `gateway_driver::Shard<AsyncStd>`. Every protocol decision is
//! [`gateway_proto`](proto)'s machine's; the protocol types are re-exported from it.
//!
//! A shard's task runs on async-std's global executor and its I/O on async-io's reactor, the
//! one smol uses too: a shard needs no runtime set up and can be awaited from async-std, smol
//! or any other executor.
//!
//! ```no_run
//! use gateway_async_std::{Config, EventTypeFlags, Intents, Shard, ShardId};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::builder("token", Intents::GUILDS | Intents::GUILD_MESSAGES).build()?;
//! let mut shard = Shard::with_config(ShardId::ONE, config);
//! while let Some(item) = shard.next_event(EventTypeFlags::MESSAGE_CREATE).await {
//!     match item {
//!         Ok(gateway_async_std::Event::Dispatch(dispatch)) => println!("{}", dispatch.data()),
//!         Ok(_) => {}
//!         Err(error) if error.is_fatal() => return Err(error.into()),
//!         Err(error) => eprintln!("recovering from: {error}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Module map: `rt` (clock, timers, spawning: the [`AsyncStd`] runtime), `net` (TCP, TLS and
//! websocket connect).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod net;
mod rt;

pub use rt::AsyncStd;

/// A gateway session on async-std (see [`gateway_driver::Shard`]).
pub type Shard = gateway_driver::Shard<AsyncStd>;

/// A shard's settings, building shards on async-std (see [`gateway_driver::ShardBuilder`]).
pub type ShardBuilder = gateway_driver::ShardBuilder<AsyncStd>;

/// The identify queue of one process, on async-std's clock (see
/// [`gateway_driver::InMemoryQueue`]).
pub type InMemoryQueue = gateway_driver::InMemoryQueue<AsyncStd>;

pub use gateway_driver::{
    default_tls_config, Error, ErrorKind, Message, MessageSender, PermitFuture, Queue,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};

pub use gateway_driver::{
    command, proto, rustls, CloseCause, CloseCode, CloseFrame, Closed, Command, Compression,
    Config, ConfigBuilder, ConfigError, Dispatch, Event, EventType, EventTypeFlags,
    IdentifyScheduler, Initiator, Intents, Latency, Next, Payload, RatelimiterState, ReceiveError,
    SendError, Session, SessionStartLimit, ShardId, State, Statistics, WebSocketConfig,
};
