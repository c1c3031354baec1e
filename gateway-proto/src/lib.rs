//! The Discord gateway protocol as a pure state machine.
//!
//! `gateway-proto` consumes websocket messages and clock ticks and emits frames to send,
//! connections to open and events to deliver. It does no I/O, reads no clock, holds no
//! global randomness and has no async runtime, so it runs the same under tokio,
//! async-std, smol, a hand-written loop or a test's virtual clock.
//!
//! The entry point is [`ShardMachine`]: its documentation lists the inputs, the
//! outputs and the order to drain them in. The adapters `gateway-tokio` and
//! `gateway-async-std` are thin loops around it.
//!
//! Observability: the machine logs through `tracing` (the default `tracing` feature; state
//! changes at info, per-event detail at debug and trace, never the token), and the `metrics`
//! feature publishes each shard's figures through the `metrics` facade (the table is in
//! `gateway_proto::metrics`). A loop wires both with [`telemetry::Telemetry`].
//!
//! Where a rule comes from, the docs cite the section of the project's protocol fact
//! sheet (`protocol.md`), which restates Discord's gateway documentation.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backoff;
pub mod close_code;
pub mod command;
pub mod config;
pub mod envelope;
pub mod error;
pub mod event;
pub mod event_type;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway_bot;
pub mod heartbeat;
pub mod id;
pub mod inflate;
pub mod intents;
pub mod machine;
#[cfg(feature = "metrics")]
pub mod metrics;
#[cfg(feature = "model")]
pub mod model;
pub mod opcode;
pub mod queue;
pub mod ratelimit;
pub mod session;
pub mod shard_range;
pub mod stats;
pub mod telemetry;
pub mod timers;
#[cfg(feature = "zstd")]
pub mod zstd;

pub use close_code::{CloseAction, CloseCode};
pub use command::Command;
pub use config::{Compression, Config, ConfigBuilder, ConfigError, ShardId, Token};
pub use error::{ReceiveError, SendError};
pub use event::{CloseCause, Closed, Dispatch, Event, Initiator, Next, Payload};
pub use event_type::{EventType, EventTypeFlags};
pub use gateway_bot::{GatewayBot, GatewayBotError, GatewayBotRequest, SessionStartLimits};
pub use id::Id;
pub use intents::Intents;
pub use machine::{
    check_user_payload, user_frame, CloseFrame, Message, Output, ShardMachine, State,
};
pub use opcode::OpCode;
pub use queue::{IdentifyScheduler, SessionStartLimit};
pub use session::{SavedSessions, Session};
pub use shard_range::ShardRange;
pub use stats::Statistics;
pub use timers::Timer;
