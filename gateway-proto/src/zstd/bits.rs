//! Bit readers for zstd (RFC 8878 §4.1 and §4.2): a forward reader for table descriptions
//! and a backward reader for the Huffman and sequence bitstreams, which are written from the
//! end. Neither knows what the bits mean. Reading past the end never panics: the forward
//! reader reports it, the backward one yields zeros and counts the overread, which callers
//! treat as corruption where the format forbids it.

/// Reads bits least-significant first from the start of a slice.
pub(super) struct ForwardBits<'a> {
    data: &'a [u8],
    /// Bits consumed so far.
    position: usize,
}

impl<'a> ForwardBits<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Self { data, position: 0 }
    }

    /// The next `n` (at most 32) bits, or `None` past the end.
    pub(super) fn read(&mut self, n: u32) -> Option<u32> {
        let value = self.peek(n)?;
        self.position += n as usize;
        Some(value)
    }

    /// The next `n` (at most 32) bits without consuming them; missing bits past the end read
    /// as zero, and `None` only when none of them exist.
    pub(super) fn peek(&self, n: u32) -> Option<u32> {
        if n == 0 {
            return Some(0);
        }
        let byte = self.position / 8;
        if byte >= self.data.len() {
            return None;
        }
        let mut word = [0u8; 8];
        let available = (self.data.len() - byte).min(8);
        word[..available].copy_from_slice(&self.data[byte..byte + available]);
        let value = u64::from_le_bytes(word) >> (self.position % 8);
        Some((value & ((1u64 << n) - 1)) as u32)
    }

    /// Skips `n` bits; `None` if that passes the end.
    pub(super) fn skip(&mut self, n: u32) -> Option<()> {
        let position = self.position + n as usize;
        (position <= self.data.len() * 8).then(|| self.position = position)
    }

    /// Whole bytes touched so far.
    pub(super) fn bytes_used(&self) -> usize {
        self.position.div_ceil(8)
    }
}

/// Reads bits most-significant first from the end of a slice, after the end-marker bit.
pub(super) struct BackwardBits<'a> {
    data: &'a [u8],
    /// Bytes not yet loaded: `data[..unread]`.
    unread: usize,
    /// Loaded bits, aligned to the top of the word.
    container: u64,
    /// How many bits of `container` are loaded.
    loaded: u32,
    /// Bits read beyond the start of the stream (read as zeros).
    overread: u32,
}

impl<'a> BackwardBits<'a> {
    /// A reader over `data`, whose last byte holds the end marker; `None` if it has none.
    pub(super) fn new(data: &'a [u8]) -> Option<Self> {
        let last = *data.last()?;
        if last == 0 {
            return None;
        }
        let marker = 7 - last.leading_zeros();
        let below = u64::from(last) & ((1 << marker) - 1);
        let mut reader = Self {
            data,
            unread: data.len() - 1,
            container: if marker == 0 {
                0
            } else {
                below << (64 - marker)
            },
            loaded: marker,
            overread: 0,
        };
        reader.refill();
        Some(reader)
    }

    fn refill(&mut self) {
        while self.loaded <= 56 && self.unread > 0 {
            self.unread -= 1;
            self.container |= u64::from(self.data[self.unread]) << (56 - self.loaded);
            self.loaded += 8;
        }
    }

    /// The next `n` (at most 56) bits without consuming them, zeros past the start.
    #[inline]
    pub(super) fn peek(&mut self, n: u32) -> u64 {
        if self.loaded < n {
            self.refill();
        }
        if n == 0 {
            0
        } else {
            self.container >> (64 - n)
        }
    }

    /// Consumes `n` (at most 56) bits.
    #[inline]
    pub(super) fn consume(&mut self, n: u32) {
        if self.loaded < n {
            self.refill();
        }
        if n >= self.loaded {
            self.overread += n - self.loaded;
            self.container = 0;
            self.loaded = 0;
        } else {
            self.container <<= n;
            self.loaded -= n;
        }
    }

    /// Reads `n` (at most 56) bits.
    #[inline]
    pub(super) fn read(&mut self, n: u32) -> u64 {
        let value = self.peek(n);
        self.consume(n);
        value
    }

    /// Whether more bits were consumed than the stream holds.
    pub(super) fn is_overread(&self) -> bool {
        self.overread > 0
    }

    /// Whether every bit was consumed, and no more.
    pub(super) fn is_exhausted(&self) -> bool {
        self.overread == 0 && self.loaded == 0 && self.unread == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_bits_are_least_significant_first() {
        let mut bits = ForwardBits::new(&[0b1010_0110, 0xff]);
        assert_eq!(bits.read(4), Some(0b0110));
        assert_eq!(bits.read(6), Some(0b11_1010));
        assert_eq!(bits.bytes_used(), 2);
        assert_eq!(bits.read(6), Some(0b11_1111));
        assert_eq!(bits.read(1), None);
    }

    #[test]
    fn backward_bits_start_below_the_marker_of_the_last_byte() {
        // Last byte 0b0001_0110: marker at bit 4, then bits 0110, then the byte before.
        let mut bits = BackwardBits::new(&[0b1100_0011, 0b0001_0110]).unwrap();
        assert_eq!(bits.read(2), 0b01);
        assert_eq!(bits.read(4), 0b10_11);
        assert_eq!(bits.read(6), 0b00_0011);
        assert!(bits.is_exhausted());
        assert_eq!(bits.read(3), 0);
        assert!(bits.is_overread());
        assert!(BackwardBits::new(&[1, 0]).is_none());
        assert!(BackwardBits::new(&[]).is_none());
    }
}
