//! Counters a shard keeps about itself. Plain numbers, updated by the machine; the
//! adapters, the `tail` tool and the `metrics` feature (`src/metrics.rs`) only read them.
//!
//! Everything here is a total since the machine was created, so a reader that samples
//! twice gets a rate by subtraction. Nothing here knows about exporters or logging.

use crate::event::CloseCause;
use crate::event_type::{EventType, EventTypeFlags};
use std::{fmt, time::Instant};

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
    /// [`dispatches`](Self::dispatches) by event type; they add up to it.
    pub dispatches_by_type: DispatchCounts,
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
    /// Heartbeat ACKs that answered an outstanding heartbeat: one latency sample each.
    pub heartbeat_acks: u64,
    /// User commands sent.
    pub commands_sent: u64,
    /// Identify payloads sent.
    pub identifies: u64,
    /// Resume payloads sent.
    pub resumes: u64,
    /// Sessions resumed (RESUMED received).
    pub resumed: u64,
    /// Connections ended for any reason other than a user close or a fatal one.
    pub reconnects: u64,
    /// [`reconnects`](Self::reconnects) by cause; they add up to it.
    pub reconnects_by_cause: ReconnectCounts,
    /// Invalid Session (op 9) received.
    pub invalid_sessions: u64,
    /// Times the shard stopped for good for a reason other than the user's close: a fatal
    /// close code from the gateway (4004, 4010–4014) or a config the gateway cannot accept.
    /// Closed is sticky, so this is 0 or 1.
    pub fatal_closes: u64,
    /// Bad inbound data reported.
    pub errors: u64,
    /// When the current connection's session became active (READY or RESUMED).
    pub connected_since: Option<Instant>,
}

/// Dispatches received, by event type: one slot per bit of
/// [`EventTypeFlags`], so every name of protocol.md §12 has one and
/// every unknown name shares the `UNKNOWN` slot.
///
/// A fixed array rather than a map: counting is an index, copying a snapshot is a `memcpy`,
/// and the set of labels an exporter can produce is bounded whatever the gateway sends.
#[derive(Clone, PartialEq, Eq)]
pub struct DispatchCounts {
    counts: [u64; 128],
}

impl DispatchCounts {
    /// Dispatches of this type received (every unknown name counts as one type).
    pub fn get(&self, event_type: &EventType) -> u64 {
        self.counts[slot(event_type)]
    }

    /// Every known type with a count above zero, in the order of [`EventType::KNOWN`].
    pub fn known(&self) -> impl Iterator<Item = (&'static EventType, u64)> + '_ {
        EventType::KNOWN
            .iter()
            .map(|event_type| (event_type, self.get(event_type)))
            .filter(|(_, count)| *count > 0)
    }

    /// Dispatches whose name this library does not know, all names together.
    pub fn unknown(&self) -> u64 {
        self.counts[EventTypeFlags::UNKNOWN.bits().trailing_zeros() as usize]
    }

    /// All dispatches counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub(crate) fn record(&mut self, event_type: &EventType) {
        self.counts[slot(event_type)] += 1;
    }

    /// The raw slots, for a reader that compares two snapshots slot by slot.
    #[cfg(feature = "metrics")]
    pub(crate) fn slots(&self) -> &[u64; 128] {
        &self.counts
    }
}

/// The slot of an event type: the position of its flag's bit (below 128, as the flags are a
/// `u128` with one bit each).
fn slot(event_type: &EventType) -> usize {
    event_type.flag().bits().trailing_zeros() as usize
}

impl Default for DispatchCounts {
    fn default() -> Self {
        Self { counts: [0; 128] }
    }
}

impl fmt::Debug for DispatchCounts {
    /// The non-zero counts only, by name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (event_type, count) in self.known() {
            map.entry(&event_type.name(), &count);
        }
        if self.unknown() > 0 {
            map.entry(&"<unknown>", &self.unknown());
        }
        map.finish()
    }
}

/// Reconnects by the [`CloseCause`] of the connection that ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconnectCounts {
    /// The gateway closed with a non-fatal code, or the socket dropped.
    pub gateway: u64,
    /// The socket could not be opened.
    pub connect_failed: u64,
    /// Hello did not arrive in time.
    pub hello_timeout: u64,
    /// A heartbeat went unacknowledged.
    pub zombie: u64,
    /// The gateway sent Reconnect (op 7).
    pub reconnect: u64,
    /// The gateway sent Invalid Session (op 9).
    pub invalid_session: u64,
    /// Inbound data could not be decoded.
    pub bad_input: u64,
}

impl ReconnectCounts {
    /// Each cause's name (snake case, as the `cause` metric label) with its count.
    pub fn by_name(&self) -> [(&'static str, u64); 7] {
        [
            ("gateway", self.gateway),
            ("connect_failed", self.connect_failed),
            ("hello_timeout", self.hello_timeout),
            ("zombie", self.zombie),
            ("reconnect", self.reconnect),
            ("invalid_session", self.invalid_session),
            ("bad_input", self.bad_input),
        ]
    }

    pub(crate) fn record(&mut self, cause: &CloseCause) {
        let slot = match cause {
            CloseCause::Gateway => &mut self.gateway,
            CloseCause::ConnectFailed => &mut self.connect_failed,
            CloseCause::HelloTimeout => &mut self.hello_timeout,
            CloseCause::Zombie => &mut self.zombie,
            CloseCause::Reconnect => &mut self.reconnect,
            CloseCause::InvalidSession { .. } => &mut self.invalid_session,
            CloseCause::BadInput(_) => &mut self.bad_input,
            // A user close stops the shard: it never reconnects.
            CloseCause::User => return,
        };
        *slot += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ReceiveError;

    #[test]
    fn dispatch_counts_have_a_slot_per_known_name_and_one_for_unknown_names() {
        let mut counts = DispatchCounts::default();
        for event_type in EventType::KNOWN {
            counts.record(event_type);
        }
        counts.record(&EventType::from_name("NOT_YET_DOCUMENTED"));
        counts.record(&EventType::from_name("ANOTHER_ONE"));
        counts.record(&EventType::MessageCreate);
        assert_eq!(counts.get(&EventType::MessageCreate), 2);
        assert_eq!(counts.get(&EventType::Ready), 1);
        assert_eq!(counts.unknown(), 2);
        assert_eq!(counts.known().count(), EventType::KNOWN.len());
        assert_eq!(counts.total(), EventType::KNOWN.len() as u64 + 3);
    }

    #[test]
    fn dispatch_counts_debug_lists_only_what_was_seen() {
        let mut counts = DispatchCounts::default();
        counts.record(&EventType::GuildCreate);
        counts.record(&EventType::from_name("NEW_THING"));
        assert_eq!(
            format!("{counts:?}"),
            r#"{"GUILD_CREATE": 1, "<unknown>": 1}"#
        );
    }

    #[test]
    fn reconnect_counts_name_every_cause_but_the_user() {
        let mut counts = ReconnectCounts::default();
        for cause in [
            CloseCause::Gateway,
            CloseCause::ConnectFailed,
            CloseCause::HelloTimeout,
            CloseCause::Zombie,
            CloseCause::Reconnect,
            CloseCause::InvalidSession { resumable: true },
            CloseCause::BadInput(ReceiveError::NotUtf8),
            CloseCause::User,
        ] {
            counts.record(&cause);
        }
        assert!(counts.by_name().iter().all(|(_, count)| *count == 1));
    }
}
