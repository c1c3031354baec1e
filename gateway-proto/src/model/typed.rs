//! From the machine's [`Event`] to a [`TypedEvent`]: lifecycle events pass through as they
//! are, a dispatch is parsed into its [`DispatchEvent`]; a known dispatch that does not parse
//! becomes an [`UnparsedDispatch`] that still holds the raw dispatch.
//!
//! This file owns only that conversion. It knows nothing of payload fields (the table in
//! `dispatch.rs` does) nor of which events the bot selected (the caller filters first, so
//! only wanted dispatches are ever parsed).

use super::{DispatchEvent, ParseError};
use crate::{
    error::ReceiveError,
    event::{self, Closed, Dispatch, Event, HeartbeatAck, Hello, InvalidSession, Reconnect},
    event_type::{EventType, EventTypeFlags},
};
use std::fmt;

/// An [`Event`] with its dispatch parsed: what a bot matches on.
///
/// The lifecycle variants are the [`Event`]'s own, unchanged: READY and RESUMED keep their
/// session meaning ([`event::Ready`] holds the session id, resume URL and guild ids the
/// machine read; `ready.dispatch.parse()` gives the whole [`model::Ready`](super::Ready)
/// when a bot wants more). Every other dispatch is [`TypedEvent::Dispatch`], parsed; a name
/// this library does not know is [`DispatchEvent::Unknown`], delivered raw.
///
/// Built by [`TypedEvent::from_event`] (or `TryFrom<Event>`), so a hand-written loop over
/// [`ShardMachine`](crate::ShardMachine) gets the same values as the adapters'
/// `next_typed_event`.
///
/// ```
/// use gateway_proto::model::{dispatch_from_frame, DispatchEvent, TypedEvent};
/// use gateway_proto::Event;
///
/// let frame = r#"{"op":0,"s":4,"t":"MESSAGE_CREATE","d":{"id":"10","channel_id":"42","type":0,
///     "author":{"id":"7","username":"tester","discriminator":"0"},"content":"hi",
///     "timestamp":"2026-08-01T15:04:05.123Z"}}"#;
/// let event = Event::Dispatch(dispatch_from_frame(frame.to_owned()).unwrap());
/// match TypedEvent::from_event(event) {
///     Ok(TypedEvent::Dispatch(DispatchEvent::MessageCreate(message))) => {
///         assert_eq!((message.author.username.as_str(), message.content.as_str()), ("tester", "hi"));
///     }
///     Ok(other) => panic!("{other:?}"),
///     // The raw dispatch is kept: nothing is lost when a payload does not fit the model.
///     Err(unparsed) => eprintln!("{unparsed}; raw: {}", unparsed.dispatch().data()),
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TypedEvent {
    /// A connection ended (and what happens next).
    Closed(Closed),
    /// A dispatch other than READY and RESUMED, parsed.
    Dispatch(DispatchEvent),
    /// Inbound data was bad; the machine already acted on it (see the next `Closed`).
    Error(ReceiveError),
    /// Heartbeat acknowledged.
    HeartbeatAck(HeartbeatAck),
    /// Hello received.
    Hello(Hello),
    /// Invalid Session received.
    InvalidSession(InvalidSession),
    /// A new session started.
    Ready(Box<event::Ready>),
    /// The gateway asked to reconnect.
    Reconnect(Reconnect),
    /// The session was resumed.
    Resumed(event::Resumed),
}

impl TypedEvent {
    /// Parses `event`'s dispatch, if it is one (protocol.md §12); any other event passes
    /// through unchanged. Parsing reads `d` once, in the caller's thread; a known dispatch
    /// that does not fit its payload type is an [`UnparsedDispatch`] holding the dispatch.
    pub fn from_event(event: Event) -> Result<Self, UnparsedDispatch> {
        Ok(match event {
            Event::Closed(closed) => Self::Closed(closed),
            Event::Dispatch(dispatch) => match dispatch.parse() {
                Ok(parsed) => Self::Dispatch(parsed),
                Err(error) => return Err(UnparsedDispatch::new(dispatch, error)),
            },
            Event::Error(error) => Self::Error(error),
            Event::HeartbeatAck(ack) => Self::HeartbeatAck(ack),
            Event::Hello(hello) => Self::Hello(hello),
            Event::InvalidSession(invalid) => Self::InvalidSession(invalid),
            Event::Ready(ready) => Self::Ready(ready),
            Event::Reconnect(reconnect) => Self::Reconnect(reconnect),
            Event::Resumed(resumed) => Self::Resumed(resumed),
        })
    }

    /// The flag this event is selected by, as [`Event::kind`] (errors: an empty set).
    pub fn kind(&self) -> EventTypeFlags {
        match self {
            Self::Closed(_) => EventTypeFlags::GATEWAY_CLOSE,
            Self::Dispatch(dispatch) => dispatch.event_type().flag(),
            Self::Error(_) => EventTypeFlags::empty(),
            Self::HeartbeatAck(_) => EventTypeFlags::GATEWAY_HEARTBEAT_ACK,
            Self::Hello(_) => EventTypeFlags::GATEWAY_HELLO,
            Self::InvalidSession(_) => EventTypeFlags::GATEWAY_INVALIDATE_SESSION,
            Self::Ready(_) => EventTypeFlags::READY,
            Self::Reconnect(_) => EventTypeFlags::GATEWAY_RECONNECT,
            Self::Resumed(_) => EventTypeFlags::RESUMED,
        }
    }
}

impl TryFrom<Event> for TypedEvent {
    type Error = UnparsedDispatch;

    /// [`TypedEvent::from_event`].
    fn try_from(event: Event) -> Result<Self, UnparsedDispatch> {
        Self::from_event(event)
    }
}

/// A known dispatch whose `d` does not fit its payload type, with the dispatch itself: the
/// bot loses nothing and may still read it raw ([`Dispatch::data`],
/// [`Dispatch::deserialize`]).
///
/// It is not a protocol error: the machine already counted the dispatch's sequence number,
/// the session goes on and stays resumable. Its text is the [`ParseError`]'s (event name,
/// bounded excerpt) and the sequence number.
#[derive(Clone, PartialEq, Eq)]
pub struct UnparsedDispatch {
    /// Boxed so a `Result` holding it stays small: it is the rare path.
    inner: Box<(Dispatch, ParseError)>,
}

impl UnparsedDispatch {
    fn new(dispatch: Dispatch, error: ParseError) -> Self {
        Self {
            inner: Box::new((dispatch, error)),
        }
    }

    /// The dispatch as received.
    pub fn dispatch(&self) -> &Dispatch {
        &self.inner.0
    }

    /// Why it did not parse: the event name and a bounded excerpt of `d`.
    pub fn error(&self) -> &ParseError {
        &self.inner.1
    }

    /// The dispatch's name.
    pub fn event_type(&self) -> &EventType {
        &self.inner.0.event_type
    }

    /// Takes the dispatch (no copy of its text).
    pub fn into_dispatch(self) -> Dispatch {
        self.inner.0
    }
}

impl fmt::Debug for UnparsedDispatch {
    /// The error and where the dispatch is, never its whole (possibly multi-megabyte) text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (dispatch, error) = &*self.inner;
        f.debug_struct("UnparsedDispatch")
            .field("seq", &dispatch.seq)
            .field("data_len", &dispatch.data().len())
            .field("error", error)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for UnparsedDispatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (dispatch, error) = &*self.inner;
        write!(f, "{error} (sequence {}, kept raw)", dispatch.seq)
    }
}

impl std::error::Error for UnparsedDispatch {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        event::{CloseCause, Initiator, Next, Payload},
        model::dispatch_from_frame,
        Id,
    };
    use std::time::Duration;

    fn dispatch(seq: u64, t: &str, d: &str) -> Dispatch {
        let frame = format!(r#"{{"op":0,"s":{seq},"t":"{t}","d":{d}}}"#);
        dispatch_from_frame(frame).expect("a dispatch frame")
    }

    #[test]
    fn a_known_dispatch_is_parsed() {
        let d = r#"{"id":"1001","channel_id":"42","guild_id":"5","content":"hello","type":0,
            "author":{"id":"7","username":"tester","discriminator":"0"},
            "timestamp":"2026-08-01T15:04:05.123Z"}"#;
        let typed = TypedEvent::from_event(Event::Dispatch(dispatch(3, "MESSAGE_CREATE", d)));
        let Ok(TypedEvent::Dispatch(DispatchEvent::MessageCreate(message))) = &typed else {
            panic!("{typed:?}");
        };
        assert_eq!(message.id, Id::new(1001));
        assert_eq!(message.channel_id, Id::new(42));
        assert_eq!(message.guild_id, Some(Id::new(5)));
        assert_eq!(message.author.username, "tester");
        assert_eq!(message.content, "hello");
        assert_eq!(
            typed.as_ref().map(TypedEvent::kind),
            Ok(EventTypeFlags::MESSAGE_CREATE)
        );
    }

    #[test]
    fn an_unknown_name_is_delivered_raw() {
        let raw = dispatch(4, "BRAND_NEW_EVENT", r#"{"anything":[1,{"x":null}]}"#);
        let typed = TypedEvent::from_event(Event::Dispatch(raw.clone()));
        assert_eq!(
            typed,
            Ok(TypedEvent::Dispatch(DispatchEvent::Unknown(Box::new(raw))))
        );
    }

    #[test]
    fn a_malformed_known_dispatch_is_an_error_keeping_the_dispatch() {
        // `content` is a number and `author` a string: valid JSON, not a message.
        let d = r#"{"id":"1002","channel_id":"42","author":"nobody","content":17}"#;
        let raw = dispatch(9, "MESSAGE_CREATE", d);
        let unparsed = TypedEvent::from_event(Event::Dispatch(raw.clone())).unwrap_err();
        assert_eq!(unparsed.dispatch(), &raw, "the raw dispatch, whole");
        assert_eq!(unparsed.event_type(), &EventType::MessageCreate);
        assert_eq!(unparsed.error(), &raw.parse().unwrap_err());
        assert_eq!(unparsed.error().data_len, d.len());
        let text = unparsed.to_string();
        assert!(text.starts_with("cannot parse MESSAGE_CREATE"), "{text}");
        assert!(text.ends_with("(sequence 9, kept raw)"), "{text}");
        // Still usable raw.
        let value: serde_json::Value = unparsed.dispatch().deserialize().unwrap();
        assert_eq!(value["author"], "nobody");
        assert_eq!(unparsed.into_dispatch(), raw);
    }

    #[test]
    fn a_huge_unparsed_dispatch_prints_a_bounded_text() {
        let d = format!(r#"{{"id":"1","name":{}}}"#, "7".repeat(1 << 20));
        let unparsed =
            TypedEvent::from_event(Event::Dispatch(dispatch(2, "GUILD_UPDATE", &d))).unwrap_err();
        assert_eq!(unparsed.dispatch().data(), d);
        assert!(unparsed.to_string().len() < 1000, "{unparsed}");
        assert!(format!("{unparsed:?}").len() < 1000, "{unparsed:?}");
    }

    #[test]
    fn lifecycle_events_pass_through_unchanged() {
        let payload = |text: &str| Payload::new(text.to_owned(), None);
        let ready_dispatch = dispatch(
            1,
            "READY",
            r#"{"v":10,"session_id":"s","resume_gateway_url":"wss://r","user":{"id":"7"},"guilds":[]}"#,
        );
        let ready = event::Ready {
            session_id: "s".to_owned(),
            resume_url: "wss://r".to_owned(),
            user_id: Id::new(7),
            guild_ids: Vec::new(),
            shard: None,
            dispatch: ready_dispatch,
        };
        let resumed = event::Resumed {
            replayed: 3,
            dispatch: dispatch(5, "RESUMED", "{}"),
        };
        let closed = Closed {
            code: Some(4000),
            initiator: Initiator::Remote,
            cause: CloseCause::Gateway,
            next: Next::Resume,
        };
        let hello = Hello {
            heartbeat_interval: Duration::from_millis(41_250),
            payload: payload(r#"{"op":10,"d":{"heartbeat_interval":41250}}"#),
        };
        let ack = HeartbeatAck {
            latency: Some(Duration::from_millis(20)),
            payload: payload(r#"{"op":11}"#),
        };
        let invalid = InvalidSession {
            resumable: true,
            payload: payload(r#"{"op":9,"d":true}"#),
        };
        let reconnect = Reconnect {
            payload: payload(r#"{"op":7}"#),
        };
        let error = ReceiveError::NotUtf8;
        let cases = [
            (
                Event::Ready(Box::new(ready.clone())),
                TypedEvent::Ready(Box::new(ready)),
            ),
            (
                Event::Resumed(resumed.clone()),
                TypedEvent::Resumed(resumed),
            ),
            (Event::Closed(closed.clone()), TypedEvent::Closed(closed)),
            (Event::Hello(hello.clone()), TypedEvent::Hello(hello)),
            (
                Event::HeartbeatAck(ack.clone()),
                TypedEvent::HeartbeatAck(ack),
            ),
            (
                Event::InvalidSession(invalid.clone()),
                TypedEvent::InvalidSession(invalid),
            ),
            (
                Event::Reconnect(reconnect.clone()),
                TypedEvent::Reconnect(reconnect),
            ),
            (Event::Error(error.clone()), TypedEvent::Error(error)),
        ];
        for (event, expected) in cases {
            let kind = event.kind();
            let typed = TypedEvent::try_from(event).expect("lifecycle events always convert");
            assert_eq!(typed.kind(), kind);
            assert_eq!(typed, expected);
        }
    }
}
