//! Typed payloads for every dispatch event of protocol.md §12 (the `model` feature, on by
//! default).
//!
//! # Shape
//!
//! [`Dispatch::parse`] turns a dispatch into a [`DispatchEvent`]: one variant per dispatch
//! name, each holding its payload struct (big ones boxed, so the enum stays two words). A
//! name this library does not know becomes [`DispatchEvent::Unknown`] with the raw dispatch;
//! it is not an error. A known name whose `d` does not fit its struct is a [`ParseError`]
//! carrying the name and an excerpt of at most [`EXCERPT_BYTES`] bytes around the point where
//! parsing stopped, never the whole (possibly multi-megabyte) payload.
//!
//! `d` is read in one pass, straight from the payload text into the struct: no intermediate
//! `serde_json::Value` (a few open-ended sub-trees, listed below, *are* values by design).
//! With the `simd-json` feature, [`SimdParser`] reads the same structs with simd-json.
//!
//! ```
//! use gateway_proto::model::{dispatch_from_frame, DispatchEvent};
//! use gateway_proto::Event;
//!
//! fn on_event(event: Event) {
//!     let Event::Dispatch(dispatch) = event else { return };
//!     match dispatch.parse() {
//!         Ok(DispatchEvent::MessageCreate(message)) => {
//!             println!("{}: {}", message.author.username, message.content)
//!         }
//!         Ok(DispatchEvent::Unknown(raw)) => println!("new event {}", raw.event_type),
//!         Ok(_) => {}
//!         Err(error) => eprintln!("{error}"), // names the event, quotes ≤ 200 bytes
//!     }
//! }
//!
//! let frame = r#"{"op":0,"s":3,"t":"TYPING_START","d":{"channel_id":"5","user_id":"6","timestamp":1785596645}}"#;
//! let dispatch = dispatch_from_frame(frame.to_owned()).unwrap();
//! let DispatchEvent::TypingStart(typing) = dispatch.parse().unwrap() else { panic!() };
//! assert_eq!((typing.user_id.get(), typing.timestamp), (6, 1785596645));
//! on_event(Event::Dispatch(dispatch));
//! ```
//!
//! # Laziness: parse only what the bot asked for
//!
//! The shard machine drops dispatches outside [`Config::event_types`] before they become
//! events (they still advance the sequence number). Every [`Event::Dispatch`] it emits is
//! therefore wanted, and an adapter calls [`Dispatch::parse`] once per such event, at the
//! moment the bot asks for a typed event. Nothing is parsed ahead of time, and a bot that
//! reads raw dispatches (`Dispatch::data`, or [`Dispatch::deserialize`] into its own types)
//! never pays for this module at all. [`parse_wanted`] states the rule as code for loops that
//! filter later.
//!
//! # Conventions
//!
//! - Every snowflake is an [`Id`]: a JSON string or number in, a string out (protocol.md §9.1).
//! - Timestamps are [`Timestamp`]s (ISO 8601 with microseconds, protocol.md §13.1).
//! - Integer enums (channel, message, activity, interaction types, …) have an `Unknown(n)`
//!   arm and string enums ([`Status`]) an `Unknown(name)` arm, so a value Discord adds later
//!   parses and serializes back unchanged.
//! - Unknown keys are ignored everywhere.
//! - Optional fields (`field?` in protocol.md) are `Option`s left out when `None`; nullable
//!   fields (`?type`) are `Option`s written as `null`. A field both optional and nullable is
//!   treated as optional, except where the difference means something (CHANNEL_INFO's
//!   `status` and `voice_start_time`: `Option<Option<_>>`). Lists Discord may leave out read
//!   as empty.
//! - Everything serializes back to Discord's JSON, and parse → serialize → parse gives an
//!   equal value.
//!
//! # Kept as JSON values
//!
//! - [`Interaction::data`]: its shape depends on the command's option tree.
//! - [`Message::message_snapshots`]: partial forwarded messages.
//! - [`AuditLogChange`] values: typed by whatever object the changed key belongs to.
//! - [`ScheduledEvent::recurrence_rule`].
//!
//! Message components are typed, as one flat [`Component`] struct (see [`component`]).
//!
//! [`Dispatch::parse`]: crate::Dispatch::parse
//! [`Dispatch::deserialize`]: crate::Dispatch::deserialize
//! [`Config::event_types`]: crate::Config::event_types
//! [`Event::Dispatch`]: crate::Event::Dispatch
//! [`Id`]: crate::Id

#[macro_use]
mod macros;

pub mod channel;
pub mod common;
pub mod component;
mod dispatch;
pub mod expression;
pub mod guild;
pub mod interaction;
pub mod member_user;
pub mod message;
pub mod misc;
pub mod moderation;
pub mod monetization;
pub mod presence;
pub mod reaction;
pub mod session;
mod timestamp;
pub mod voice;

pub use channel::*;
pub use common::Permissions;
pub use component::*;
#[cfg(feature = "simd-json")]
pub use dispatch::SimdParser;
pub use dispatch::{
    dispatch_from_frame, parse, parse_wanted, DispatchEvent, ParseError, EXCERPT_BYTES,
};
pub use expression::*;
pub use guild::*;
pub use interaction::*;
pub use member_user::*;
pub use message::*;
pub use misc::*;
pub use moderation::*;
pub use monetization::*;
pub use presence::*;
pub use reaction::*;
pub use session::*;
pub use timestamp::{ParseTimestampError, Timestamp};
pub use voice::*;
