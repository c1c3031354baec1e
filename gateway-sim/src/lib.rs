//! gateway-sim: a local Discord gateway simulator (see the open issue for this crate).
//!
//! [`corpus`] generates the simulated world and its traffic; the websocket server is
//! built on top of it.

pub mod corpus;
