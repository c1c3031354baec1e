//! The Discord gateway protocol as a pure state machine.
#![forbid(unsafe_code)]

pub mod command;
pub mod envelope;
pub mod event_type;
pub mod id;
pub mod inflate;
pub mod intents;
pub mod opcode;
