//! What the machine hands the bot: lifecycle events, dispatches and closes.
//!
//! Every event that came from a payload keeps that payload's text ([`Payload`]), so a
//! raw consumer (`next_message` in the adapters) sees every message as received, and a
//! typed consumer parses `d` in place without the envelope being parsed again.

use crate::{
    close_code::{CloseAction, CloseCode},
    error::ReceiveError,
    event_type::{EventType, EventTypeFlags},
    id::Id,
};
use serde::Deserialize;
use std::{borrow::Cow, ops::Range, time::Duration};

/// The text of one inbound gateway payload and where its `d` lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    text: String,
    data: Option<Range<usize>>,
}

impl Payload {
    pub(crate) fn new(text: String, data: Option<Range<usize>>) -> Self {
        Self { text, data }
    }

    /// The whole payload as received (after decompression).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The raw JSON of `d` (`null` when it was missing or null).
    pub fn data(&self) -> &str {
        self.data
            .as_ref()
            .and_then(|range| self.text.get(range.clone()))
            .unwrap_or("null")
    }

    /// Takes the text.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// A dispatch (op 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    /// `t`.
    pub event_type: EventType,
    /// `s`.
    pub seq: u64,
    /// The payload.
    pub payload: Payload,
}

impl Dispatch {
    /// The raw JSON of `d`.
    pub fn data(&self) -> &str {
        self.payload.data()
    }

    /// Deserializes `d` into any type (bring your own model).
    pub fn deserialize<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.data())
    }

    /// Parses `d`, in one pass, into the typed payload its name calls for (protocol.md §12).
    ///
    /// An unknown name gives [`DispatchEvent::Unknown`](crate::model::DispatchEvent::Unknown);
    /// a known one that does not parse gives a [`ParseError`](crate::model::ParseError) with a
    /// bounded excerpt. Call it only for the events the bot wants: see [`crate::model`].
    #[cfg(feature = "model")]
    pub fn parse(&self) -> Result<crate::model::DispatchEvent, crate::model::ParseError> {
        crate::model::parse(self)
    }
}

/// Hello (op 10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The heartbeat interval the gateway asked for.
    pub heartbeat_interval: Duration,
    /// The payload.
    pub payload: Payload,
}

/// READY: a new session (protocol.md §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    /// `session_id`.
    pub session_id: String,
    /// `resume_gateway_url`.
    pub resume_url: String,
    /// The bot user's id.
    pub user_id: Id,
    /// Guilds routed to this shard (all unavailable until GUILD_CREATE).
    pub guild_ids: Vec<Id>,
    /// `[shard_id, num_shards]`, if sent.
    pub shard: Option<[u32; 2]>,
    /// The READY dispatch itself.
    pub dispatch: Dispatch,
}

/// The fields of READY's `d` the machine needs.
#[derive(Deserialize)]
pub(crate) struct ReadyFields<'a> {
    #[serde(borrow)]
    pub(crate) session_id: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) resume_gateway_url: Cow<'a, str>,
    pub(crate) user: IdOnly,
    #[serde(default)]
    pub(crate) guilds: Vec<IdOnly>,
    #[serde(default)]
    pub(crate) shard: Option<[u32; 2]>,
}

#[derive(Deserialize)]
pub(crate) struct IdOnly {
    pub(crate) id: Id,
}

/// RESUMED: the replay is over (protocol.md §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resumed {
    /// Dispatches replayed between Resume and RESUMED.
    pub replayed: u64,
    /// The RESUMED dispatch itself.
    pub dispatch: Dispatch,
}

/// Heartbeat ACK (op 11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatAck {
    /// Round trip of the acknowledged heartbeat (none if no heartbeat was outstanding).
    pub latency: Option<Duration>,
    /// The payload.
    pub payload: Payload,
}

/// Invalid Session (op 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSession {
    /// `d`: whether the session may be resumed.
    pub resumable: bool,
    /// The payload.
    pub payload: Payload,
}

/// Reconnect (op 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconnect {
    /// The payload.
    pub payload: Payload,
}

/// Who ended a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initiator {
    /// This machine (zombie, op 7, invalid session, bad input, user close).
    Local,
    /// The gateway, or the network (a drop without close frame).
    Remote,
}

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CloseCause {
    /// The gateway closed with a code, or the socket dropped (`code` is `None`).
    Gateway,
    /// The socket could not be opened, or dropped before Hello.
    ConnectFailed,
    /// No heartbeat ACK arrived between two heartbeats (protocol.md §3).
    Zombie,
    /// Hello did not arrive in time after the socket opened.
    HelloTimeout,
    /// The gateway sent Reconnect (op 7).
    Reconnect,
    /// The gateway sent Invalid Session (op 9).
    InvalidSession {
        /// Its `d`.
        resumable: bool,
    },
    /// Inbound data could not be decoded.
    BadInput(ReceiveError),
    /// The user asked to close.
    User,
}

/// What the machine does after a close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Reconnect and resume the session.
    Resume,
    /// Reconnect and identify a new session.
    Identify,
    /// Nothing more: the machine is closed.
    Stop,
}

/// A connection ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Closed {
    /// The close code sent or received; `None` when the socket ended without one.
    pub code: Option<u16>,
    /// Who ended it.
    pub initiator: Initiator,
    /// Why.
    pub cause: CloseCause,
    /// What happens next.
    pub next: Next,
}

impl Closed {
    /// Whether the gateway ended the shard for good (4004, 4010–4014).
    pub fn is_fatal(&self) -> bool {
        self.initiator == Initiator::Remote
            && self
                .code
                .and_then(CloseCode::from_code)
                .map(CloseCode::action)
                == Some(CloseAction::Fatal)
    }
}

/// Something the bot is told.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A connection ended (and what happens next).
    Closed(Closed),
    /// A dispatch other than READY and RESUMED.
    Dispatch(Dispatch),
    /// Inbound data was bad; the machine already acted on it (see the next `Closed`).
    Error(ReceiveError),
    /// Heartbeat acknowledged.
    HeartbeatAck(HeartbeatAck),
    /// Hello received.
    Hello(Hello),
    /// Invalid Session received.
    InvalidSession(InvalidSession),
    /// A new session started.
    Ready(Box<Ready>),
    /// The gateway asked to reconnect.
    Reconnect(Reconnect),
    /// The session was resumed.
    Resumed(Resumed),
}

impl Event {
    /// The flag this event is selected by in an [`EventTypeFlags`] set. Errors are not
    /// selectable (they are always delivered): they return an empty set.
    pub fn kind(&self) -> EventTypeFlags {
        match self {
            Self::Closed(_) => EventTypeFlags::GATEWAY_CLOSE,
            Self::Dispatch(dispatch) => dispatch.event_type.flag(),
            Self::Error(_) => EventTypeFlags::empty(),
            Self::HeartbeatAck(_) => EventTypeFlags::GATEWAY_HEARTBEAT_ACK,
            Self::Hello(_) => EventTypeFlags::GATEWAY_HELLO,
            Self::InvalidSession(_) => EventTypeFlags::GATEWAY_INVALIDATE_SESSION,
            Self::Ready(_) => EventTypeFlags::READY,
            Self::Reconnect(_) => EventTypeFlags::GATEWAY_RECONNECT,
            Self::Resumed(_) => EventTypeFlags::RESUMED,
        }
    }

    /// The payload this event came from, if it came from one.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Self::Closed(_) | Self::Error(_) => None,
            Self::Dispatch(dispatch) => Some(&dispatch.payload),
            Self::HeartbeatAck(ack) => Some(&ack.payload),
            Self::Hello(hello) => Some(&hello.payload),
            Self::InvalidSession(invalid) => Some(&invalid.payload),
            Self::Ready(ready) => Some(&ready.dispatch.payload),
            Self::Reconnect(reconnect) => Some(&reconnect.payload),
            Self::Resumed(resumed) => Some(&resumed.dispatch.payload),
        }
    }

    /// Takes the payload this event came from, if it came from one (no copy of the text).
    pub fn into_payload(self) -> Option<Payload> {
        match self {
            Self::Closed(_) | Self::Error(_) => None,
            Self::Dispatch(dispatch) => Some(dispatch.payload),
            Self::HeartbeatAck(ack) => Some(ack.payload),
            Self::Hello(hello) => Some(hello.payload),
            Self::InvalidSession(invalid) => Some(invalid.payload),
            Self::Ready(ready) => Some(ready.dispatch.payload),
            Self::Reconnect(reconnect) => Some(reconnect.payload),
            Self::Resumed(resumed) => Some(resumed.dispatch.payload),
        }
    }

    /// Whether this event wants selecting by `flags` (errors always do).
    pub fn is_selected_by(&self, flags: EventTypeFlags) -> bool {
        matches!(self, Self::Error(_)) || flags.intersects(self.kind())
    }
}
