//! Fuzz bodies for the two inbound decoders: the zlib-stream context and the envelope scan.
//!
//! Both take raw bytes and panic when a property breaks.
//!
//! - [`inflate`]: in its first mode the bytes are arbitrary frames (no panic, nothing inflated
//!   past the cap, an error poisons the context until reset, memory stays bounded); in its
//!   second they are messages that a real server's deflater compresses with a sync flush
//!   each, split at arbitrary points: what comes out must be exactly what went in.
//! - [`envelope`]: `scan` is cross-checked against serde_json's own parse of the same text:
//!   whenever either accepts a well-formed envelope, both must agree on `op`, `s`, `t` and `d`.

use crate::{envelope::scan, inflate::ZlibStream};
use miniz_oxide::{
    deflate::{core::CompressorOxide, stream::deflate, CompressionLevel},
    DataFormat, MZFlush, MZStatus,
};
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Bytes of heap a context may keep besides one message's output (inflate state, the
/// buffers kept between messages).
const INFLATE_BASE_HEAP: usize = 256 * 1024;

/// Fuzz body for [`ZlibStream`]. The first byte picks the mode and the cap; the rest is
/// read as length-prefixed pieces.
pub fn inflate(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let max = 64 << (head >> 4); // 64 B to 2 MiB
    if head & 1 == 0 {
        inflate_frames(max, rest);
    } else {
        inflate_round_trip(max, head >> 1 & 7, rest);
    }
}

/// Splits `data` into pieces, each prefixed by a one-byte length.
fn pieces(mut data: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len).min(rest.len());
        let (piece, rest) = rest.split_at(len);
        pieces.push(piece);
        data = rest;
    }
    pieces
}

/// Arbitrary frames: no panic, the cap holds, errors are sticky until reset.
fn inflate_frames(max: usize, data: &[u8]) {
    let mut stream = ZlibStream::new(max);
    let mut poisoned = None;
    for frame in pieces(data) {
        let result = stream.push(frame).map(|message| message.map(<[u8]>::len));
        if let Some(error) = &poisoned {
            assert_eq!(result.as_ref(), Err(error), "an error poisons the context");
        }
        match result {
            Ok(Some(len)) => assert!(len <= max, "message of {len} bytes over the cap {max}"),
            Ok(None) => {}
            Err(error) => poisoned = Some(error),
        }
        let held = stream.heap_bytes();
        assert!(
            held <= INFLATE_BASE_HEAP + 2 * max,
            "{held} heap bytes, cap {max}"
        );
    }
    stream.reset();
    assert_eq!(stream.push(&[]), Ok(None), "a reset context starts clean");
}

/// Realistic traffic split at arbitrary points: what comes out is what went in.
fn inflate_round_trip(max: usize, level: u8, data: &[u8]) {
    let pieces = pieces(data);
    let Some((cuts, messages)) = pieces.split_first() else {
        return;
    };
    let level = [
        CompressionLevel::NoCompression,
        CompressionLevel::BestSpeed,
        CompressionLevel::DefaultLevel,
        CompressionLevel::BestCompression,
    ][usize::from(level % 4)];
    let mut server = CompressorOxide::with_format_and_level(DataFormat::Zlib, level);
    let mut wire = Vec::new();
    let mut boundaries = Vec::new();
    for message in messages {
        compress(&mut server, message, &mut wire);
        boundaries.push(wire.len());
    }
    // Cut the wire at every message end and at the extra points the input names.
    let mut at: Vec<usize> = cuts
        .iter()
        .scan(0usize, |pos, &step| {
            *pos += usize::from(step) + 1;
            Some(*pos)
        })
        .filter(|&pos| pos < wire.len())
        .chain(boundaries)
        .collect();
    at.sort_unstable();
    at.dedup();

    let mut stream = ZlibStream::new(max);
    let mut inflated = Vec::new();
    let mut start = 0;
    for end in at {
        match stream.push(&wire[start..end]) {
            Ok(Some(message)) => inflated.extend_from_slice(message),
            Ok(None) => {}
            // A message over the cap is refused, as it must be.
            Err(_) if messages.iter().any(|m| m.len() > max) => return,
            Err(error) => panic!("valid stream refused: {error:?}"),
        }
        start = end;
    }
    assert_eq!(inflated, messages.concat(), "round trip");
}

/// Deflates one message with a sync flush, as Discord does per message (protocol.md §9.2).
fn compress(server: &mut CompressorOxide, mut input: &[u8], wire: &mut Vec<u8>) {
    let mut chunk = [0u8; 1024];
    loop {
        let result = deflate(server, input, &mut chunk, MZFlush::Sync);
        input = &input[result.bytes_consumed..];
        wire.extend_from_slice(&chunk[..result.bytes_written]);
        let done = input.is_empty() && result.bytes_written < chunk.len();
        assert!(matches!(result.status, Ok(MZStatus::Ok)), "deflate failed");
        if done {
            return;
        }
    }
}

/// What serde_json makes of an envelope: `Some` when the text is an object whose `op`, `s`,
/// `t` have the envelope's types.
fn envelope_of(value: &Value) -> Option<(u64, Option<u64>, Option<&str>, &Value)> {
    let object: &Map<String, Value> = value.as_object()?;
    let op = object.get("op")?.as_u64()?;
    let seq = match object.get("s") {
        None | Some(Value::Null) => None,
        Some(s) => Some(s.as_u64()?),
    };
    let event_type = match object.get("t") {
        None | Some(Value::Null) => None,
        Some(t) => Some(t.as_str()?),
    };
    Some((op, seq, event_type, object.get("d").unwrap_or(&Value::Null)))
}

/// `text` with every `\uD800`–`\uDFFF` escape replaced by `\u0020`, and whether any was.
/// Escaped backslashes are stepped over, so `\\ud800` (a backslash, then text) stays.
fn without_surrogate_escapes(text: &str) -> (String, bool) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(offset) = text[i..].find('\\') {
        let at = i + offset;
        out.push_str(&text[i..at]);
        let hex = text
            .get(at + 2..at + 6)
            .filter(|_| bytes.get(at + 1) == Some(&b'u'));
        match hex.and_then(|hex| u16::from_str_radix(hex, 16).ok()) {
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\u0020");
                changed = true;
                i = at + 6;
            }
            _ => {
                // The backslash and the character it escapes (if any) pass through.
                let next = text[at + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&text[at..at + 1 + next]);
                i = at + 1 + next;
            }
        }
    }
    out.push_str(&text[i..]);
    (out, changed)
}

/// Whether the top-level object of `text` has `op`, `s`, `t` or `d` more than once.
fn repeats_an_envelope_key(text: &str) -> bool {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let mut json = serde_json::Deserializer::from_str(text);
    let Ok(keys) = json.deserialize_map(Keys) else {
        return false;
    };
    ["op", "s", "t", "d"]
        .iter()
        .any(|name| keys.iter().filter(|key| key == name).count() > 1)
}

/// Fuzz body for [`scan`]: cross-checked against serde_json's parse of the same text.
pub fn envelope(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scanned = scan(text);
    // The JSON grammar allows lone surrogate escapes (`\udd80`); serde_json refuses to
    // decode them into strings, while the scan only skips over `d`. The reference parses a
    // copy with each surrogate escape replaced by a plain one of the same length.
    let (reference, lenient) = without_surrogate_escapes(text);
    let parsed = match serde_json::from_str::<Value>(&reference) {
        Ok(value) => Some(value),
        // The grammar allows any exponent; serde_json refuses numbers beyond f64 when it
        // builds a Value, while the scan skips `d` and unknown keys unparsed (and refuses
        // such an `op` or `s` itself). No reference to compare.
        Err(error) if error.to_string().starts_with("number out of range") => return,
        Err(_) => None,
    };
    let expected = parsed.as_ref().and_then(envelope_of);
    match (&scanned, expected) {
        (Ok(envelope), Some((op, seq, event_type, d))) => {
            assert_eq!(envelope.op, op, "op of {text:?}");
            assert_eq!(envelope.seq, seq, "s of {text:?}");
            assert_eq!(envelope.event_type.as_deref(), event_type, "t of {text:?}");
            let data = envelope.data.clone().and_then(|range| reference.get(range));
            let data: Value = data.map_or(Value::Null, |raw| {
                serde_json::from_str(raw).expect("the span of d is json")
            });
            assert_eq!(&data, d, "d of {text:?}");
        }
        (Ok(envelope), None) => {
            panic!("scan accepted {text:?} as {envelope:?}; serde_json did not")
        }
        // serde_json keeps the last of repeated keys; the scan refuses them (naming the
        // first violation it meets, which may be the first occurrence's type).
        (Err(_), Some(_)) if repeats_an_envelope_key(text) => {}
        // A surrogate escape in `t` (or a key) is refused by the scan's decoding as by
        // serde_json's; the reference without it cannot judge that.
        (Err(_), Some(_)) if lenient => {}
        (Err(error), Some(_)) => panic!("scan refused {text:?} ({error}); serde_json accepted it"),
        (Err(_), None) => {}
    }
}

/// Fuzz body for [`crate::zstd::ZstdStream`] (feature `zstd`). The first byte picks the
/// mode and the cap; the rest is read as pieces with two-byte little-endian lengths.
///
/// Even head: the pieces are websocket messages of arbitrary bytes (the seed corpus holds
/// real libzstd output, so mutations reach the compressed-block paths): no panic, nothing
/// decoded past the cap, an error poisons the context until reset, memory stays bounded.
/// Odd head: the pieces are messages, framed by hand as Discord's endless frame of raw and
/// RLE blocks; each must decode back to exactly its message.
#[cfg(feature = "zstd")]
pub fn zstd(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let max = 64 << (head >> 4); // 64 B to 2 MiB
    let pieces = pieces16(rest);
    if head & 1 == 0 {
        zstd_messages(max, &pieces);
    } else {
        zstd_round_trip(max, &pieces);
    }
}

/// Splits `data` into pieces, each prefixed by a two-byte little-endian length.
#[cfg(feature = "zstd")]
fn pieces16(mut data: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([data[0], data[1]])).min(data.len() - 2);
        pieces.push(&data[2..2 + len]);
        data = &data[2 + len..];
    }
    pieces
}

#[cfg(feature = "zstd")]
fn zstd_messages(max: usize, messages: &[&[u8]]) {
    use crate::zstd::{ZstdStream, MAX_WINDOW_LOG};
    let mut stream = ZstdStream::new(max);
    let mut poisoned = None;
    for message in messages {
        let result = stream.push(message).map(|m| m.map(<[u8]>::len));
        if let Some(error) = &poisoned {
            assert_eq!(result.as_ref(), Err(error), "an error poisons the context");
        }
        match result {
            Ok(Some(len)) => assert!(len <= max, "message of {len} bytes over the cap {max}"),
            Ok(None) => {}
            Err(error) => poisoned = Some(error),
        }
        // The window (at most 2^MAX_WINDOW_LOG), entropy tables, one message's output.
        let bound = (1 << MAX_WINDOW_LOG) + 2 * max + 1024 * 1024;
        let held = stream.heap_bytes();
        assert!(held <= bound, "{held} heap bytes, cap {max}");
    }
    stream.reset();
    assert_eq!(stream.push(&[]), Ok(None), "a reset context starts clean");
}

#[cfg(feature = "zstd")]
fn zstd_round_trip(max: usize, messages: &[&[u8]]) {
    use crate::zstd::ZstdStream;
    let mut stream = ZstdStream::new(max);
    for (index, message) in messages.iter().enumerate() {
        let mut wire = Vec::new();
        if index == 0 {
            // Magic, frame header descriptor 0x00 (no size, no checksum), window 2^18:
            // the header Discord's frames have (protocol.md §9.2).
            wire.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x40]);
        }
        // Runs of one byte become RLE blocks, the rest raw blocks; no block is last.
        let mut rest = *message;
        while let Some(&first) = rest.first() {
            let run = rest.iter().take_while(|&&b| b == first).count();
            let (kind, size) = if run >= 4 {
                (1u32, run)
            } else {
                let raw = rest.windows(4).position(|w| w.iter().all(|&b| b == w[0]));
                (0u32, raw.unwrap_or(rest.len()).max(1))
            };
            let header = (kind << 1) | ((size as u32) << 3);
            wire.extend_from_slice(&header.to_le_bytes()[..3]);
            if kind == 1 {
                wire.push(first);
            } else {
                wire.extend_from_slice(&rest[..size]);
            }
            rest = &rest[size..];
        }
        match stream.push(&wire) {
            Ok(Some(decoded)) => assert_eq!(decoded, *message, "message {index}"),
            Ok(None) => assert!(message.is_empty(), "message {index} decoded to nothing"),
            Err(_) if message.len() > max => return,
            Err(error) => panic!("message {index} refused: {error:?}"),
        }
    }
}
