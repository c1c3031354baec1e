//! Counters a shard keeps about itself. Plain numbers, updated by the machine; the
//! adapters and the `metrics` feature only read them.

use std::time::Instant;

/// Totals since the machine was created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statistics {
    /// Websocket messages received (frames, before reassembly).
    pub messages_received: u64,
    /// Bytes received on the wire (compressed when compression is on).
    pub bytes_received: u64,
    /// Gateway payloads decoded.
    pub payloads_received: u64,
    /// Bytes of decoded payloads (inflated JSON).
    pub bytes_inflated: u64,
    /// Dispatches received (including filtered ones, READY and RESUMED).
    pub dispatches: u64,
    /// Dispatches received but not delivered because of the configured event types.
    pub dispatches_filtered: u64,
    /// Dispatches dropped because their sequence was already seen.
    pub duplicates_dropped: u64,
    /// Times a dispatch skipped sequence numbers.
    pub sequence_gaps: u64,
    /// Frames sent (every kind).
    pub frames_sent: u64,
    /// Heartbeats sent.
    pub heartbeats_sent: u64,
    /// User commands sent.
    pub commands_sent: u64,
    /// Identify payloads sent.
    pub identifies: u64,
    /// Resume payloads sent.
    pub resumes: u64,
    /// Sessions resumed (RESUMED received).
    pub resumed: u64,
    /// Connections ended for any reason other than a user close.
    pub reconnects: u64,
    /// Invalid Session (op 9) received.
    pub invalid_sessions: u64,
    /// Bad inbound data reported.
    pub errors: u64,
    /// When the current connection's session became active (READY or RESUMED).
    pub connected_since: Option<Instant>,
}
