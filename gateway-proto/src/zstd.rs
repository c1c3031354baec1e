//! zstd-stream transport decompression (protocol.md §9.2).
//!
//! This file owns the per-connection zstd context: decoding each binary websocket message (one
//! gateway message, flushed but never ending the connection's single zstd frame) against the
//! history of every earlier one, the hard cap on a message's decoded size, the cap on the
//! window a frame may ask for, and the memory the context keeps between messages. Like
//! [`crate::inflate`] it knows nothing of JSON, opcodes, sockets or clocks: bytes go in, a
//! message's bytes (or an error) come out, and the caller decides what an error means for the
//! connection.
//!
//! # Why a cap, and why it is checked while decoding
//!
//! zstd expands far more than deflate: a few hundred bytes of repeat matches and RLE blocks
//! describe gigabytes. Checking the size after decoding would let one hostile or broken message
//! make us allocate without bound, so the output buffer never grows beyond `max_message_size`;
//! once it is full, a single-byte probe asks whether the decoder has anything more to say, and
//! if it has, the message is refused with [`ZstdError::TooLarge`] before another byte is
//! stored. The frame header is capped too: a window above 2^[`MAX_WINDOW_LOG`] bytes is refused
//! ([`ZstdError::WindowTooLarge`]) before the decoder allocates for it, since the window is
//! memory the context keeps for the whole connection.
//!
//! # Why one endless frame, and why errors poison the context
//!
//! Discord compresses a connection as a single zstd frame and flushes after each message
//! without ending the frame, so the decoder is done with a message when it has consumed all of
//! its bytes and stopped filling the output, not when a frame ends. Every message may copy from
//! the last 256 KiB of earlier ones; after a refused or corrupt message the decoder's place in
//! the stream is unknown, so the context frees its memory and returns the same error until
//! [`ZstdStream::reset`], which the caller does when it opens a new connection.
//!
//! # Which decoder, and what it costs
//!
//! The decoder is this crate's own (`zstd/decoder.rs`, safe Rust, RFC 8878), chosen by
//! measurement (`examples/zstd_memory.rs`, `benches/zstd.rs`) over the two crates:
//!
//! - libzstd (`zstd` crate, twilight's choice) holds 751,400 bytes per connection after the
//!   first message: a 96 KB context, a 128 KiB input block buffer and a window + 2 × 128 KiB
//!   output buffer. Its safe options cannot cut that for an endless frame: a stable output
//!   buffer must hold the whole frame, the window log cannot go below the frame's 18, and the
//!   block-level API that would decode into our own buffer is `unsafe` and still needs the
//!   window plus two blocks.
//! - `ruzstd` 0.9 hands decoded bytes over only once they leave the window, so with a frame
//!   that never ends every message stays held back until 256 KiB more output follows: it
//!   cannot serve a gateway at all (and holds 912,159 bytes).
//! - This decoder writes each block straight into the message buffer and keeps only the
//!   window and the entropy tables between messages: about 300 KB after traffic, under half
//!   of twilight's.
//!
//! It skips content checksums (TLS guards integrity) and refuses dictionaries (Discord uses
//! none).

mod bits;
mod decoder;
mod tables;

use std::fmt;

use decoder::Decoder;

/// The largest window a frame may ask for, as a power of two: 2^22 bytes = 4 MiB.
///
/// Discord's frames declare 2^18 (window descriptor `0x40`, protocol.md §9.2). 2^22 also
/// admits what zstd's standard levels up to 12 choose when nobody sets a window (2^19 to 2^22),
/// so a proxy left at its defaults still works, while a header asking for libzstd's own limit
/// of 2^27 would make the connection hold over 128 MiB.
pub const MAX_WINDOW_LOG: u32 = 22;

/// Output capacity kept between messages: most gateway messages decode to less than this.
const BASE_CAPACITY: usize = 16 * 1024;

/// An output buffer holding more than this after a message is shrunk back to
/// [`BASE_CAPACITY`], as in [`crate::inflate`]: ordinary traffic reuses its buffer and only the
/// rare large message (GUILD_CREATE, member chunks) costs a reallocation.
const SHRINK_ABOVE: usize = 4 * BASE_CAPACITY;

/// Errors while decoding. Each one poisons the context until [`ZstdStream::reset`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZstdError {
    /// The decoded message would exceed the configured maximum.
    TooLarge {
        /// The configured maximum, in bytes.
        limit: usize,
    },
    /// The compressed bytes are not a valid zstd stream.
    Corrupt,
    /// The frame header asks for a window larger than [`MAX_WINDOW_LOG`] allows.
    WindowTooLarge {
        /// The largest window accepted, in bytes.
        limit: usize,
    },
}

impl fmt::Display for ZstdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "decoded message exceeds {limit} bytes"),
            Self::Corrupt => f.write_str("corrupt zstd stream"),
            Self::WindowTooLarge { limit } => {
                write!(f, "zstd window exceeds {limit} bytes")
            }
        }
    }
}

impl std::error::Error for ZstdError {}

/// One zstd-stream context for one connection.
///
/// Feed every binary websocket message to [`push`](Self::push) in arrival order; each one is a
/// whole gateway message, so it answers `Ok(Some(message))` (or `Ok(None)` for a websocket
/// message that carried no payload bytes). On a new connection (including a resume) call
/// [`reset`](Self::reset) or build a new context.
///
/// ```
/// use gateway_proto::zstd::ZstdStream;
///
/// // What the server does: one context per socket, a flush after each message.
/// use zstd::stream::raw::{CParameter, Encoder, InBuffer, Operation, OutBuffer};
///
/// let mut server = Encoder::new(3).unwrap();
/// server.set_parameter(CParameter::WindowLog(18)).unwrap();
/// let mut wire = Vec::new();
/// for message in [&br#"{"op":10,"d":{"heartbeat_interval":41250}}"#[..], br#"{"op":11,"d":null}"#] {
///     let mut frame = vec![0u8; 256];
///     let mut output = OutBuffer::around(&mut frame[..]);
///     let mut input = InBuffer::around(message);
///     server.run(&mut input, &mut output).unwrap();
///     server.flush(&mut output).unwrap();
///     let len = output.pos();
///     frame.truncate(len);
///     wire.push(frame);
/// }
///
/// let mut stream = ZstdStream::new(1 << 20);
/// assert_eq!(
///     stream.push(&wire[0]),
///     Ok(Some(&br#"{"op":10,"d":{"heartbeat_interval":41250}}"#[..]))
/// );
/// assert_eq!(stream.push(&wire[1]), Ok(Some(&br#"{"op":11,"d":null}"#[..])));
/// ```
pub struct ZstdStream {
    /// The decoder and its window: the history shared by every message. Created by the first
    /// message of a connection and dropped on reset or error, so an idle or failed context
    /// holds none of its memory.
    decoder: Option<Box<Decoder>>,
    /// The decoded message, cleared before the next one.
    output: Vec<u8>,
    max_message_size: usize,
    /// The error that ended this stream, returned again by every push until `reset`.
    poisoned: Option<ZstdError>,
    /// Largest output capacity ever held, so tests can prove the cap bounds allocation.
    #[cfg(test)]
    peak_output_capacity: usize,
}

impl ZstdStream {
    /// A fresh context that refuses messages decoding to more than `max_message_size` bytes.
    pub fn new(max_message_size: usize) -> Self {
        Self {
            decoder: None,
            output: Vec::new(),
            max_message_size,
            poisoned: None,
            #[cfg(test)]
            peak_output_capacity: 0,
        }
    }

    /// Decodes one binary websocket message: `Ok(Some(decoded message))`, or `Ok(None)` when it
    /// held no payload bytes (empty, or only zstd framing).
    ///
    /// The message borrows the context's output buffer until the next call; memory kept for an
    /// unusually large message is released at the start of that call.
    ///
    /// # Errors
    ///
    /// [`ZstdError::TooLarge`] when the message would decode past `max_message_size`,
    /// [`ZstdError::WindowTooLarge`] when the frame asks for more than 2^[`MAX_WINDOW_LOG`]
    /// bytes of window, [`ZstdError::Corrupt`] for anything else that is not a valid zstd
    /// stream. After any of them the context is poisoned: it frees its memory and every later
    /// `push` returns the same error until [`reset`](Self::reset). The caller should close the
    /// connection and reconnect with a reset context.
    pub fn push(&mut self, frame: &[u8]) -> Result<Option<&[u8]>, ZstdError> {
        if let Some(error) = &self.poisoned {
            return Err(error.clone());
        }
        // The previous message no longer borrows the output buffer.
        self.output.clear();
        if self.output.capacity() > SHRINK_ABOVE {
            self.output.shrink_to(BASE_CAPACITY);
        }
        if frame.is_empty() {
            return Ok(None);
        }
        let decoder = self.decoder.get_or_insert_with(|| Box::new(Decoder::new()));
        decoder.shrink();
        let decoded = decoder.decode(frame, &mut self.output, self.max_message_size);
        #[cfg(test)]
        {
            self.peak_output_capacity = self.peak_output_capacity.max(self.output.capacity());
        }
        match decoded {
            Ok(()) if self.output.is_empty() => Ok(None),
            Ok(()) => Ok(Some(&self.output)),
            Err(error) => Err(self.poison(error)),
        }
    }

    /// Forgets all state, as for a new connection: the history, the decoder's memory, and a
    /// poisoning error.
    pub fn reset(&mut self) {
        self.decoder = None;
        self.output = Vec::new();
        self.poisoned = None;
    }

    /// Bytes of heap this context holds now: the window, the entropy tables, the literals
    /// buffer and the output buffer.
    pub fn heap_bytes(&self) -> usize {
        self.decoder.as_ref().map_or(0, |decoder| {
            std::mem::size_of::<Decoder>() + decoder.heap_bytes()
        }) + self.output.capacity()
    }

    /// Records `error` as final and frees the memory: nothing in it can be used again.
    fn poison(&mut self, error: ZstdError) -> ZstdError {
        self.poisoned = Some(error.clone());
        self.decoder = None;
        self.output = Vec::new();
        error
    }
}

impl fmt::Debug for ZstdStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZstdStream")
            .field("max_message_size", &self.max_message_size)
            .field("heap_bytes", &self.heap_bytes())
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "../tests/support/zstd_corpus.rs"]
mod corpus;

#[cfg(test)]
mod tests {
    use super::corpus::{Corpus, ZstdServer};
    use super::*;
    use proptest::prelude::*;

    const MIB: usize = 1024 * 1024;

    /// Bytes that barely compress, from a fixed xorshift generator.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    fn json_message(seq: usize, len: usize) -> Vec<u8> {
        let mut text = format!(r#"{{"op":0,"s":{seq},"t":"MESSAGE_CREATE","d":{{"items":["#);
        let mut i = 0;
        while text.len() < len {
            text.push_str(&format!(
                r#"{{"id":"{}","name":"user{i}"}},"#,
                820627323903672320u64 + i
            ));
            i += 1;
        }
        text.push_str("0]}}");
        text.into_bytes()
    }

    #[test]
    fn messages_share_one_window() {
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(MIB);
        let message = json_message(1, 4000);
        let first = server.message(&message);
        let second = server.message(&message);
        // The second copy is one long match into the first: proof the window carries over.
        assert!(
            second.len() * 10 < first.len(),
            "{} vs {}",
            second.len(),
            first.len()
        );
        // Only the first message opens the frame (magic `28 b5 2f fd`).
        assert_eq!(first[..4], [0x28, 0xb5, 0x2f, 0xfd]);
        assert_ne!(second[..4], [0x28, 0xb5, 0x2f, 0xfd]);
        assert_eq!(stream.push(&first), Ok(Some(&message[..])));
        assert_eq!(stream.push(&second), Ok(Some(&message[..])));
        for seq in 2..6 {
            let message = json_message(seq, 300 * seq);
            assert_eq!(
                stream.push(&server.message(&message)),
                Ok(Some(&message[..]))
            );
        }
    }

    #[test]
    fn a_realistic_connection_decodes_message_by_message() {
        let messages = Corpus::new(11, 2, 300).connection(400);
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(4 * MIB);
        for message in &messages {
            let wire = server.message(message);
            assert_eq!(stream.push(&wire), Ok(Some(&message[..])));
        }
    }

    #[test]
    fn every_compression_level_decodes() {
        // Levels pick different block features: raw and RLE literals, 1 or 4 Huffman streams,
        // treeless literals, predefined, RLE, new and repeated FSE tables, long matches.
        let messages = Corpus::new(5, 1, 200).connection(150);
        for level in [-5, 1, 3, 7, 12, 19] {
            let mut server = ZstdServer::new(level);
            let mut stream = ZstdStream::new(4 * MIB);
            for (i, message) in messages.iter().enumerate() {
                let wire = server.message(message);
                assert_eq!(
                    stream.push(&wire),
                    Ok(Some(&message[..])),
                    "level {level}, message {i}"
                );
            }
        }
    }

    #[test]
    fn a_frame_that_ends_and_a_new_one_decode() {
        // Discord never ends its frame; a server that does (one frame per message) still works.
        let mut stream = ZstdStream::new(MIB);
        for seq in 0..4 {
            let message = json_message(seq, 800 * (seq + 1));
            let wire = ::zstd::bulk::compress(&message, 3).expect("compress");
            assert_eq!(stream.push(&wire), Ok(Some(&message[..])));
        }
        // Two whole frames in one message, with a content checksum on the second.
        let mut wire = ::zstd::bulk::compress(b"{\"a\":", 3).expect("compress");
        let mut compressor = ::zstd::bulk::Compressor::new(3).expect("compressor");
        compressor.include_checksum(true).expect("checksum");
        wire.extend(compressor.compress(b"1}").expect("compress"));
        assert_eq!(stream.push(&wire), Ok(Some(&b"{\"a\":1}"[..])));
    }

    #[test]
    fn large_messages_span_many_blocks() {
        // Over 128 KiB of output needs several zstd blocks, and over 256 KiB outgrows the window.
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(4 * MIB);
        let mut large = json_message(1, 700_000);
        large.extend(noise(300_000, 5));
        for message in [json_message(0, 100), large, json_message(2, 5000)] {
            assert_eq!(
                stream.push(&server.message(&message)),
                Ok(Some(&message[..]))
            );
        }
    }

    #[test]
    fn a_message_cut_at_any_point_is_not_a_message() {
        // One websocket message is one gateway message: a prefix of one either decodes to a
        // prefix of the payload or is refused, and never yields bytes that were not sent.
        let message = json_message(3, 3000);
        let wire = {
            let mut server = ZstdServer::new(3);
            server.message(&json_message(0, 500));
            server.message(&message)
        };
        for cut in [1, 2, 3, wire.len() / 2, wire.len() - 1] {
            let mut server = ZstdServer::new(3);
            let mut stream = ZstdStream::new(MIB);
            let first = json_message(0, 500);
            assert_eq!(stream.push(&server.message(&first)), Ok(Some(&first[..])));
            let wire = server.message(&message);
            match stream.push(&wire[..cut]) {
                Ok(Some(part)) => assert!(message.starts_with(part)),
                Ok(None) | Err(ZstdError::Corrupt) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn messages_with_no_payload_bytes_are_none() {
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(MIB);
        assert_eq!(stream.push(&[]), Ok(None));
        // The frame header alone, then an empty flush.
        let header = server.message(b"");
        assert_eq!(stream.push(&header), Ok(None));
        assert_eq!(stream.push(&server.message(b"{}")), Ok(Some(&b"{}"[..])));
        assert_eq!(stream.push(&[]), Ok(None));
        assert_eq!(stream.push(&server.message(b"[]")), Ok(Some(&b"[]"[..])));
    }

    #[test]
    fn invalid_bytes_are_corrupt() {
        // Not a zstd magic number.
        let mut stream = ZstdStream::new(MIB);
        assert_eq!(stream.push(b"{\"op\":10}"), Err(ZstdError::Corrupt));
        // A valid first message, then a block of the reserved type 3.
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(MIB);
        assert!(stream.push(&server.message(b"{\"op\":10}")).is_ok());
        assert_eq!(stream.push(&[0x07, 0x00, 0x00]), Err(ZstdError::Corrupt));
        // A compressed block whose body is garbage.
        let mut stream = ZstdStream::new(MIB);
        let mut wire = server_first_message(b"hello hello hello hello");
        let last = wire.len() - 1;
        wire[8..last].fill(0xff);
        assert_eq!(stream.push(&wire), Err(ZstdError::Corrupt));
    }

    fn server_first_message(message: &[u8]) -> Vec<u8> {
        ZstdServer::new(3).message(message)
    }

    #[test]
    fn a_window_above_the_limit_is_refused_before_allocating() {
        // Magic, descriptor 0x00 (no content size, not single segment), window descriptor
        // 0x68: exponent 13 + 10 = 2^23 bytes, one step over the limit.
        let mut stream = ZstdStream::new(MIB);
        let header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 13 << 3];
        assert_eq!(
            stream.push(&header),
            Err(ZstdError::WindowTooLarge {
                limit: 1 << MAX_WINDOW_LOG
            })
        );
        assert_eq!(stream.heap_bytes(), 0);
        // Discord's 2^18 and the limit itself are accepted.
        for exponent in [8u8, 12] {
            let mut stream = ZstdStream::new(MIB);
            let header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, exponent << 3];
            assert_eq!(stream.push(&header), Ok(None));
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_without_a_big_allocation() {
        let mut server = ZstdServer::new(3);
        let bomb = server.message(&vec![0u8; 64 * MIB]);
        assert!(bomb.len() < 8 * 1024, "bomb is {} bytes", bomb.len());

        let mut stream = ZstdStream::new(MIB);
        assert_eq!(stream.push(&bomb), Err(ZstdError::TooLarge { limit: MIB }));
        assert!(
            stream.peak_output_capacity <= MIB,
            "{}",
            stream.peak_output_capacity
        );
        assert_eq!(stream.heap_bytes(), 0);
    }

    #[test]
    fn the_cap_admits_a_message_of_exactly_the_cap() {
        for limit in [1, 100, BASE_CAPACITY + 1, 100_000] {
            let mut server = ZstdServer::new(3);
            let mut stream = ZstdStream::new(limit);
            let exact = noise(limit, 3);
            assert_eq!(stream.push(&server.message(&exact)), Ok(Some(&exact[..])));
            assert!(stream.peak_output_capacity <= limit);
            let over = noise(limit + 1, 4);
            assert_eq!(
                stream.push(&server.message(&over)),
                Err(ZstdError::TooLarge { limit })
            );
            assert!(stream.peak_output_capacity <= limit);
        }
    }

    #[test]
    fn the_output_buffer_shrinks_after_a_large_message() {
        let mut server = ZstdServer::new(3);
        let mut stream = ZstdStream::new(4 * MIB);
        let small = json_message(1, 1000);
        assert_eq!(stream.push(&server.message(&small)), Ok(Some(&small[..])));
        let steady = stream.heap_bytes();

        let mut large = json_message(2, MIB);
        large.extend(noise(MIB, 5));
        assert_eq!(stream.push(&server.message(&large)), Ok(Some(&large[..])));
        let after_large = stream.heap_bytes();
        assert!(after_large > steady + 2 * MIB);

        assert_eq!(stream.push(&server.message(&small)), Ok(Some(&small[..])));
        let after_shrink = stream.heap_bytes();
        // What stays is the window, now full (2^18 bytes), the base output buffer and tables.
        assert!(
            after_shrink <= (1 << 18) + BASE_CAPACITY + 24 * 1024,
            "steady {steady}, after 2 MB {after_large}, then {after_shrink}"
        );
    }

    #[test]
    fn a_poisoned_context_keeps_failing_until_reset() {
        let mut stream = ZstdStream::new(MIB);
        assert_eq!(stream.push(b"garbage"), Err(ZstdError::Corrupt));
        // Even a valid fresh stream is refused: the caller must reconnect and reset.
        let hello = server_first_message(b"{\"op\":10}");
        assert_eq!(stream.push(&hello), Err(ZstdError::Corrupt));
        assert_eq!(stream.push(&[]), Err(ZstdError::Corrupt));
        assert_eq!(stream.heap_bytes(), 0);
        stream.reset();
        assert_eq!(stream.push(&hello), Ok(Some(&b"{\"op\":10}"[..])));
    }

    #[test]
    fn reset_starts_a_fresh_frame() {
        let mut stream = ZstdStream::new(MIB);
        let mut first_server = ZstdServer::new(3);
        let message = json_message(1, 2000);
        assert_eq!(
            stream.push(&first_server.message(&message)),
            Ok(Some(&message[..]))
        );

        stream.reset();
        assert_eq!(stream.heap_bytes(), 0);
        let mut second_server = ZstdServer::new(3);
        for seq in 0..3 {
            let message = json_message(seq, 1500);
            assert_eq!(
                stream.push(&second_server.message(&message)),
                Ok(Some(&message[..]))
            );
        }
        // Without the reset, the second server's message would continue the first frame and
        // its frame header would be read as a block.
        let mut unreset = ZstdStream::new(MIB);
        assert!(unreset.push(&server_first_message(b"{}")).is_ok());
        assert!(unreset.push(&server_first_message(b"{}")).is_err());
    }

    #[test]
    fn errors_display_in_lower_case() {
        for error in [
            ZstdError::TooLarge { limit: 5 },
            ZstdError::Corrupt,
            ZstdError::WindowTooLarge { limit: 5 },
        ] {
            let text = error.to_string();
            assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
        }
    }

    fn message_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..3000),
            "[a-d{}\":, ]{0,4000}".prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn damaged_streams_give_errors_not_panics(
            flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..), 1..6),
            which in 0usize..3,
        ) {
            let mut server = ZstdServer::new(3);
            let mut wire: Vec<Vec<u8>> = (0..3)
                .map(|seq| server.message(&json_message(seq, 3000)))
                .collect();
            for (index, mask) in &flips {
                let at = index.index(wire[which].len());
                wire[which][at] ^= mask;
            }
            let mut stream = ZstdStream::new(64 * 1024);
            for frame in &wire {
                if let Ok(Some(message)) = stream.push(frame) {
                    prop_assert!(message.len() <= 64 * 1024);
                }
            }
        }

        #[test]
        fn random_bytes_give_errors_not_panics(
            frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 1..4),
        ) {
            let mut stream = ZstdStream::new(64 * 1024);
            let mut start = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x40];
            start.extend_from_slice(&frames[0]);
            let _ = stream.push(&start);
            for frame in &frames[1..] {
                let _ = stream.push(frame);
            }
        }

        #[test]
        fn random_messages_round_trip(
            messages in prop::collection::vec(message_strategy(), 1..8),
            level in 1i32..8,
        ) {
            let mut server = ZstdServer::new(level);
            let mut stream = ZstdStream::new(MIB);
            for message in &messages {
                let decoded = stream.push(&server.message(message)).map(|m| m.map(<[u8]>::to_vec));
                let expected = if message.is_empty() { None } else { Some(message.clone()) };
                prop_assert_eq!(decoded, Ok(expected));
            }
        }
    }
}
