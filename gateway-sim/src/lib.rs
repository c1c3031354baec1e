//! gateway-sim: a local Discord gateway (API v10, JSON encoding) that behaves like the real one,
//! with fault injection, for tests, benchmarks and offline bot development.
//!
//! It serves, on one loopback port, the websocket gateway (`ws://127.0.0.1:PORT`, resume on
//! `ws://127.0.0.1:PORT/resume`) and the discovery routes `GET /gateway` and `GET /gateway/bot`.
//! It checks what clients send against `protocol.md` on its own, with plain JSON values (it does
//! not use gateway-proto), and answers violations with the documented close codes.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use gateway_sim::{SimConfig, Simulator};
//! use std::time::Duration;
//!
//! let sim = Simulator::start(SimConfig::fast()).await?;
//! println!("connect to {}/?v=10&encoding=json", sim.url());
//! // ... connect a client, then:
//! let conn = sim.log().wait_connection(1, Duration::from_secs(5)).await.unwrap();
//! sim.emit_events(10);
//! sim.drop_connection(conn);
//! let (_conn, _session, seq) = sim.log().wait_resumed(Duration::from_secs(5)).await.unwrap();
//! println!("resumed at seq {seq}");
//! # Ok(()) }
//! ```
//!
//! Module map: `config` (settings), `sim` (the handle), `server` (HTTP and upgrades), `conn`
//! (one connection's rules), `state` (sessions, sequence numbers), `validate` (payload checks),
//! `limits` (rate limits), `commands` (answers to ops 4/8/31/43), `compress` (zlib/zstd
//! streams), `log` (observability), `world` (seam to the traffic corpus), `protocol` (numbers).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod commands;
mod compress;
mod config;
mod conn;
pub mod corpus;
mod limits;
mod log;
pub mod protocol;
mod server;
mod sim;
mod state;
mod validate;
mod world;

pub use compress::Compression;
pub use config::{EventRate, SimConfig};
pub use log::{Closer, ConnId, Event, Log, ReceivedFrame, Record, WaitTimeout};
pub use sim::{ConnInfo, Simulator};
pub use state::Target;
pub use world::WorldConfig;

/// Intent bits, as the traffic corpus defines them.
pub use corpus::intents;
