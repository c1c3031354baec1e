//! zlib-stream transport decompression (protocol.md §9.2).
//!
//! This file owns the per-connection inflate context: buffering binary frames until a message
//! ends with the sync-flush suffix `00 00 ff ff`, inflating it with the stream's shared
//! dictionary, the hard cap on a message's inflated size, and the memory the context keeps
//! between messages. It knows nothing of JSON, opcodes, sockets or clocks: bytes go in, a
//! message's bytes (or an error) come out, and the caller decides what an error means for the
//! connection.
//!
//! # Why a cap, and why it is checked while inflating
//!
//! A few kilobytes of deflate can expand a thousandfold: 50 KB of compressed zeros become 50 MB.
//! Checking the size after inflating would let one hostile or broken frame make us allocate
//! without bound, so the output buffer never grows beyond `max_message_size`; once it is full, a
//! single-byte probe tells whether the inflater has anything more to say, and if it has, the
//! message is refused with [`InflateError::TooLarge`] before another byte is stored. The
//! compressed side is bounded too: a peer that never sends the suffix cannot make the frame
//! buffer grow past [`InflateError::Unterminated`]'s limit.
//!
//! # Why errors poison the context
//!
//! Every message is inflated against the dictionary built by all earlier ones. After a refused or
//! corrupt message the inflater's position in the stream is unknown, so nothing later on this
//! connection can be trusted: the context returns the same error until [`ZlibStream::reset`],
//! which the caller does when it opens a new connection (protocol.md §9.2 asks for a fresh
//! context per connection anyway).
//!
//! # Backends
//!
//! By default the inflater is miniz_oxide (safe Rust). With the crate's `zlib-rs` feature it is
//! zlib-rs through flate2 (the backend twilight-gateway uses): faster at building the Huffman
//! tables that every sync-flushed message starts with, but `unsafe` code inside that
//! dependency (this crate itself stays `forbid(unsafe_code)`). Both backends sit behind the same
//! narrow [`backend::Inflater`] step, so the buffering, the cap, the poisoning and the shrinking
//! below are shared, and the same tests run against either.

use std::fmt;

/// The last four bytes of every complete message: the empty stored block a `Z_SYNC_FLUSH` emits.
const SYNC_FLUSH_SUFFIX: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Capacity kept between messages: most gateway messages inflate to less than this.
const BASE_CAPACITY: usize = 16 * 1024;

/// A buffer holding more than this after a message is shrunk back to [`BASE_CAPACITY`]. Four
/// times the base, so ordinary traffic reuses its buffers and only the rare large message
/// (GUILD_CREATE, member chunks) costs a reallocation.
const SHRINK_ABOVE: usize = 4 * BASE_CAPACITY;

/// Errors while inflating. Each one poisons the context until [`ZlibStream::reset`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InflateError {
    /// The inflated message would exceed the configured maximum.
    TooLarge {
        /// The configured maximum, in bytes.
        limit: usize,
    },
    /// The compressed bytes are not a valid zlib stream.
    Corrupt,
    /// Compressed bytes kept arriving without the `00 00 ff ff` suffix that ends a message.
    Unterminated {
        /// How many compressed bytes one message may take, in bytes (derived from the maximum
        /// message size).
        limit: usize,
    },
}

impl fmt::Display for InflateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "inflated message exceeds {limit} bytes"),
            Self::Corrupt => f.write_str("corrupt zlib stream"),
            Self::Unterminated { limit } => {
                write!(f, "no end of message within {limit} compressed bytes")
            }
        }
    }
}

impl std::error::Error for InflateError {}

/// One zlib-stream context for one connection.
///
/// Feed every binary websocket frame to [`push`](Self::push) in arrival order; it answers
/// `Ok(None)` while a message is incomplete and `Ok(Some(message))` once a frame completes one.
/// On a new connection (including a resume) call [`reset`](Self::reset) or build a new context.
///
/// ```
/// use gateway_proto::inflate::ZlibStream;
/// use miniz_oxide::deflate::{core::CompressorOxide, stream::deflate, CompressionLevel};
/// use miniz_oxide::{DataFormat, MZFlush};
///
/// // What the server does: one compressor per socket, a sync flush after each message.
/// let mut server = CompressorOxide::with_format_and_level(DataFormat::Zlib, CompressionLevel::DefaultLevel);
/// let mut wire = [0u8; 256];
/// let sent = deflate(&mut server, br#"{"op":11,"d":null}"#, &mut wire, MZFlush::Sync);
/// let frame = &wire[..sent.bytes_written];
///
/// let mut stream = ZlibStream::new(1 << 20);
/// let (head, tail) = frame.split_at(frame.len() - 2); // the suffix may straddle frames
/// assert_eq!(stream.push(head), Ok(None));
/// assert_eq!(stream.push(tail), Ok(Some(&br#"{"op":11,"d":null}"#[..])));
/// ```
pub struct ZlibStream {
    /// The inflater and its 32 KiB window: the dictionary shared by every message.
    inflater: backend::Inflater,
    /// Compressed bytes of the message being assembled, when it spans several frames.
    pending: Vec<u8>,
    /// Inflated bytes. Its length is the zero-initialised area reused across messages, not the
    /// length of the last message, so growing is the only time it is written with zeros.
    output: Vec<u8>,
    max_message_size: usize,
    /// The error that ended this stream, returned again by every push until `reset`.
    poisoned: Option<InflateError>,
    /// Largest output capacity ever held, so tests can prove the cap bounds allocation.
    #[cfg(test)]
    peak_output_capacity: usize,
}

impl ZlibStream {
    /// A fresh context that refuses messages inflating to more than `max_message_size` bytes.
    pub fn new(max_message_size: usize) -> Self {
        Self {
            inflater: backend::Inflater::new(),
            pending: Vec::new(),
            output: Vec::new(),
            max_message_size,
            poisoned: None,
            #[cfg(test)]
            peak_output_capacity: 0,
        }
    }

    /// Feeds one binary websocket frame: `Ok(None)` until a message is complete
    /// (ends with `00 00 ff ff`), then `Ok(Some(inflated message))`.
    ///
    /// The message borrows the context's output buffer until the next call; memory kept for an
    /// unusually large message is released at the start of that call. A frame completing a
    /// message that arrived whole is inflated in place, without copying it into the buffer.
    ///
    /// # Errors
    ///
    /// [`InflateError::TooLarge`] when the message would inflate past `max_message_size`,
    /// [`InflateError::Unterminated`] when its compressed bytes outgrow a bound derived from
    /// that size, [`InflateError::Corrupt`] for anything that is not a valid zlib stream. After
    /// any of them the context is poisoned: it frees its buffers and every later `push` returns
    /// the same error until [`reset`](Self::reset). The caller should close the connection and
    /// reconnect with a reset context.
    pub fn push(&mut self, frame: &[u8]) -> Result<Option<&[u8]>, InflateError> {
        if let Some(error) = &self.poisoned {
            return Err(error.clone());
        }
        // The previous message no longer borrows the output buffer.
        shrink_after_large_message(&mut self.output);

        let inflated = if self.pending.is_empty() && frame.ends_with(&SYNC_FLUSH_SUFFIX) {
            // Fast path: the whole message is in this frame, so inflate it where it lies.
            inflate_message(
                &mut self.inflater,
                frame,
                &mut self.output,
                self.max_message_size,
            )
        } else {
            let limit = compressed_limit(self.max_message_size);
            if self.pending.len().saturating_add(frame.len()) > limit {
                return Err(self.poison(InflateError::Unterminated { limit }));
            }
            self.pending.extend_from_slice(frame);
            // Checking the buffer's tail, not the frame's, finds a suffix split across frames.
            if !self.pending.ends_with(&SYNC_FLUSH_SUFFIX) {
                return Ok(None);
            }
            let inflated = inflate_message(
                &mut self.inflater,
                &self.pending,
                &mut self.output,
                self.max_message_size,
            );
            self.pending.clear();
            shrink_after_large_message(&mut self.pending);
            inflated
        };

        #[cfg(test)]
        {
            self.peak_output_capacity = self.peak_output_capacity.max(self.output.capacity());
        }
        match inflated {
            Ok(len) => Ok(Some(&self.output[..len])),
            Err(error) => Err(self.poison(error)),
        }
    }

    /// Forgets all state, as for a new connection: the dictionary, any partial message, and a
    /// poisoning error.
    pub fn reset(&mut self) {
        self.inflater.reset();
        self.pending = Vec::new();
        self.output = Vec::new();
        self.poisoned = None;
    }

    /// Bytes of heap this context holds now (buffers and inflate state).
    pub fn heap_bytes(&self) -> usize {
        backend::Inflater::HEAP_BYTES + self.pending.capacity() + self.output.capacity()
    }

    /// Records `error` as final and frees the buffers: nothing in them can be used again.
    fn poison(&mut self, error: InflateError) -> InflateError {
        self.poisoned = Some(error.clone());
        self.pending = Vec::new();
        self.output = Vec::new();
        error
    }
}

impl fmt::Debug for ZlibStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZlibStream")
            .field("max_message_size", &self.max_message_size)
            .field("pending_bytes", &self.pending.len())
            .field("heap_bytes", &self.heap_bytes())
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

/// How many compressed bytes one message may occupy. Deflate expands incompressible input by at
/// most an eighth (fixed-Huffman literals take 9 bits; stored blocks cost 5 bytes per 64 KiB),
/// plus the zlib header and the flush marker, so no message within the cap needs more.
fn compressed_limit(max_message_size: usize) -> usize {
    max_message_size
        .saturating_add(max_message_size / 8)
        .saturating_add(1024)
}

/// Gives a buffer's memory back after an unusually large message, keeping the base capacity.
fn shrink_after_large_message(buffer: &mut Vec<u8>) {
    if buffer.capacity() > SHRINK_ABOVE {
        buffer.truncate(BASE_CAPACITY);
        buffer.shrink_to(BASE_CAPACITY);
    }
}

/// Inflates one complete message (`input` ends with the sync-flush suffix) into `output`,
/// growing it up to `max` bytes, and returns the message length.
fn inflate_message(
    inflater: &mut backend::Inflater,
    input: &[u8],
    output: &mut Vec<u8>,
    max: usize,
) -> Result<usize, InflateError> {
    let mut consumed = 0;
    let mut filled = 0;
    loop {
        if filled == output.len() && output.len() < max {
            let new_len = output.len().saturating_mul(2).max(BASE_CAPACITY).min(max);
            // `reserve_exact`: plain `resize` may round the capacity up past the cap.
            output.reserve_exact(new_len - output.len());
            output.resize(new_len, 0);
        }
        // Once the output holds `max` bytes, a one-byte probe asks whether more would follow.
        let mut probe = [0u8; 1];
        let at_cap = filled == output.len();
        let space: &mut [u8] = if at_cap {
            &mut probe
        } else {
            &mut output[filled..]
        };

        let step = inflater.step(&input[consumed..], space);
        consumed += step.consumed;
        if at_cap && step.written > 0 {
            return Err(InflateError::TooLarge { limit: max });
        }
        filled += step.written;

        match step.status {
            backend::Status::Progress if step.consumed > 0 || step.written > 0 => {}
            // A call that neither reads nor writes would repeat forever.
            backend::Status::Progress => return Err(InflateError::Corrupt),
            // The server finished the zlib stream (Discord never does); bytes after its end
            // are not part of it.
            backend::Status::StreamEnd if consumed == input.len() => return Ok(filled),
            // With all input consumed, "no progress possible" means the inflater has emitted
            // everything it can and waits for the next message: this one is complete.
            backend::Status::Stalled if consumed == input.len() => return Ok(filled),
            backend::Status::StreamEnd | backend::Status::Stalled | backend::Status::Corrupt => {
                return Err(InflateError::Corrupt)
            }
        }
    }
}

/// The inflater proper, one implementation per backend, reduced to the one step
/// [`inflate_message`] needs.
mod backend {
    /// What one inflate call did.
    pub(super) struct Step {
        pub(super) consumed: usize,
        pub(super) written: usize,
        pub(super) status: Status,
    }

    pub(super) enum Status {
        /// The call went as far as the input or the output allowed.
        Progress,
        /// The zlib stream ended (a final block).
        StreamEnd,
        /// No progress was possible (miniz `MZError::Buf`, zlib `Z_BUF_ERROR`).
        Stalled,
        /// Not a valid zlib stream.
        Corrupt,
    }

    #[cfg(not(feature = "zlib-rs"))]
    pub(super) use self::miniz::Inflater;
    #[cfg(feature = "zlib-rs")]
    pub(super) use self::zlib_rs::Inflater;

    #[cfg(not(feature = "zlib-rs"))]
    mod miniz {
        use super::{Status, Step};
        use miniz_oxide::inflate::stream::{inflate, InflateState};
        use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

        /// The zlib format without the Adler-32 checksum: a zlib-stream never ends, so the
        /// checksum that would follow its last block never arrives, and keeping it up to date
        /// cost about a tenth of the inflate time on gateway traffic.
        const INFLATE_FORMAT: DataFormat = DataFormat::ZLibIgnoreChecksum;

        pub(in super::super) struct Inflater(Box<InflateState>);

        impl Inflater {
            /// The inflate state, window included, is one boxed struct.
            pub(in super::super) const HEAP_BYTES: usize = std::mem::size_of::<InflateState>();

            pub(in super::super) fn new() -> Self {
                Self(InflateState::new_boxed(INFLATE_FORMAT))
            }

            pub(in super::super) fn reset(&mut self) {
                self.0.reset(INFLATE_FORMAT);
            }

            pub(in super::super) fn step(&mut self, input: &[u8], output: &mut [u8]) -> Step {
                let result = inflate(&mut self.0, input, output, MZFlush::None);
                Step {
                    consumed: result.bytes_consumed,
                    written: result.bytes_written,
                    status: match result.status {
                        Ok(MZStatus::Ok) => Status::Progress,
                        Ok(MZStatus::StreamEnd) => Status::StreamEnd,
                        Err(MZError::Buf) => Status::Stalled,
                        Ok(_) | Err(_) => Status::Corrupt,
                    },
                }
            }
        }
    }

    #[cfg(feature = "zlib-rs")]
    mod zlib_rs {
        use super::{Status, Step};
        use flate2::{Decompress, FlushDecompress};

        /// zlib-rs's inflate state (about 10 KiB of tables and bookkeeping) plus the 32 KiB
        /// window it allocates on first use. An estimate: flate2 does not report it.
        const STATE_ESTIMATE: usize = 10 * 1024 + 32 * 1024;

        /// zlib-rs through flate2, fed raw deflate: this type checks the two-byte zlib header
        /// itself, so the inflater never computes the Adler-32 of a stream whose checksum never
        /// arrives (flate2 offers no way to skip it on a zlib-wrapped stream).
        pub(in super::super) struct Inflater {
            raw: Decompress,
            header_seen: bool,
        }

        impl Inflater {
            pub(in super::super) const HEAP_BYTES: usize = STATE_ESTIMATE;

            pub(in super::super) fn new() -> Self {
                Self {
                    raw: Decompress::new(false),
                    header_seen: false,
                }
            }

            pub(in super::super) fn reset(&mut self) {
                self.raw.reset(false);
                self.header_seen = false;
            }

            pub(in super::super) fn step(&mut self, input: &[u8], output: &mut [u8]) -> Step {
                let mut skipped = 0;
                if !self.header_seen {
                    // Every message ends with the 4-byte suffix, so the first one holds the
                    // whole header; a shorter input is not a zlib stream.
                    match input {
                        [cmf, flg, ..] if valid_header(*cmf, *flg) => {
                            self.header_seen = true;
                            skipped = 2;
                        }
                        _ => {
                            return Step {
                                consumed: 0,
                                written: 0,
                                status: Status::Corrupt,
                            }
                        }
                    }
                }
                let (in_before, out_before) = (self.raw.total_in(), self.raw.total_out());
                let result = self
                    .raw
                    .decompress(&input[skipped..], output, FlushDecompress::None);
                // Both deltas are bounded by the slices just passed in.
                let consumed =
                    skipped + usize::try_from(self.raw.total_in() - in_before).unwrap_or(0);
                let written = usize::try_from(self.raw.total_out() - out_before).unwrap_or(0);
                Step {
                    consumed,
                    written,
                    status: match result {
                        Ok(flate2::Status::Ok) => Status::Progress,
                        Ok(flate2::Status::StreamEnd) => Status::StreamEnd,
                        Ok(flate2::Status::BufError) => Status::Stalled,
                        Err(_) => Status::Corrupt,
                    },
                }
            }
        }

        /// RFC 1950 §2.2: method 8 (deflate) with a window of at most 32 KiB, the check bits
        /// right, and no preset dictionary (Discord never uses one).
        fn valid_header(cmf: u8, flg: u8) -> bool {
            cmf & 0x0f == 8
                && cmf >> 4 <= 7
                && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
                && flg & 0x20 == 0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::core::CompressorOxide;
    use miniz_oxide::deflate::stream::deflate;
    use miniz_oxide::deflate::CompressionLevel;
    use miniz_oxide::{DataFormat, MZError, MZFlush};
    use proptest::prelude::*;

    const MIB: usize = 1024 * 1024;

    /// The server side of one connection: one compressor shared by all messages, each message
    /// ended with a sync flush (protocol.md §9.2).
    struct Server {
        deflater: Box<CompressorOxide>,
    }

    impl Server {
        fn new() -> Self {
            Self {
                deflater: Box::new(CompressorOxide::with_format_and_level(
                    DataFormat::Zlib,
                    CompressionLevel::DefaultLevel,
                )),
            }
        }

        /// Compresses `input` without flushing: the bytes belong to a message not yet ended.
        fn feed(&mut self, input: &[u8]) -> Vec<u8> {
            self.run(input, MZFlush::None)
        }

        /// Compresses a whole message: the output ends with `00 00 ff ff`.
        fn message(&mut self, message: &[u8]) -> Vec<u8> {
            let wire = self.run(message, MZFlush::Sync);
            assert!(wire.ends_with(&SYNC_FLUSH_SUFFIX));
            wire
        }

        fn run(&mut self, mut input: &[u8], flush: MZFlush) -> Vec<u8> {
            let mut wire = Vec::new();
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                let step = deflate(&mut self.deflater, input, &mut chunk, flush);
                match step.status {
                    Ok(_) => {}
                    // No progress possible: everything was consumed and nothing is pending.
                    Err(MZError::Buf) if input.is_empty() => break,
                    Err(e) => panic!("deflate failed: {e:?}"),
                }
                input = &input[step.bytes_consumed..];
                wire.extend_from_slice(&chunk[..step.bytes_written]);
                if input.is_empty() && step.bytes_written < chunk.len() {
                    break;
                }
            }
            wire
        }
    }

    /// A JSON-looking message of about `len` bytes whose text repeats, as gateway traffic does.
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

    /// Pushes every frame; all but the last must leave the message incomplete.
    fn push_frames(stream: &mut ZlibStream, frames: &[&[u8]]) -> Result<Vec<u8>, InflateError> {
        let (last, init) = frames.split_last().expect("at least one frame");
        for frame in init {
            assert_eq!(stream.push(frame)?, None, "message ended early");
        }
        Ok(stream.push(last)?.expect("message not complete").to_vec())
    }

    #[test]
    fn messages_share_one_dictionary() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        let message = json_message(1, 4000);
        let first = server.message(&message);
        let second = server.message(&message);
        // The second copy is mostly back-references into the first: proof the dictionary
        // carries over, so inflating it needs the first message's history.
        assert!(
            second.len() * 4 < first.len(),
            "{} vs {}",
            second.len(),
            first.len()
        );
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
    fn a_message_fed_one_byte_at_a_time_completes_on_its_last_byte() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        for seq in 0..3 {
            let message = json_message(seq, 2000);
            let wire = server.message(&message);
            let frames: Vec<&[u8]> = wire.chunks(1).collect();
            assert_eq!(push_frames(&mut stream, &frames), Ok(message));
        }
    }

    #[test]
    fn a_suffix_straddling_two_frames_is_found() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        for split in 1..SYNC_FLUSH_SUFFIX.len() {
            let message = json_message(split, 500);
            let wire = server.message(&message);
            let (head, tail) = wire.split_at(wire.len() - split);
            assert_eq!(push_frames(&mut stream, &[head, tail]), Ok(message));
        }
    }

    #[test]
    fn a_message_spans_many_frames() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        let message = noise(100_000, 7);
        let wire = server.message(&message);
        let frames: Vec<&[u8]> = wire.chunks(4096).collect();
        assert!(frames.len() > 20);
        assert_eq!(push_frames(&mut stream, &frames), Ok(message));
        // A message the server compressed in two calls, flushing only after the second.
        let mut first = server.feed(b"{\"op\":11,");
        first.extend(server.message(b"\"d\":null}"));
        assert_eq!(
            stream.push(&first),
            Ok(Some(&b"{\"op\":11,\"d\":null}"[..]))
        );
    }

    #[test]
    fn empty_frames_change_nothing() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        assert_eq!(stream.push(&[]), Ok(None));
        let wire = server.message(b"{}");
        let (head, tail) = wire.split_at(3);
        assert_eq!(stream.push(head), Ok(None));
        assert_eq!(stream.push(&[]), Ok(None));
        assert_eq!(stream.push(tail), Ok(Some(&b"{}"[..])));
        assert_eq!(stream.push(&server.message(b"")), Ok(Some(&b""[..])));
    }

    #[test]
    fn invalid_bytes_are_corrupt() {
        // Not a zlib header (the check bits are wrong).
        let mut stream = ZlibStream::new(MIB);
        assert_eq!(
            stream.push(&[0x78, 0x00, 0x00, 0x00, 0xff, 0xff]),
            Err(InflateError::Corrupt)
        );
        // A valid first message, then a block of the reserved type 3.
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        assert!(stream.push(&server.message(b"{\"op\":10}")).is_ok());
        assert_eq!(
            stream.push(&[0xff, 0xff, 0x00, 0x00, 0xff, 0xff]),
            Err(InflateError::Corrupt)
        );
        // A stored block whose length's complement check fails.
        let mut stream = ZlibStream::new(MIB);
        let stored = [
            0x78, 0x9c, 0x00, 0x05, 0x00, 0x00, 0x00, b'h', b'e', b'l', b'l', b'o',
        ];
        let mut frame = stored.to_vec();
        frame.extend_from_slice(&SYNC_FLUSH_SUFFIX);
        assert_eq!(stream.push(&frame), Err(InflateError::Corrupt));
    }

    #[test]
    fn a_decompression_bomb_is_refused_without_a_big_allocation() {
        let mut server = Server::new();
        let zeros = vec![0u8; MIB];
        let mut wire = Vec::new();
        for _ in 0..50 {
            wire.extend(server.feed(&zeros));
        }
        wire.extend(server.message(b""));
        assert!(wire.len() < 100 * 1024, "bomb is {} bytes", wire.len());

        let mut stream = ZlibStream::new(MIB);
        assert_eq!(
            stream.push(&wire),
            Err(InflateError::TooLarge { limit: MIB })
        );
        assert!(
            stream.peak_output_capacity <= MIB,
            "{}",
            stream.peak_output_capacity
        );
        assert!(stream.heap_bytes() < 64 * 1024, "{}", stream.heap_bytes());
    }

    #[test]
    fn the_cap_admits_a_message_of_exactly_the_cap() {
        for limit in [0, 1, 100, BASE_CAPACITY + 1, 100_000] {
            let mut server = Server::new();
            let mut stream = ZlibStream::new(limit);
            let exact = noise(limit, 3);
            assert_eq!(stream.push(&server.message(&exact)), Ok(Some(&exact[..])));
            assert!(stream.peak_output_capacity <= limit);
            let over = noise(limit + 1, 4);
            assert_eq!(
                stream.push(&server.message(&over)),
                Err(InflateError::TooLarge { limit })
            );
            assert!(stream.peak_output_capacity <= limit);
        }
    }

    #[test]
    fn an_unterminated_message_cannot_grow_the_buffer_without_bound() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(64 * 1024);
        let limit = compressed_limit(64 * 1024);
        let wire = server.message(&noise(200_000, 9));
        // The suffix never arrives: the last four bytes are withheld.
        let body = &wire[..wire.len() - SYNC_FLUSH_SUFFIX.len()];
        let mut result = Ok(None);
        for frame in body.chunks(1000) {
            result = stream.push(frame).map(|m| m.map(<[u8]>::to_vec));
            if result.is_err() {
                break;
            }
            assert!(stream.pending.len() <= limit);
        }
        assert_eq!(result, Err(InflateError::Unterminated { limit }));
        assert!(stream.heap_bytes() < 64 * 1024, "{}", stream.heap_bytes());
    }

    #[test]
    fn buffers_shrink_after_a_large_message() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(4 * MIB);
        let fresh = stream.heap_bytes();
        let small = json_message(1, 1000);
        assert_eq!(stream.push(&server.message(&small)), Ok(Some(&small[..])));
        let steady = stream.heap_bytes();

        // 2 MB of half-compressible data, over several frames so the frame buffer grows too.
        let mut large = json_message(2, MIB);
        large.extend(noise(MIB, 5));
        let wire = server.message(&large);
        let frames: Vec<&[u8]> = wire.chunks(64 * 1024).collect();
        assert_eq!(push_frames(&mut stream, &frames), Ok(large));
        let after_large = stream.heap_bytes();
        assert!(after_large > 2 * MIB);

        assert_eq!(stream.push(&server.message(&small)), Ok(Some(&small[..])));
        let after_shrink = stream.heap_bytes();
        assert!(
            after_shrink <= fresh + 2 * BASE_CAPACITY,
            "fresh {fresh}, steady {steady}, after 2 MB {after_large}, then {after_shrink}"
        );
        // The frame buffer, unused while messages came in one frame, now keeps its base.
        assert!(after_shrink <= steady + BASE_CAPACITY);
    }

    #[test]
    fn a_poisoned_context_keeps_failing_until_reset() {
        let mut server = Server::new();
        let mut stream = ZlibStream::new(MIB);
        assert_eq!(
            stream.push(b"garbage\x00\x00\xff\xff"),
            Err(InflateError::Corrupt)
        );
        // Even a valid fresh stream is refused: the caller must reconnect and reset.
        let hello = server.message(b"{\"op\":10}");
        assert_eq!(stream.push(&hello), Err(InflateError::Corrupt));
        assert_eq!(stream.push(&[]), Err(InflateError::Corrupt));
        stream.reset();
        assert_eq!(stream.push(&hello), Ok(Some(&b"{\"op\":10}"[..])));
    }

    #[test]
    fn reset_starts_a_fresh_stream() {
        let mut stream = ZlibStream::new(MIB);
        let mut first_server = Server::new();
        let message = json_message(1, 2000);
        assert_eq!(
            stream.push(&first_server.message(&message)),
            Ok(Some(&message[..]))
        );
        // Half a message is pending when the connection drops.
        let wire = first_server.message(&message);
        assert_eq!(stream.push(&wire[..wire.len() / 2]), Ok(None));

        stream.reset();
        let mut second_server = Server::new();
        for seq in 0..3 {
            let message = json_message(seq, 1500);
            assert_eq!(
                stream.push(&second_server.message(&message)),
                Ok(Some(&message[..]))
            );
        }
        // Without the reset, the second server's zlib header would have been corrupt data.
        let mut unreset = ZlibStream::new(MIB);
        assert!(unreset.push(&Server::new().message(b"{}")).is_ok());
        assert_eq!(
            unreset.push(&Server::new().message(b"{}")),
            Err(InflateError::Corrupt)
        );
    }

    #[test]
    fn errors_display_in_lower_case() {
        for error in [
            InflateError::TooLarge { limit: 5 },
            InflateError::Corrupt,
            InflateError::Unterminated { limit: 5 },
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
        // Each case compresses several messages in an unoptimised build; 64 keep the run short.
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn damaged_streams_give_errors_not_panics(
            flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..), 1..6),
            frame_size in 1usize..500,
        ) {
            let mut server = Server::new();
            let mut wire = server.message(&json_message(0, 3000));
            wire.extend(server.message(&json_message(1, 3000)));
            for (index, mask) in &flips {
                let at = index.index(wire.len());
                wire[at] ^= mask;
            }
            let mut stream = ZlibStream::new(64 * 1024);
            for frame in wire.chunks(frame_size) {
                if let Ok(Some(message)) = stream.push(frame) {
                    prop_assert!(message.len() <= 64 * 1024);
                }
            }
        }

        #[test]
        fn random_messages_and_frame_splits_round_trip(
            messages in prop::collection::vec(message_strategy(), 1..8),
            frame_sizes in prop::collection::vec(1usize..700, 1..16),
        ) {
            let mut server = Server::new();
            let mut stream = ZlibStream::new(MIB);
            let mut sizes = frame_sizes.iter().cycle();
            for message in &messages {
                let wire = server.message(message);
                let mut frames = Vec::new();
                let mut rest = &wire[..];
                while !rest.is_empty() {
                    let (frame, tail) = rest.split_at((*sizes.next().unwrap_or(&1)).min(rest.len()));
                    frames.push(frame);
                    rest = tail;
                }
                prop_assert_eq!(push_frames(&mut stream, &frames), Ok(message.clone()));
            }
        }
    }
}
