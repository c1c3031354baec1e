//! A zstd decoder (RFC 8878) shaped for one endless frame per connection: it decodes whole
//! blocks straight into the caller's message buffer and keeps, between messages, only the
//! window (the last 2^18 bytes for Discord) and the entropy tables. That window is the floor
//! for any correct decoder; libzstd adds a 128 KiB input block buffer and a
//! window + 2 × 128 KiB output buffer on top of its 96 KB context, which is why this file exists
//! (see the measurements in `super`).
//!
//! It owns frame and block parsing, literals, sequences, repeat offsets and the window ring.
//! It does not own the message cap's policy (the caller passes `max`) nor poisoning (the
//! caller drops the decoder after an error). Every malformed input is an error, never a panic;
//! no allocation exceeds `max` for output, the window for history, or 128 KiB for literals.
//! Dictionaries are not supported (Discord uses none); content checksums are skipped, not
//! verified (transport integrity is TLS's job).

use super::bits::BackwardBits;
use super::tables::{FseTable, HuffmanTable};
use super::{ZstdError, MAX_WINDOW_LOG};

/// The largest block, decoded or not (RFC 8878 §3.1.1.2.3).
const MAX_BLOCK: usize = 128 * 1024;

const MAGIC: u32 = 0xfd2f_b528;

/// Skippable frames have magic numbers `0x184d2a50..=0x184d2a5f`.
const SKIPPABLE_MAGIC: u32 = 0x184d_2a50;

/// Literal length codes: (baseline, extra bits) (RFC 8878 §3.1.1.3.2.1.1).
#[rustfmt::skip]
const LITERAL_LENGTHS: [(u32, u8); 36] = [
    (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0),
    (11, 0), (12, 0), (13, 0), (14, 0), (15, 0), (16, 1), (18, 1), (20, 1), (22, 1), (24, 2),
    (28, 2), (32, 3), (40, 3), (48, 4), (64, 6), (128, 7), (256, 8), (512, 9), (1024, 10),
    (2048, 11), (4096, 12), (8192, 13), (16384, 14), (32768, 15), (65536, 16),
];

/// Match length codes: (baseline, extra bits).
#[rustfmt::skip]
const MATCH_LENGTHS: [(u32, u8); 53] = [
    (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (13, 0),
    (14, 0), (15, 0), (16, 0), (17, 0), (18, 0), (19, 0), (20, 0), (21, 0), (22, 0), (23, 0),
    (24, 0), (25, 0), (26, 0), (27, 0), (28, 0), (29, 0), (30, 0), (31, 0), (32, 0), (33, 0),
    (34, 0), (35, 1), (37, 1), (39, 1), (41, 1), (43, 2), (47, 2), (51, 3), (59, 3), (67, 4),
    (83, 4), (99, 5), (131, 7), (259, 8), (515, 9), (1027, 10), (2051, 11), (4099, 12), (8195, 13),
    (16387, 14), (32771, 15), (65539, 16),
];

/// Predefined distributions (RFC 8878 §3.1.1.3.2.2): literal lengths, accuracy 6.
#[rustfmt::skip]
const DEFAULT_LITERAL_LENGTHS: [i16; 36] = [
    4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
    -1, -1, -1, -1,
];

/// Match lengths, accuracy 6.
#[rustfmt::skip]
const DEFAULT_MATCH_LENGTHS: [i16; 53] = [
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
];

/// Offset codes, accuracy 5.
#[rustfmt::skip]
const DEFAULT_OFFSETS: [i16; 29] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
];

/// The literals buffer keeps at most this much capacity between messages.
const LITERALS_KEPT: usize = 16 * 1024;

/// One connection's decoding state.
pub(super) struct Decoder {
    /// Inside a frame (its header read, its last block not yet).
    in_frame: bool,
    window_size: usize,
    checksum: bool,
    /// The last `window_size` decoded bytes of the frame, as a ring once full: the logical
    /// order is `history[head..]` then `history[..head]`.
    history: Vec<u8>,
    head: usize,
    repeat_offsets: [usize; 3],
    huffman: HuffmanTable,
    literal_lengths: FseTable,
    offsets: FseTable,
    match_lengths: FseTable,
    literals: Vec<u8>,
}

/// Where decoded bytes go: the message buffer, capped at `max`.
struct Sink<'a> {
    out: &'a mut Vec<u8>,
    max: usize,
    /// Where the current frame's bytes start in `out` (a new frame may begin mid-message).
    frame_start: usize,
    /// Where the current block's bytes start in `out`.
    block_start: usize,
    block_max: usize,
}

impl Sink<'_> {
    /// Makes room for `n` more bytes, refusing to pass the block size or the cap.
    fn reserve(&mut self, n: usize) -> Result<(), ZstdError> {
        let len = self.out.len();
        if len - self.block_start + n > self.block_max {
            return Err(ZstdError::Corrupt);
        }
        if len + n > self.max {
            return Err(ZstdError::TooLarge { limit: self.max });
        }
        if len + n > self.out.capacity() {
            let target = (len + n).max(self.out.capacity() * 2).min(self.max);
            // `reserve_exact`: the capacity never passes the cap.
            self.out.reserve_exact(target - len);
        }
        Ok(())
    }
}

impl Decoder {
    pub(super) fn new() -> Self {
        Self {
            in_frame: false,
            window_size: 0,
            checksum: false,
            history: Vec::new(),
            head: 0,
            repeat_offsets: [1, 4, 8],
            huffman: HuffmanTable::new(),
            literal_lengths: FseTable::new(),
            offsets: FseTable::new(),
            match_lengths: FseTable::new(),
            literals: Vec::new(),
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.history.capacity()
            + self.literals.capacity()
            + self.huffman.heap_bytes()
            + self.literal_lengths.heap_bytes()
            + self.offsets.heap_bytes()
            + self.match_lengths.heap_bytes()
    }

    /// Gives back the literal buffer's memory after a large block.
    pub(super) fn shrink(&mut self) {
        if self.literals.capacity() > LITERALS_KEPT {
            self.literals = Vec::new();
        }
    }

    /// Decodes every byte of `input` (whole frame headers and blocks) onto `out`.
    pub(super) fn decode(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(), ZstdError> {
        let mut sink = Sink {
            out,
            max,
            frame_start: 0,
            block_start: 0,
            block_max: 0,
        };
        while !input.is_empty() {
            if !self.in_frame {
                input = self.start_frame(input)?;
                sink.frame_start = sink.out.len();
                continue;
            }
            let header = input.get(..3).ok_or(ZstdError::Corrupt)?;
            let header =
                u32::from(header[0]) | u32::from(header[1]) << 8 | u32::from(header[2]) << 16;
            let last = header & 1 == 1;
            let size = (header >> 3) as usize;
            input = &input[3..];
            sink.block_start = sink.out.len();
            sink.block_max = self.window_size.min(MAX_BLOCK);
            match (header >> 1) & 3 {
                0 => {
                    let raw = input.get(..size).ok_or(ZstdError::Corrupt)?;
                    sink.reserve(size)?;
                    sink.out.extend_from_slice(raw);
                    input = &input[size..];
                }
                1 => {
                    let byte = *input.first().ok_or(ZstdError::Corrupt)?;
                    sink.reserve(size)?;
                    sink.out.resize(sink.out.len() + size, byte);
                    input = &input[1..];
                }
                2 => {
                    if size > sink.block_max {
                        return Err(ZstdError::Corrupt);
                    }
                    let body = input.get(..size).ok_or(ZstdError::Corrupt)?;
                    self.decode_compressed(body, &mut sink)?;
                    input = &input[size..];
                }
                _ => return Err(ZstdError::Corrupt),
            }
            if last {
                self.remember(&sink.out[sink.frame_start..]);
                self.in_frame = false;
                if self.checksum {
                    input = input.get(4..).ok_or(ZstdError::Corrupt)?;
                }
            }
        }
        if self.in_frame {
            self.remember(&sink.out[sink.frame_start..]);
        }
        Ok(())
    }

    /// Reads a frame header (or skips a skippable frame) and resets the frame's state.
    fn start_frame<'a>(&mut self, input: &'a [u8]) -> Result<&'a [u8], ZstdError> {
        let magic = input.get(..4).ok_or(ZstdError::Corrupt)?;
        let magic = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
        if magic & 0xffff_fff0 == SKIPPABLE_MAGIC {
            let size = input.get(4..8).ok_or(ZstdError::Corrupt)?;
            let size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize;
            return input.get(8 + size..).ok_or(ZstdError::Corrupt);
        }
        if magic != MAGIC {
            return Err(ZstdError::Corrupt);
        }
        let descriptor = *input.get(4).ok_or(ZstdError::Corrupt)?;
        let content_size_flag = descriptor >> 6;
        let single_segment = descriptor & 0x20 != 0;
        if descriptor & 0x08 != 0 {
            return Err(ZstdError::Corrupt);
        }
        let mut position = 5;
        let mut window_size = 0u64;
        if !single_segment {
            let window = *input.get(position).ok_or(ZstdError::Corrupt)?;
            position += 1;
            let base = 1u64 << (10 + (window >> 3));
            window_size = base + (base / 8) * u64::from(window & 7);
        }
        let dictionary_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
        let dictionary = input
            .get(position..position + dictionary_bytes)
            .ok_or(ZstdError::Corrupt)?;
        if dictionary.iter().any(|&byte| byte != 0) {
            return Err(ZstdError::Corrupt);
        }
        position += dictionary_bytes;
        let content_size_bytes = match content_size_flag {
            0 => usize::from(single_segment),
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let content_size = input
            .get(position..position + content_size_bytes)
            .ok_or(ZstdError::Corrupt)?;
        position += content_size_bytes;
        if single_segment {
            let mut bytes = [0u8; 8];
            bytes[..content_size.len()].copy_from_slice(content_size);
            window_size = u64::from_le_bytes(bytes) + if content_size_bytes == 2 { 256 } else { 0 };
        }
        let limit = 1usize << MAX_WINDOW_LOG;
        if window_size > limit as u64 {
            return Err(ZstdError::WindowTooLarge { limit });
        }
        self.in_frame = true;
        self.window_size = window_size as usize;
        self.checksum = descriptor & 0x04 != 0;
        self.history.clear();
        if self.history.capacity() > self.window_size {
            self.history = Vec::new();
        }
        self.head = 0;
        self.repeat_offsets = [1, 4, 8];
        self.huffman.clear();
        self.literal_lengths.entries.clear();
        self.offsets.entries.clear();
        self.match_lengths.entries.clear();
        Ok(&input[position..])
    }

    /// Appends a message's bytes to the window, keeping only the last `window_size`.
    fn remember(&mut self, mut data: &[u8]) {
        let window = self.window_size;
        if window == 0 {
            return;
        }
        if data.len() >= window {
            data = &data[data.len() - window..];
            self.history.clear();
            self.head = 0;
        }
        if self.history.len() < window {
            let take = (window - self.history.len()).min(data.len());
            let needed = self.history.len() + take;
            if needed > self.history.capacity() {
                let target = needed.max(self.history.capacity() * 2).min(window);
                self.history.reserve_exact(target - self.history.len());
            }
            self.history.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        while !data.is_empty() {
            let n = (window - self.head).min(data.len());
            self.history[self.head..self.head + n].copy_from_slice(&data[..n]);
            self.head = (self.head + n) % window;
            data = &data[n..];
        }
    }

    fn decode_compressed(&mut self, block: &[u8], sink: &mut Sink<'_>) -> Result<(), ZstdError> {
        let used = self.decode_literals(block).ok_or(ZstdError::Corrupt)?;
        let rest = &block[used..];
        let (count, mut position) = match *rest.first().ok_or(ZstdError::Corrupt)? {
            0 => (0, 1),
            byte @ 1..=127 => (usize::from(byte), 1),
            byte @ 128..=254 => {
                let next = *rest.get(1).ok_or(ZstdError::Corrupt)?;
                ((usize::from(byte) - 128) << 8 | usize::from(next), 2)
            }
            255 => {
                let bytes = rest.get(1..3).ok_or(ZstdError::Corrupt)?;
                (
                    usize::from(bytes[0]) + (usize::from(bytes[1]) << 8) + 0x7f00,
                    3,
                )
            }
        };
        if count == 0 {
            if position != rest.len() {
                return Err(ZstdError::Corrupt);
            }
            sink.reserve(self.literals.len())?;
            sink.out.extend_from_slice(&self.literals);
            return Ok(());
        }
        let modes = *rest.get(position).ok_or(ZstdError::Corrupt)?;
        position += 1;
        if modes & 3 != 0 {
            return Err(ZstdError::Corrupt);
        }
        let mut read_table = |table: &mut FseTable, mode: u8, defaults: &[i16], log, max_log| {
            let src = rest.get(position..).ok_or(ZstdError::Corrupt)?;
            match mode {
                0 => table.build(defaults, log).ok_or(ZstdError::Corrupt)?,
                1 => {
                    let symbol = *src.first().ok_or(ZstdError::Corrupt)?;
                    if usize::from(symbol) >= defaults.len() {
                        return Err(ZstdError::Corrupt);
                    }
                    table.set_rle(symbol);
                    position += 1;
                }
                2 => {
                    position += table
                        .read(src, defaults.len() - 1, max_log)
                        .ok_or(ZstdError::Corrupt)?;
                }
                _ if table.is_empty() => return Err(ZstdError::Corrupt),
                _ => {}
            }
            Ok(())
        };
        read_table(
            &mut self.literal_lengths,
            modes >> 6,
            &DEFAULT_LITERAL_LENGTHS,
            6,
            9,
        )?;
        read_table(&mut self.offsets, (modes >> 4) & 3, &DEFAULT_OFFSETS, 5, 8)?;
        read_table(
            &mut self.match_lengths,
            (modes >> 2) & 3,
            &DEFAULT_MATCH_LENGTHS,
            6,
            9,
        )?;
        let stream = rest.get(position..).ok_or(ZstdError::Corrupt)?;
        self.execute_sequences(stream, count, sink)
    }

    fn execute_sequences(
        &mut self,
        stream: &[u8],
        count: usize,
        sink: &mut Sink<'_>,
    ) -> Result<(), ZstdError> {
        let mut bits = BackwardBits::new(stream).ok_or(ZstdError::Corrupt)?;
        let (ll_table, of_table, ml_table) =
            (&self.literal_lengths, &self.offsets, &self.match_lengths);
        let mut ll_state = ll_table.initial_state(&mut bits);
        let mut of_state = of_table.initial_state(&mut bits);
        let mut ml_state = ml_table.initial_state(&mut bits);
        let mut literal = 0usize;
        for i in 0..count {
            let of_code = u32::from(of_table.symbol(of_state));
            let &(ml_base, ml_bits) = MATCH_LENGTHS
                .get(usize::from(ml_table.symbol(ml_state)))
                .ok_or(ZstdError::Corrupt)?;
            let &(ll_base, ll_bits) = LITERAL_LENGTHS
                .get(usize::from(ll_table.symbol(ll_state)))
                .ok_or(ZstdError::Corrupt)?;
            if of_code > 31 {
                return Err(ZstdError::Corrupt);
            }
            let offset_value = (1u64 << of_code) + bits.read(of_code);
            let match_length = (ml_base + bits.read(u32::from(ml_bits)) as u32) as usize;
            let literal_length = (ll_base + bits.read(u32::from(ll_bits)) as u32) as usize;
            if i + 1 < count {
                ll_state = ll_table.next_state(ll_state, &mut bits);
                ml_state = ml_table.next_state(ml_state, &mut bits);
                of_state = of_table.next_state(of_state, &mut bits);
            }
            if bits.is_overread() {
                return Err(ZstdError::Corrupt);
            }
            let offset = resolve_offset(&mut self.repeat_offsets, offset_value, literal_length)?;

            let literals = self
                .literals
                .get(literal..literal + literal_length)
                .ok_or(ZstdError::Corrupt)?;
            sink.reserve(literal_length)?;
            sink.out.extend_from_slice(literals);
            literal += literal_length;
            copy_match(
                sink,
                &self.history,
                self.head,
                self.window_size,
                offset,
                match_length,
            )?;
        }
        if !bits.is_exhausted() {
            return Err(ZstdError::Corrupt);
        }
        let rest = &self.literals[literal..];
        sink.reserve(rest.len())?;
        sink.out.extend_from_slice(rest);
        Ok(())
    }

    /// Decodes a literals section into `self.literals`; returns the bytes it took.
    fn decode_literals(&mut self, block: &[u8]) -> Option<usize> {
        let first = *block.first()?;
        let byte = |i: usize| block.get(i).map(|&b| usize::from(b));
        let size_format = (first >> 2) & 3;
        match first & 3 {
            kind @ (0 | 1) => {
                let (size, header) = match size_format {
                    0 | 2 => (usize::from(first >> 3), 1),
                    1 => (usize::from(first >> 4) + (byte(1)? << 4), 2),
                    _ => (
                        usize::from(first >> 4) + (byte(1)? << 4) + (byte(2)? << 12),
                        3,
                    ),
                };
                if size > MAX_BLOCK {
                    return None;
                }
                self.literals.clear();
                if kind == 0 {
                    self.literals
                        .extend_from_slice(block.get(header..header + size)?);
                    Some(header + size)
                } else {
                    self.literals.resize(size, *block.get(header)?);
                    Some(header + 1)
                }
            }
            kind => {
                let (streams, header, width) = match size_format {
                    0 => (1, 3, 10),
                    1 => (4, 3, 10),
                    2 => (4, 4, 14),
                    _ => (4, 5, 18),
                };
                let mut value = 0u64;
                for i in 0..header {
                    value |= (byte(i)? as u64) << (8 * i);
                }
                let mask = (1u64 << width) - 1;
                let regenerated = ((value >> 4) & mask) as usize;
                let compressed = ((value >> (4 + width)) & mask) as usize;
                if regenerated > MAX_BLOCK {
                    return None;
                }
                let mut data = block.get(header..header + compressed)?;
                if kind == 2 {
                    let tree = self.huffman.read(data)?;
                    data = &data[tree..];
                } else if self.huffman.is_empty() {
                    return None;
                }
                self.literals.clear();
                self.literals.resize(regenerated, 0);
                if streams == 1 {
                    self.huffman.decode_stream(data, &mut self.literals)?;
                } else {
                    let jump = data.get(..6)?;
                    let sizes = [
                        usize::from(u16::from_le_bytes([jump[0], jump[1]])),
                        usize::from(u16::from_le_bytes([jump[2], jump[3]])),
                        usize::from(u16::from_le_bytes([jump[4], jump[5]])),
                    ];
                    let mut data = &data[6..];
                    let segment = regenerated.div_ceil(4);
                    if 3 * segment > regenerated {
                        return None;
                    }
                    let mut out = &mut self.literals[..];
                    for i in 0..4 {
                        // The jump table gives the first three sizes; the last stream is the rest.
                        let stream_len = sizes.get(i).copied().unwrap_or(data.len());
                        let stream = data.get(..stream_len)?;
                        data = &data[stream_len..];
                        let take = if i < 3 { segment } else { out.len() };
                        let (part, tail) = out.split_at_mut(take);
                        self.huffman.decode_stream(stream, part)?;
                        out = tail;
                    }
                }
                Some(header + compressed)
            }
        }
    }
}

/// Turns an offset value into a distance, updating the repeat offsets (RFC 8878 §3.1.2.5).
fn resolve_offset(
    repeats: &mut [usize; 3],
    offset_value: u64,
    literal_length: usize,
) -> Result<usize, ZstdError> {
    let [first, second, third] = *repeats;
    if offset_value > 3 {
        let offset = (offset_value - 3) as usize;
        *repeats = [offset, first, second];
        return Ok(offset);
    }
    let index = offset_value as usize - 1 + usize::from(literal_length == 0);
    let offset = match index {
        0 => first,
        1 => {
            *repeats = [second, first, third];
            second
        }
        2 => {
            *repeats = [third, first, second];
            third
        }
        _ => {
            let offset = first
                .checked_sub(1)
                .filter(|&o| o > 0)
                .ok_or(ZstdError::Corrupt)?;
            *repeats = [offset, first, second];
            offset
        }
    };
    Ok(offset)
}

/// Copies `length` bytes from `offset` back: from the window for the part before this frame's
/// bytes in the message, then from the message itself.
fn copy_match(
    sink: &mut Sink<'_>,
    history: &[u8],
    head: usize,
    window_size: usize,
    offset: usize,
    mut length: usize,
) -> Result<(), ZstdError> {
    let in_message = sink.out.len() - sink.frame_start;
    if offset == 0 || offset > window_size || offset > in_message + history.len() {
        return Err(ZstdError::Corrupt);
    }
    sink.reserve(length)?;
    if length == 0 {
        return Ok(());
    }
    if offset > in_message {
        let distance = offset - in_message;
        let n = length.min(distance);
        let start = (head + history.len() - distance) % history.len();
        let first = n.min(history.len() - start);
        sink.out.extend_from_slice(&history[start..start + first]);
        sink.out.extend_from_slice(&history[..n - first]);
        length -= n;
        if length == 0 {
            return Ok(());
        }
    }
    // The source runs `offset` behind and may overlap what it writes: copy whole periods.
    let start = sink.out.len() - offset;
    while length > 0 {
        let n = length.min(sink.out.len() - start);
        sink.out.extend_from_within(start..start + n);
        length -= n;
    }
    Ok(())
}
