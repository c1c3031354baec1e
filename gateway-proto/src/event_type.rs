//! Dispatch event names and flag sets (protocol.md §12). STUB: the full table is being written.
use bitflags::bitflags;

/// The `t` of a dispatch.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// READY.
    Ready,
    /// RESUMED.
    Resumed,
    /// MESSAGE_CREATE.
    MessageCreate,
    /// A name this library does not know.
    Unknown(Box<str>),
}

impl EventType {
    /// Parses a dispatch name; unknown names are kept as text.
    pub fn from_name(name: &str) -> Self {
        match name {
            "READY" => Self::Ready,
            "RESUMED" => Self::Resumed,
            "MESSAGE_CREATE" => Self::MessageCreate,
            other => Self::Unknown(other.into()),
        }
    }

    /// The name as Discord spells it.
    pub fn name(&self) -> &str {
        match self {
            Self::Ready => "READY",
            Self::Resumed => "RESUMED",
            Self::MessageCreate => "MESSAGE_CREATE",
            Self::Unknown(name) => name,
        }
    }

    /// The flag of this event type (`UNKNOWN` for unknown names).
    pub fn flag(&self) -> EventTypeFlags {
        match self {
            Self::Ready => EventTypeFlags::READY,
            Self::Resumed => EventTypeFlags::RESUMED,
            Self::MessageCreate => EventTypeFlags::MESSAGE_CREATE,
            Self::Unknown(_) => EventTypeFlags::UNKNOWN,
        }
    }
}

bitflags! {
    /// A set of event kinds, dispatch and lifecycle.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct EventTypeFlags: u128 {
        /// Hello (op 10).
        const GATEWAY_HELLO = 1;
        /// Heartbeat ACK (op 11).
        const GATEWAY_HEARTBEAT_ACK = 1 << 1;
        /// Invalid session (op 9).
        const GATEWAY_INVALIDATE_SESSION = 1 << 2;
        /// Reconnect (op 7).
        const GATEWAY_RECONNECT = 1 << 3;
        /// The connection closed.
        const GATEWAY_CLOSE = 1 << 4;
        /// A dispatch whose name is unknown.
        const UNKNOWN = 1 << 5;
        /// READY.
        const READY = 1 << 6;
        /// RESUMED.
        const RESUMED = 1 << 7;
        /// MESSAGE_CREATE.
        const MESSAGE_CREATE = 1 << 8;
    }
}
