//! The envelope scan (protocol.md §2): one pass over a gateway message's JSON text that finds
//! `op`, `s`, `t` and where `d` lies.
//!
//! This file owns what a well-formed envelope is: a JSON object with an unsigned integer `op`, an
//! optional unsigned integer or null `s`, an optional string or null `t`, an optional `d` of any
//! JSON type, any other keys ignored (Discord adds undocumented ones such as `_trace`), no key of
//! those four twice, and nothing but whitespace after the object. It does not interpret `d`: it
//! validates `d`'s syntax while skipping over it and hands on its byte range, so the caller can
//! parse `d` into the type the opcode and event name call for without reading the message twice.
//! It knows nothing of opcodes' meanings, event names or compression.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;

/// The envelope of one gateway message (protocol.md §2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The opcode, `op`.
    pub op: u64,
    /// The sequence number, `s`; `None` when missing or null.
    pub seq: Option<u64>,
    /// The event name, `t`; `None` when missing or null. Borrowed from the payload unless the
    /// name contains JSON escapes.
    pub event_type: Option<Cow<'a, str>>,
    /// The byte range of `d`'s raw JSON in the payload, without surrounding whitespace; `None`
    /// when `d` is missing or null. `payload.get(range)` yields the text.
    pub data: Option<Range<usize>>,
}

/// Why a payload is not a gateway envelope. Messages are short and never quote the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// One of `op`, `s`, `t` or `d` appears more than once.
    DuplicateKey {
        /// The repeated key.
        key: &'static str,
    },
    /// `t` is neither a string nor null.
    InvalidEventType,
    /// The payload is not valid JSON.
    InvalidJson,
    /// `op` is not an unsigned integer that fits in 64 bits.
    InvalidOp,
    /// `s` is neither null nor an unsigned integer that fits in 64 bits.
    InvalidSeq,
    /// The object has no `op`.
    MissingOp,
    /// The top level is a JSON value other than an object.
    NotAnObject,
    /// Something other than whitespace follows the object.
    TrailingCharacters,
    /// The payload ends inside the JSON value.
    Truncated,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateKey { key } => write!(f, "duplicate key `{key}`"),
            Self::InvalidEventType => f.write_str("`t` is not a string or null"),
            Self::InvalidJson => f.write_str("invalid json"),
            Self::InvalidOp => f.write_str("`op` is not an unsigned integer"),
            Self::InvalidSeq => f.write_str("`s` is not an unsigned integer or null"),
            Self::MissingOp => f.write_str("missing `op`"),
            Self::NotAnObject => f.write_str("top level is not a json object"),
            Self::TrailingCharacters => f.write_str("trailing characters after the object"),
            Self::Truncated => f.write_str("payload ends inside the json value"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

/// Scans `payload` once and returns its envelope.
///
/// Key order and whitespace do not matter, unknown keys are skipped (their syntax is still
/// checked), and `d` is located but not parsed into a value.
///
/// ```
/// use gateway_proto::envelope::scan;
///
/// let payload = r#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250}}"#;
/// let envelope = scan(payload)?;
/// assert_eq!((envelope.op, envelope.seq, envelope.event_type), (10, None, None));
/// let data = envelope.data.and_then(|range| payload.get(range));
/// assert_eq!(data, Some(r#"{"heartbeat_interval":41250}"#));
/// # Ok::<(), gateway_proto::envelope::EnvelopeError>(())
/// ```
///
/// # Errors
///
/// An [`EnvelopeError`] naming the first violation found.
pub fn scan(payload: &str) -> Result<Envelope<'_>, EnvelopeError> {
    // What a serde "data" error means depends on where the parser stood when it was raised;
    // the visitor keeps this up to date, and records its own violations here too.
    let blame = Cell::new(Some(EnvelopeError::NotAnObject));
    let mut json = serde_json::Deserializer::from_str(payload);
    let fields = (&mut json)
        .deserialize_map(EnvelopeVisitor { blame: &blame })
        .map_err(|error| match error.classify() {
            Category::Data => blame.take().unwrap_or(EnvelopeError::InvalidJson),
            Category::Eof => EnvelopeError::Truncated,
            Category::Syntax | Category::Io => EnvelopeError::InvalidJson,
        })?;
    json.end().map_err(|_| EnvelopeError::TrailingCharacters)?;

    let data = match fields.data {
        // `RawValue` borrowed from `payload` always lies inside it, so this never yields
        // `InvalidJson`; it is an error rather than a panic only to keep slicing checked.
        Some(raw) => Some(span_within(payload, raw.get()).ok_or(EnvelopeError::InvalidJson)?),
        None => None,
    };
    Ok(Envelope {
        op: fields.op,
        seq: fields.seq,
        event_type: fields.event_type,
        data,
    })
}

/// The byte range `part` occupies in `whole`, if `part` is a slice of it.
fn span_within(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// The envelope's fields as the visitor finds them.
struct Fields<'a> {
    op: u64,
    seq: Option<u64>,
    event_type: Option<Cow<'a, str>>,
    data: Option<&'a RawValue>,
}

/// The top-level object's keys we look at; every other key is [`Key::Other`].
enum Key {
    Op,
    Seq,
    EventType,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "op" => Key::Op,
            "s" => Key::Seq,
            "t" => Key::EventType,
            "d" => Key::Data,
            _ => Key::Other,
        })
    }
}

/// Visits the top-level object; only `visit_map` is implemented, so any other JSON value is
/// refused (a derived struct would also accept an array).
struct EnvelopeVisitor<'c> {
    blame: &'c Cell<Option<EnvelopeError>>,
}

impl EnvelopeVisitor<'_> {
    /// Deserializes the current value with `seed`; a data error there is `blame`.
    fn value<'de, A, S>(
        &self,
        map: &mut A,
        seed: S,
        blame: EnvelopeError,
    ) -> Result<S::Value, A::Error>
    where
        A: MapAccess<'de>,
        S: DeserializeSeed<'de>,
    {
        self.blame.set(Some(blame));
        let value = map.next_value_seed(seed)?;
        self.blame.set(None);
        Ok(value)
    }

    /// Raises `violation` through serde, remembering it so `scan` reports it as it is.
    fn violation<E: de::Error>(&self, violation: EnvelopeError) -> E {
        let error = E::custom(&violation);
        self.blame.set(Some(violation));
        error
    }
}

/// Stores a field's value, refusing a second occurrence of its key.
fn store_once<T, E: de::Error>(
    visitor: &EnvelopeVisitor<'_>,
    slot: &mut Option<T>,
    value: T,
    key: &'static str,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(visitor.violation(EnvelopeError::DuplicateKey { key }));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a gateway envelope object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        self.blame.set(None);
        // Outer `Option`: whether the key was seen; inner: the value, null being `None`.
        let mut op = None;
        let mut seq: Option<Option<u64>> = None;
        let mut event_type: Option<Option<Cow<'de, str>>> = None;
        let mut data: Option<Option<&'de RawValue>> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Op => {
                    let value =
                        self.value(&mut map, PhantomData::<u64>, EnvelopeError::InvalidOp)?;
                    store_once(&self, &mut op, value, "op")?;
                }
                Key::Seq => {
                    let value = self.value(&mut map, PhantomData, EnvelopeError::InvalidSeq)?;
                    store_once(&self, &mut seq, value, "s")?;
                }
                Key::EventType => {
                    let value =
                        self.value(&mut map, EventTypeSeed, EnvelopeError::InvalidEventType)?;
                    store_once(&self, &mut event_type, value, "t")?;
                }
                Key::Data => {
                    let value = self.value(&mut map, PhantomData, EnvelopeError::InvalidJson)?;
                    store_once(&self, &mut data, value, "d")?;
                }
                Key::Other => {
                    self.value(
                        &mut map,
                        PhantomData::<IgnoredAny>,
                        EnvelopeError::InvalidJson,
                    )?;
                }
            }
        }
        let Some(op) = op else {
            return Err(self.violation(EnvelopeError::MissingOp));
        };
        Ok(Fields {
            op,
            seq: seq.flatten(),
            event_type: event_type.flatten(),
            data: data.flatten(),
        })
    }
}

/// Deserializes `t`: null, or a string borrowed from the payload unless it holds escapes.
#[derive(Clone, Copy)]
struct EventTypeSeed;

impl<'de> DeserializeSeed<'de> for EventTypeSeed {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for EventTypeSeed {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(text.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// What a case expects: `op`, `s`, `t`, and `d`'s text.
    type Expected =
        Result<(u64, Option<u64>, Option<&'static str>, Option<&'static str>), EnvelopeError>;

    const READY: &str = r#"{"op":0,"s":1,"t":"READY","d":{
  "v":10,
  "user":{"id":"1194566300643491842","username":"simbot","discriminator":"4821","global_name":null,
          "avatar":null,"bot":true,"verified":true,"mfa_enabled":false,"flags":0,"email":null},
  "guilds":[{"id":"820627323903672320","unavailable":true},
            {"id":"981346340065902592","unavailable":true}],
  "session_id":"9f1c2e7a4b8d4c0f8e3a6b5d2c1f0e97",
  "resume_gateway_url":"wss://gateway-us-east1-b.discord.gg",
  "shard":[1,2],
  "application":{"id":"1194566300643491842","flags":565248},
  "_trace":["[\"gateway-prd-us-east1-b-x1y2\",{\"micros\":18244}]"]}}"#;

    const TYPING_START: &str = r#"{"op":0,"s":5,"t":"TYPING_START","d":{
  "channel_id":"820627324218245123","guild_id":"820627323903672320","user_id":"646771746908798983",
  "timestamp":1785596645,
  "member":{"user":{"id":"646771746908798983","username":"alice","discriminator":"0","global_name":"Alice","avatar":null},
            "nick":null,"avatar":null,"banner":null,"roles":["820959526340657158"],
            "joined_at":"2021-03-14T12:00:01.204000+00:00","deaf":false,"mute":false,"flags":0,"pending":false}}}"#;

    /// `d`'s text in a payload of the form `{…"d":<d>}`, up to the closing brace.
    fn d_of(payload: &'static str) -> &'static str {
        let start = payload.find("\"d\":").expect("case has a d") + 4;
        payload[start..payload.len() - 1].trim()
    }

    /// The table: every rule of the scan, in both outcomes.
    fn cases() -> Vec<(&'static str, Expected)> {
        use EnvelopeError::*;
        vec![
            // Real frames (protocol.md §1.3, §13).
            (r#"{"op":10,"d":{"heartbeat_interval":45000}}"#, Ok((10, None, None, Some(r#"{"heartbeat_interval":45000}"#)))),
            (
                r#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["[\"gateway-prd-us-east1-c-7s4x\",{\"micros\":0.0}]"]}}"#,
                Ok((10, None, None, Some(r#"{"heartbeat_interval":41250,"_trace":["[\"gateway-prd-us-east1-c-7s4x\",{\"micros\":0.0}]"]}"#))),
            ),
            (READY, Ok((0, Some(1), Some("READY"), Some(d_of(READY))))),
            (TYPING_START, Ok((0, Some(5), Some("TYPING_START"), Some(d_of(TYPING_START))))),
            (r#"{"t":null,"s":null,"op":11,"d":null}"#, Ok((11, None, None, None))),
            (r#"{"op":11}"#, Ok((11, None, None, None))),
            (r#"{"op":1,"d":null}"#, Ok((1, None, None, None))),
            (r#"{"op":7,"d":null}"#, Ok((7, None, None, None))),
            (r#"{"op":9,"d":false}"#, Ok((9, None, None, Some("false")))),
            (r#"{"op":0,"s":7,"t":"RESUMED","d":{}}"#, Ok((0, Some(7), Some("RESUMED"), Some("{}")))),
            (
                r#"{"op":0,"s":9,"t":"VOICE_SERVER_UPDATE","d":{"token":"abc123","guild_id":"820627323903672320","endpoint":"sweetwater-12345.discord.media:2048"}}"#,
                Ok((0, Some(9), Some("VOICE_SERVER_UPDATE"), Some(r#"{"token":"abc123","guild_id":"820627323903672320","endpoint":"sweetwater-12345.discord.media:2048"}"#))),
            ),
            // Key order does not matter.
            (r#"{"d":[1,2],"t":"X","s":3,"op":0}"#, Ok((0, Some(3), Some("X"), Some("[1,2]")))),
            (r#"{"s":3,"d":"text","op":0,"t":"X"}"#, Ok((0, Some(3), Some("X"), Some(r#""text""#)))),
            // Whitespace does not matter, and is not part of `d`'s span.
            (
                " \n{ \"op\" : 0 ,\r\n\t\"s\":5 , \"t\" : \"READY\" , \"d\" :  { \"v\" : 10 }  \n} \n",
                Ok((0, Some(5), Some("READY"), Some("{ \"v\" : 10 }"))),
            ),
            // Unknown keys are skipped, wherever they are and whatever they hold.
            (
                r#"{"_trace":["x",{"y":[1,{}]}],"op":0,"s":1,"extra":null,"t":"A","d":1,"z":{"op":5,"d":2}}"#,
                Ok((0, Some(1), Some("A"), Some("1"))),
            ),
            // `d`'s strings may hold braces, brackets, quotes and backslashes.
            (
                r#"{"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"content":"}{\"op\":99,\"t\":\"FAKE\"}]","n":[{"x":"\\"}],"e":"\u007d"},"_x":"}"}"#,
                Ok((0, Some(2), Some("MESSAGE_CREATE"), Some(r#"{"content":"}{\"op\":99,\"t\":\"FAKE\"}]","n":[{"x":"\\"}],"e":"\u007d"}"#))),
            ),
            // Escapes in `t` and in keys are decoded.
            (r#"{"op":0,"s":1,"t":"MESSAGE\u005fCREATE","d":null}"#, Ok((0, Some(1), Some("MESSAGE_CREATE"), None))),
            (r#"{"\u006fp":3,"\u0064":[]}"#, Ok((3, None, None, Some("[]")))),
            (r#"{"op":0,"t":"caf\u00e9 \ud83d\ude00"}"#, Ok((0, None, Some("café 😀"), None))),
            // Extremes of the integers.
            (r#"{"op":18446744073709551615,"s":0}"#, Ok((u64::MAX, Some(0), None, None))),
            // Not an object.
            ("[]", Err(NotAnObject)),
            (r#"[10,null,null,null]"#, Err(NotAnObject)),
            (r#""op""#, Err(NotAnObject)),
            ("10", Err(NotAnObject)),
            ("null", Err(NotAnObject)),
            ("true", Err(NotAnObject)),
            // No `op`.
            ("{}", Err(MissingOp)),
            (r#"{"s":1,"t":"READY","d":{"op":0}}"#, Err(MissingOp)),
            // `op` and `s` must be unsigned integers, `t` a string.
            (r#"{"op":"10"}"#, Err(InvalidOp)),
            (r#"{"op":1.0}"#, Err(InvalidOp)),
            (r#"{"op":1e1}"#, Err(InvalidOp)),
            (r#"{"op":-1}"#, Err(InvalidOp)),
            (r#"{"op":null}"#, Err(InvalidOp)),
            (r#"{"op":18446744073709551616}"#, Err(InvalidOp)),
            (r#"{"op":{}}"#, Err(InvalidOp)),
            (r#"{"op":0,"s":"1"}"#, Err(InvalidSeq)),
            (r#"{"op":0,"s":1.5}"#, Err(InvalidSeq)),
            (r#"{"op":0,"s":-3}"#, Err(InvalidSeq)),
            (r#"{"op":0,"t":5}"#, Err(InvalidEventType)),
            (r#"{"op":0,"t":["READY"]}"#, Err(InvalidEventType)),
            (r#"{"op":0,"t":false}"#, Err(InvalidEventType)),
            // Each of the four keys at most once, even when a copy is null.
            (r#"{"op":1,"op":1}"#, Err(DuplicateKey { key: "op" })),
            (r#"{"op":0,"s":null,"s":1}"#, Err(DuplicateKey { key: "s" })),
            (r#"{"t":"A","op":0,"t":"A"}"#, Err(DuplicateKey { key: "t" })),
            (r#"{"op":0,"d":1,"d":null}"#, Err(DuplicateKey { key: "d" })),
            (r#"{"op":0,"\u0064":1,"d":1}"#, Err(DuplicateKey { key: "d" })),
            // Only whitespace may follow the object.
            (r#"{"op":0} x"#, Err(TrailingCharacters)),
            (r#"{"op":0}{"op":1}"#, Err(TrailingCharacters)),
            (r#"{"op":0}}"#, Err(TrailingCharacters)),
            // Invalid JSON, inside or outside `d`.
            (r#"{"op":0,}"#, Err(InvalidJson)),
            (r#"{op:0}"#, Err(InvalidJson)),
            (r#"{"op":0 "d":1}"#, Err(InvalidJson)),
            (r#"{"op":01}"#, Err(InvalidJson)),
            (r#"{"op":0,"d":[1,2}"#, Err(InvalidJson)),
            (r#"{"op":0,"d":{"a" 1}}"#, Err(InvalidJson)),
            (r#"{"op":0,"d":"\x"}"#, Err(InvalidJson)),
            (r#"{"op":0,"t":"\ud800"}"#, Err(InvalidJson)),
            ("{\"op\":0,\"d\":\"a\tb\"}", Err(InvalidJson)),
            (r#"{"op":0,"_trace":[}"#, Err(InvalidJson)),
            (r#"{"op":0,"d":nul}"#, Err(InvalidJson)),
            // Truncated.
            ("", Err(Truncated)),
            ("  ", Err(Truncated)),
            (r#"{"op":0,"d":{"a":"#, Err(Truncated)),
            (r#"{"op":0,"t":"READY"#, Err(Truncated)),
        ]
    }

    /// Checks one payload against its expectation, including that `data` slices the payload.
    fn check(payload: &str, expected: &Expected) -> Result<(), String> {
        let actual = scan(payload).map(|envelope| {
            let data = envelope
                .data
                .clone()
                .map(|range| payload.get(range).expect("span inside payload"));
            (envelope.op, envelope.seq, envelope.event_type.clone(), data)
        });
        let expected = expected
            .clone()
            .map(|(op, seq, t, d)| (op, seq, t.map(Cow::Borrowed), d));
        if actual == expected {
            Ok(())
        } else {
            Err(format!(
                "{payload:?}: got {actual:?}, expected {expected:?}"
            ))
        }
    }

    #[test]
    fn table_of_envelopes() {
        let failures: Vec<String> = cases()
            .iter()
            .filter_map(|(payload, expected)| check(payload, expected).err())
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_truncation_of_a_valid_payload_is_rejected() {
        for (payload, expected) in cases() {
            if expected.is_err() {
                continue;
            }
            // Fed one byte at a time: no proper prefix of the object is itself an envelope.
            let object_end = payload.trim_end().len();
            for end in (0..object_end).filter(|&end| payload.is_char_boundary(end)) {
                let error = scan(&payload[..end]).expect_err(&payload[..end]);
                assert!(
                    matches!(error, EnvelopeError::Truncated | EnvelopeError::InvalidJson),
                    "{:?}: {error:?}",
                    &payload[..end]
                );
            }
        }
    }

    #[test]
    fn trailing_bytes_are_rejected_and_trailing_whitespace_is_not() {
        for (payload, expected) in cases() {
            if expected.is_err() {
                continue;
            }
            for tail in ["x", "}", "{}", ",", "0", "\"", "\0", "]"] {
                let with_tail = format!("{payload}{tail}");
                assert_eq!(
                    scan(&with_tail),
                    Err(EnvelopeError::TrailingCharacters),
                    "{with_tail:?}"
                );
            }
            for tail in [" ", "\n", "\r\n\t "] {
                check(&format!("{payload}{tail}"), &expected).unwrap();
            }
        }
    }

    #[test]
    fn event_type_is_borrowed_unless_escaped() {
        let plain = scan(r#"{"op":0,"t":"MESSAGE_CREATE"}"#).unwrap();
        assert!(matches!(
            plain.event_type,
            Some(Cow::Borrowed("MESSAGE_CREATE"))
        ));
        let escaped = scan(r#"{"op":0,"t":"MESSAGE\u005fCREATE"}"#).unwrap();
        assert!(matches!(escaped.event_type, Some(Cow::Owned(ref t)) if t == "MESSAGE_CREATE"));
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        // serde_json skips `d` and unknown values iteratively, so depth costs no stack.
        let depth = 100_000;
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let payload = format!(r#"{{"op":0,"_x":{nested},"d":{nested}}}"#);
        let envelope = scan(&payload).unwrap();
        assert_eq!(
            envelope.data.and_then(|range| payload.get(range)),
            Some(&nested[..])
        );
        let payload = format!(r#"{{"op":{nested}}}"#);
        assert_eq!(scan(&payload), Err(EnvelopeError::InvalidOp));
    }

    #[test]
    fn errors_display_in_lower_case_without_the_payload() {
        let secret = "Bot SECRET-TOKEN";
        let payloads = [
            format!(r#"{{"op":"{secret}"}}"#),
            format!(r#"{{"op":0,"s":"{secret}"}}"#),
            format!(r#"{{"op":0,"t":{{"{secret}":1}}}}"#),
            format!(r#"["{secret}"]"#),
            format!(r#"{{"op":0,"d":"{secret}}}"#),
            format!(r#"{{"op":0}}{secret}"#),
            format!(r#"{{"{secret}":1}}"#),
        ];
        for payload in payloads {
            let error = scan(&payload).unwrap_err();
            let text = error.to_string();
            assert!(
                text.starts_with(|c: char| c.is_ascii_lowercase() || c == '`'),
                "{text}"
            );
            assert!(
                !text.contains("SECRET") && !format!("{error:?}").contains("SECRET"),
                "{text}"
            );
        }
    }

    /// Any JSON value, with strings likely to hold JSON punctuation and escapes.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[{}\\[\\]\":,\\\\ op]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[a-z{}\"dots]{0,4}", inner), 0..5)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// A generated envelope: for `s`, `t` and `d`, `None` leaves the key out and `Some(None)`
    /// writes null.
    #[derive(Clone, Debug)]
    struct Generated {
        op: u64,
        seq: Option<Option<u64>>,
        event_type: Option<Option<String>>,
        data: Option<Value>,
        pretty_data: bool,
        unknown: Vec<(String, Value)>,
    }

    fn generated() -> impl Strategy<Value = Generated> {
        (
            any::<u64>(),
            proptest::option::of(proptest::option::of(any::<u64>())),
            proptest::option::of(proptest::option::of(prop_oneof![
                "[A-Z_]{1,24}",
                any::<String>()
            ])),
            proptest::option::of(json_value()),
            any::<bool>(),
            prop::collection::vec(("_[a-z]{0,6}", json_value()), 0..3),
        )
            .prop_map(
                |(op, seq, event_type, data, pretty_data, unknown)| Generated {
                    op,
                    seq,
                    event_type,
                    data,
                    pretty_data,
                    unknown,
                },
            )
    }

    /// A layout: the order of the members and the whitespace around each token.
    #[derive(Clone, Debug)]
    struct Layout {
        order: Vec<u32>,
        spaces: Vec<&'static str>,
    }

    fn layout() -> impl Strategy<Value = Layout> {
        let space = prop_oneof![Just(""), Just(" "), Just("\n"), Just("\t"), Just("\r\n  ")];
        (
            prop::collection::vec(any::<u32>(), 8),
            prop::collection::vec(space, 1..24),
        )
            .prop_map(|(order, spaces)| Layout { order, spaces })
    }

    impl Generated {
        /// The members as (key, value) JSON text.
        fn members(&self) -> Vec<(String, String)> {
            let json = |value: &Value| serde_json::to_string(value).unwrap_or_default();
            let mut members = vec![("\"op\"".to_owned(), self.op.to_string())];
            if let Some(seq) = self.seq {
                members.push(("\"s\"".to_owned(), json(&seq.into())));
            }
            if let Some(event_type) = &self.event_type {
                members.push(("\"t\"".to_owned(), json(&event_type.clone().into())));
            }
            if let Some(data) = &self.data {
                members.push(("\"d\"".to_owned(), self.data_text(data)));
            }
            for (key, value) in &self.unknown {
                members.push((json(&key.clone().into()), json(value)));
            }
            members
        }

        fn data_text(&self, data: &Value) -> String {
            if self.pretty_data {
                serde_json::to_string_pretty(data).unwrap_or_default()
            } else {
                serde_json::to_string(data).unwrap_or_default()
            }
        }

        fn render(&self, layout: &Layout) -> String {
            let mut members = self.members();
            let mut keys = layout.order.iter().cycle();
            let mut ranks: Vec<(u32, (String, String))> = members
                .drain(..)
                .map(|m| (*keys.next().unwrap_or(&0), m))
                .collect();
            ranks.sort_by_key(|(rank, _)| *rank);
            let mut spaces = layout.spaces.iter().cycle();
            let mut space = || *spaces.next().unwrap_or(&"");
            let mut text = format!("{}{{", space());
            for (i, (_, (key, value))) in ranks.iter().enumerate() {
                if i > 0 {
                    text.push_str(&format!("{},", space()));
                }
                text.push_str(&format!("{}{key}{}:{}{value}", space(), space(), space()));
            }
            text.push_str(&format!("{}}}{}", space(), space()));
            text
        }
    }

    proptest! {
        #[test]
        fn key_order_and_whitespace_do_not_change_the_envelope(
            envelope in generated(),
            first in layout(),
            second in layout(),
        ) {
            let expected_data = envelope
                .data
                .as_ref()
                .filter(|data| !data.is_null())
                .map(|data| envelope.data_text(data));
            let expected_event_type = envelope.event_type.clone().flatten();
            for layout in [&first, &second] {
                let payload = envelope.render(layout);
                let scanned = scan(&payload);
                prop_assert!(scanned.is_ok(), "{:?}: {:?}", payload, scanned);
                let Ok(scanned) = scanned else { unreachable!() };
                prop_assert_eq!(scanned.op, envelope.op);
                prop_assert_eq!(scanned.seq, envelope.seq.flatten());
                prop_assert_eq!(scanned.event_type.as_deref(), expected_event_type.as_deref());
                let data = scanned.data.clone().map(|range| payload.get(range));
                prop_assert_eq!(data, expected_data.as_deref().map(Some));
            }
        }

        #[test]
        fn arbitrary_text_gives_a_result_not_a_panic(text in any::<String>()) {
            let _ = scan(&text);
        }

        #[test]
        fn damaged_envelopes_give_a_result_not_a_panic(
            case in prop::sample::select(cases()),
            cut in any::<prop::sample::Index>(),
            insert in "[{}\\[\\]\":,\\\\a0 ]{1,3}",
        ) {
            let (payload, _) = case;
            let mut at = cut.index(payload.len() + 1);
            while !payload.is_char_boundary(at) {
                at -= 1;
            }
            let damaged = format!("{}{insert}{}", &payload[..at], &payload[at..]);
            if let Ok(envelope) = scan(&damaged) {
                if let Some(range) = envelope.data {
                    prop_assert!(damaged.get(range).is_some());
                }
            }
        }
    }
}
