//! zlib-stream transport decompression (protocol.md §9.2). STUB: being written.

/// Errors while inflating.
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
}

/// One zlib-stream context for one connection.
#[derive(Debug)]
pub struct ZlibStream {
    max_message_size: usize,
}

impl ZlibStream {
    /// A fresh context that refuses messages inflating to more than `max_message_size` bytes.
    pub fn new(max_message_size: usize) -> Self {
        Self { max_message_size }
    }

    /// Feeds one binary websocket frame: `Ok(None)` until a message is complete
    /// (ends with `00 00 ff ff`), then `Ok(Some(inflated message))`.
    pub fn push(&mut self, _frame: &[u8]) -> Result<Option<&[u8]>, InflateError> {
        Err(InflateError::TooLarge { limit: self.max_message_size })
    }

    /// Forgets all state, as for a new connection.
    pub fn reset(&mut self) {}

    /// Bytes of heap this context holds now (buffers and inflate state).
    pub fn heap_bytes(&self) -> usize {
        0
    }
}
