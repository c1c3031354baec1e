//! The runtime-agnostic shard driver and user API shared by the gateway adapters.
//!
//! This crate runs [`gateway_proto`]'s state machine in one task per shard and hands its
//! events to the bot: the loop (`driver.rs`), the user API ([`Shard`], [`ShardBuilder`],
//! [`MessageSender`]), identify permits ([`Queue`], [`InMemoryQueue`]), the [`Error`] type,
//! and what connecting means apart from sockets (URL, TLS configuration, buffer sizes, the
//! timeout). It is generic over a small [`Runtime`] trait (clock, one resettable timer,
//! spawning, opening a websocket), as quinn's async crate is over its runtime: an adapter such
//! as `gateway-tokio` or `gateway-async-std` implements that trait in about a hundred lines
//! and names the types with its runtime filled in. Every protocol decision (heartbeats,
//! identify or resume, close codes, rate limits, decompression) is the machine's; the protocol
//! types are re-exported from it.
//!
//! A bot uses an adapter, not this crate; code that must work on any adapter is generic over
//! `R: Runtime`:
//!
//! ```no_run
//! use gateway_driver::{Config, Event, EventTypeFlags, Intents, Runtime, Shard, ShardId};
//!
//! async fn run<R: Runtime>() -> Result<(), Box<dyn std::error::Error>> {
//!     let config = Config::builder("token", Intents::GUILDS | Intents::GUILD_MESSAGES).build()?;
//!     let mut shard = Shard::<R>::with_config(ShardId::ONE, config);
//!     while let Some(item) = shard.next_event(EventTypeFlags::MESSAGE_CREATE).await {
//!         match item {
//!             Ok(Event::Dispatch(dispatch)) => println!("{}", dispatch.data()),
//!             Ok(_) => {}
//!             Err(error) if error.is_fatal() => return Err(error.into()),
//!             Err(error) => eprintln!("recovering from: {error}"),
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Module map: `shard` (the user API), `driver` (the task's loop), `runtime` (the seam an
//! adapter implements), `net` (URL, TLS and websocket settings, the connect timeout), `queue`
//! (identify permits), `error`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
mod error;
mod net;
mod queue;
mod runtime;
mod shard;
#[cfg(test)]
mod test_runtime;

pub use error::{Error, ErrorKind};
pub use net::default_tls_config;
pub use queue::{InMemoryQueue, PermitFuture, Queue};
pub use runtime::{sleep_until, timeout, BoxError, Runtime, Target, Timer};
pub use shard::{
    Message, MessageSender, Shard, ShardBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};

pub use async_tungstenite::{self, tungstenite::protocol::WebSocketConfig, WebSocketStream};
pub use gateway_proto::{
    self as proto, command, heartbeat::Latency, queue::SessionStartLimit,
    ratelimit::RatelimiterState, CloseCause, CloseCode, CloseFrame, Closed, Command, Compression,
    Config, ConfigBuilder, ConfigError, Dispatch, Event, EventType, EventTypeFlags,
    IdentifyScheduler, Initiator, Intents, Next, Payload, ReceiveError, SendError, Session,
    ShardId, State, Statistics,
};
pub use rustls;
