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
//! use gateway_async_std::{Config, DispatchEvent, EventTypeFlags, Intents, Shard, ShardId, TypedEvent};
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
//! Many shards, as on tokio: [`start_recommended`] asks [`GatewayApi`] for
//! `GET /gateway/bot` (sent with ureq, [`Ureq`]), starts the shards with one identify queue,
//! and [`ShardStream`] reads them as one fair stream; all of it is gateway-driver's.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use gateway_async_std::{start_recommended, CloseFrame, Config, GatewayApi, Intents, ShardStream};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let api = GatewayApi::new(); // or GatewayApi::with_base(sim.http_url())
//! let config = Config::new("token", Intents::GUILDS);
//! let shards = start_recommended(&api, config, |_id, builder| builder).await?;
//! let mut events = ShardStream::new(shards);
//! while let Some((id, item)) = events.next().await {
//!     println!("shard {id}: {:?}", item.map(|event| event.kind()));
//! }
//! let saved = events.close(CloseFrame::RESUME).await; // serde: save it as JSON
//! # Ok(()) }
//! ```
//!
//! Module map: `rt` (clock, timers, spawning: the [`AsyncStd`] runtime), `net` (TCP, TLS and
//! websocket connect), `http` (the HTTP client of `GET /gateway/bot`), `start` (the starters
//! with async-std filled in).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod http;
mod net;
mod rt;
mod start;

pub use http::Ureq;
pub use rt::AsyncStd;
pub use start::{identify_queue, start_with};

/// A gateway session on async-std (see [`gateway_driver::Shard`]).
pub type Shard = gateway_driver::Shard<AsyncStd>;

/// A shard's settings, building shards on async-std (see [`gateway_driver::ShardBuilder`]).
pub type ShardBuilder = gateway_driver::ShardBuilder<AsyncStd>;

/// The identify queue of one process, on async-std's clock (see
/// [`gateway_driver::InMemoryQueue`]).
pub type InMemoryQueue = gateway_driver::InMemoryQueue<AsyncStd>;

/// Discord's HTTP API (`GET /gateway/bot`) through ureq (see [`gateway_driver::GatewayApi`]).
pub type GatewayApi = gateway_driver::GatewayApi<Ureq>;

/// The events of many shards on async-std as one fair stream (see
/// [`gateway_driver::ShardStream`]).
pub type ShardStream = gateway_driver::ShardStream<AsyncStd>;

pub use gateway_driver::{
    default_tls_config, start_range, start_recommended, ApiError, Error, ErrorKind,
    IntoShardBuilder, Message, MessageSender, PermitFuture, Queue, ShardItem, StartError,
    DEFAULT_API_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_CAPACITY,
};

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
