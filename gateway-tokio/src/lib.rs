//! Discord gateway shards on tokio.
//!
//! A thin adapter around [`gateway_proto`]'s state machine: it opens the websocket
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
//! Module map: `shard` (the user API), `driver` (the task's loop), `net` (TCP, TLS and
//! websocket connect), `rt` (clock, timers, spawning), `queue` (identify permits), `error`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
mod error;
mod net;
mod queue;
mod rt;
mod shard;

pub use error::{Error, ErrorKind};
pub use net::default_tls_config;
pub use queue::{InMemoryQueue, PermitFuture, Queue};
pub use shard::{
    Message, MessageSender, Shard, ShardBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};

pub use async_tungstenite::tungstenite::protocol::WebSocketConfig;
pub use gateway_proto::{
    self as proto, command, heartbeat::Latency, queue::SessionStartLimit,
    ratelimit::RatelimiterState, CloseCause, CloseCode, CloseFrame, Closed, Command, Compression,
    Config, ConfigBuilder, ConfigError, Dispatch, Event, EventType, EventTypeFlags,
    IdentifyScheduler, Initiator, Intents, Next, Payload, ReceiveError, SendError, Session,
    ShardId, State, Statistics,
};
pub use rustls;
