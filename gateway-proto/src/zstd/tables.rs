//! The entropy tables of zstd (RFC 8878 §4.1 FSE, §4.2 Huffman): reading their descriptions
//! and building decoding tables. They know nothing of blocks or windows. Every malformed
//! description is `None`, never a panic; a table's memory is fixed by the format's limits.

use super::bits::{BackwardBits, ForwardBits};

/// One FSE decoding state: the symbol it stands for and how to reach the next state.
#[derive(Clone, Copy, Default)]
pub(super) struct FseEntry {
    pub(super) symbol: u8,
    pub(super) bits: u8,
    pub(super) baseline: u16,
}

/// An FSE decoding table of up to 2^9 states (the largest accuracy zstd allows).
pub(super) struct FseTable {
    pub(super) log: u32,
    pub(super) entries: Vec<FseEntry>,
}

impl FseTable {
    pub(super) fn new() -> Self {
        Self {
            log: 0,
            entries: Vec::new(),
        }
    }

    /// A table whose every state is `symbol`, reading no bits (RLE mode).
    pub(super) fn set_rle(&mut self, symbol: u8) {
        self.log = 0;
        self.entries.clear();
        self.entries.push(FseEntry {
            symbol,
            bits: 0,
            baseline: 0,
        });
    }

    /// Reads a table description (§4.1.1) of symbols up to `max_symbol` and accuracy up to
    /// `max_log`, builds the table, and returns the bytes the description took.
    pub(super) fn read(&mut self, src: &[u8], max_symbol: usize, max_log: u32) -> Option<usize> {
        let mut bits = ForwardBits::new(src);
        let log = bits.read(4)? + 5;
        if log > max_log {
            return None;
        }
        let mut counts = [0i16; 256];
        let mut remaining = (1i32 << log) + 1;
        let mut threshold = 1i32 << log;
        let mut width = log + 1;
        let mut symbol = 0usize;
        while remaining > 1 {
            if symbol > max_symbol {
                return None;
            }
            let max = 2 * threshold - 1 - remaining;
            let low = bits.peek(width - 1)? as i32;
            let value = if low < max {
                bits.skip(width - 1)?;
                low
            } else {
                let mut value = bits.peek(width)? as i32;
                if value >= threshold {
                    value -= max;
                }
                bits.skip(width)?;
                value
            };
            let count = value - 1;
            remaining -= count.abs();
            counts[symbol] = count as i16;
            symbol += 1;
            if count == 0 {
                // A zero is followed by 2-bit repeat counts of further zeros; 3 means more.
                loop {
                    let repeat = bits.read(2)? as usize;
                    symbol += repeat;
                    if symbol > max_symbol + 1 {
                        return None;
                    }
                    if repeat < 3 {
                        break;
                    }
                }
            }
            while remaining < threshold && threshold > 1 {
                width -= 1;
                threshold >>= 1;
            }
        }
        if remaining != 1 || symbol > max_symbol + 1 {
            return None;
        }
        self.build(&counts[..symbol], log)?;
        Some(bits.bytes_used())
    }

    /// Builds the table from normalized counts (-1 = "less than one") summing to 2^log.
    pub(super) fn build(&mut self, counts: &[i16], log: u32) -> Option<()> {
        let size = 1usize << log;
        self.log = log;
        self.entries.clear();
        self.entries.resize(size, FseEntry::default());
        let mut next = [0u16; 256];
        let mut high = size;
        for (symbol, &count) in counts.iter().enumerate() {
            if count == -1 {
                high = high.checked_sub(1)?;
                self.entries[high].symbol = symbol as u8;
                next[symbol] = 1;
            } else {
                next[symbol] = u16::try_from(count).ok()?;
            }
        }
        let step = (size >> 1) + (size >> 3) + 3;
        let mask = size - 1;
        let mut position = 0;
        for (symbol, &count) in counts.iter().enumerate() {
            for _ in 0..count.max(0) {
                if position >= high {
                    return None;
                }
                self.entries[position].symbol = symbol as u8;
                loop {
                    position = (position + step) & mask;
                    if position < high {
                        break;
                    }
                }
            }
        }
        if position != 0 {
            return None;
        }
        for entry in &mut self.entries {
            let state = next[usize::from(entry.symbol)];
            next[usize::from(entry.symbol)] += 1;
            if state == 0 {
                return None;
            }
            let bits = log - (15 - state.leading_zeros());
            entry.bits = bits as u8;
            entry.baseline = ((u32::from(state) << bits) - size as u32) as u16;
        }
        Some(())
    }

    /// The state a bitstream starts in.
    #[inline]
    pub(super) fn initial_state(&self, bits: &mut BackwardBits<'_>) -> usize {
        bits.read(self.log) as usize
    }

    /// The symbol of `state`.
    #[inline]
    pub(super) fn symbol(&self, state: usize) -> u8 {
        self.entries[state].symbol
    }

    /// The state after `state`.
    #[inline]
    pub(super) fn next_state(&self, state: usize, bits: &mut BackwardBits<'_>) -> usize {
        let entry = self.entries[state];
        usize::from(entry.baseline) + bits.read(u32::from(entry.bits)) as usize
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<FseEntry>()
    }
}

/// The largest Huffman code length zstd allows.
const MAX_HUFFMAN_BITS: u32 = 11;

/// A Huffman decoding table indexed by the next `max_bits` bits: (symbol, code length).
pub(super) struct HuffmanTable {
    pub(super) max_bits: u32,
    pub(super) entries: Vec<(u8, u8)>,
    /// FSE table for compressed weight descriptions, kept to avoid reallocating.
    weights_fse: FseTable,
}

impl HuffmanTable {
    pub(super) fn new() -> Self {
        Self {
            max_bits: 0,
            entries: Vec::new(),
            weights_fse: FseTable::new(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(super) fn clear(&mut self) {
        self.entries.clear();
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 2 + self.weights_fse.heap_bytes()
    }

    /// Reads a tree description (§4.2.1), builds the table, returns the bytes it took.
    pub(super) fn read(&mut self, src: &[u8]) -> Option<usize> {
        let header = usize::from(*src.first()?);
        let mut weights = [0u8; 256];
        let (count, used) = if header >= 128 {
            let count = header - 127;
            let bytes = count.div_ceil(2);
            let packed = src.get(1..1 + bytes)?;
            for (i, weight) in weights[..count].iter_mut().enumerate() {
                let byte = packed[i / 2];
                *weight = if i % 2 == 0 { byte >> 4 } else { byte & 0xf };
            }
            (count, 1 + bytes)
        } else {
            let data = src.get(1..1 + header)?;
            let table_len = self.weights_fse.read(data, 255, 6)?;
            let stream = data.get(table_len..)?;
            let mut bits = BackwardBits::new(stream)?;
            let fse = &self.weights_fse;
            let mut states = [fse.initial_state(&mut bits), fse.initial_state(&mut bits)];
            let mut count = 0;
            // Two states take turns; when an update reads past the start, the other state's
            // symbol is the last one (§4.2.1.2).
            loop {
                for turn in 0..2 {
                    if count >= 255 {
                        return None;
                    }
                    weights[count] = fse.symbol(states[turn]);
                    count += 1;
                    states[turn] = fse.next_state(states[turn], &mut bits);
                    if bits.is_overread() {
                        if count >= 255 {
                            return None;
                        }
                        weights[count] = fse.symbol(states[1 - turn]);
                        count += 1;
                        break;
                    }
                }
                if bits.is_overread() {
                    break;
                }
            }
            (count, 1 + header)
        };
        self.build(&mut weights, count)?;
        Some(used)
    }

    /// Builds the table from `count` explicit weights; the last symbol's weight is implied.
    fn build(&mut self, weights: &mut [u8; 256], count: usize) -> Option<()> {
        let mut total = 0u32;
        for &weight in &weights[..count] {
            if u32::from(weight) > MAX_HUFFMAN_BITS {
                return None;
            }
            if weight > 0 {
                total += 1 << (weight - 1);
            }
        }
        if total == 0 {
            return None;
        }
        let max_bits = 32 - total.leading_zeros();
        if max_bits > MAX_HUFFMAN_BITS {
            return None;
        }
        let rest = (1u32 << max_bits) - total;
        if !rest.is_power_of_two() {
            return None;
        }
        weights[count] = (rest.trailing_zeros() + 1) as u8;
        let symbols = count + 1;

        self.max_bits = max_bits;
        self.entries.clear();
        self.entries.resize(1 << max_bits, (0, 0));
        let mut position = 0usize;
        for weight in 1..=max_bits as u8 {
            let span = 1usize << (weight - 1);
            let length = (max_bits + 1 - u32::from(weight)) as u8;
            for (symbol, _) in weights[..symbols]
                .iter()
                .enumerate()
                .filter(|(_, &w)| w == weight)
            {
                self.entries
                    .get_mut(position..position + span)?
                    .fill((symbol as u8, length));
                position += span;
            }
        }
        (position == self.entries.len()).then_some(())
    }

    /// Decodes one Huffman stream (§4.2.2) into exactly `out.len()` symbols.
    pub(super) fn decode_stream(&self, stream: &[u8], out: &mut [u8]) -> Option<()> {
        let mut bits = BackwardBits::new(stream)?;
        for byte in out.iter_mut() {
            let index = bits.peek(self.max_bits) as usize;
            let (symbol, length) = self.entries[index];
            *byte = symbol;
            bits.consume(u32::from(length));
        }
        bits.is_exhausted().then_some(())
    }
}
