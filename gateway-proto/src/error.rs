//! Error values. Three kinds are kept apart: misuse at call time ([`SendError`],
//! returned synchronously), bad input from the network ([`ReceiveError`], delivered as
//! an event after the machine decided what to do), and the end of a session
//! ([`crate::event::Closed`], an event with its reason).

use crate::{command::CommandError, envelope::EnvelopeError, inflate::InflateError};
use std::fmt;

/// Bad input from the gateway. The machine never panics on it: it reports it and, where
/// the connection cannot go on, reconnects and resumes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The compressed stream is corrupt or inflates beyond the configured maximum.
    Inflate(InflateError),
    /// The payload is not UTF-8.
    NotUtf8,
    /// The payload is not a gateway envelope.
    Envelope(EnvelopeError),
    /// Hello without a positive `heartbeat_interval`.
    InvalidHello,
    /// READY without the fields a session needs.
    InvalidReady(String),
    /// A dispatch without `s` or `t` (it is skipped).
    InvalidDispatch,
    /// An opcode a client never receives, or an unknown one (it is skipped).
    UnexpectedOpcode(u64),
    /// A message larger than the configured maximum.
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// The zstd stream is corrupt, asks for too large a window, or decodes beyond the
    /// configured maximum.
    #[cfg(feature = "zstd")]
    Zstd(crate::zstd::ZstdError),
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inflate(error) => write!(f, "inflating failed: {error:?}"),
            Self::NotUtf8 => f.write_str("payload is not utf-8"),
            Self::Envelope(error) => write!(f, "bad envelope: {error}"),
            Self::InvalidHello => f.write_str("hello without a heartbeat interval"),
            Self::InvalidReady(why) => write!(f, "bad ready: {why}"),
            Self::InvalidDispatch => f.write_str("dispatch without s or t"),
            Self::UnexpectedOpcode(op) => write!(f, "unexpected opcode {op}"),
            Self::TooLarge { size } => write!(f, "message of {size} bytes is over the limit"),
            #[cfg(feature = "zstd")]
            Self::Zstd(error) => write!(f, "zstd decoding failed: {error}"),
        }
    }
}

impl std::error::Error for ReceiveError {}

/// A command the caller asked to send was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The command is invalid or too large.
    Command(CommandError),
    /// The raw payload is over 4096 bytes.
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// The raw payload is not a gateway envelope.
    InvalidPayload,
    /// Heartbeat, Identify and Resume are the machine's to send.
    ReservedOpcode(u64),
    /// The outbound queue is full; nothing was queued.
    QueueFull {
        /// Its capacity.
        capacity: usize,
    },
    /// The machine is closed.
    Closed,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command(error) => write!(f, "invalid command: {error:?}"),
            Self::TooLarge { size } => write!(f, "payload of {size} bytes is over 4096"),
            Self::InvalidPayload => f.write_str("payload is not a gateway envelope"),
            Self::ReservedOpcode(op) => write!(f, "opcode {op} is sent by the shard itself"),
            Self::QueueFull { capacity } => write!(f, "command queue is full ({capacity})"),
            Self::Closed => f.write_str("the shard is closed"),
        }
    }
}

impl std::error::Error for SendError {}

impl From<CommandError> for SendError {
    fn from(error: CommandError) -> Self {
        Self::Command(error)
    }
}
