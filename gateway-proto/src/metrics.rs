//! Per-shard figures through the [`metrics`](https://docs.rs/metrics) facade (the `metrics`
//! feature).
//!
//! This file owns the list of metrics ([`METRICS`], printed below and in the README's
//! "Metrics" section; a test keeps the three equal) and [`MetricsExporter`], which publishes
//! a machine's [`Statistics`] and status to whatever recorder the application installed
//! (Prometheus, StatsD, …). It counts nothing itself: every number comes from the machine,
//! so an exporter can start late or skip steps without getting a figure wrong. It knows
//! nothing about sockets or runtimes; the adapters call it through
//! [`Telemetry::observe`](crate::telemetry::Telemetry::observe) after each loop step.
//!
//! Every metric carries the label `shard` (the shard number, `shard="3"`). Counters are
//! published as increments since the previous export; gauges are set.
//!
//! | name | kind | unit | labels | meaning |
//! |---|---|---|---|---|
//! | `discord_gateway_dispatches_total` | counter | dispatches | `shard`, `event` | dispatches received, by `t` (every name of protocol.md §12; unknown names share `event="UNKNOWN"`); READY, RESUMED and dispatches filtered out by the config included |
//! | `discord_gateway_dispatches_filtered_total` | counter | dispatches | `shard` | dispatches received but not delivered because of the configured event types |
//! | `discord_gateway_duplicates_dropped_total` | counter | dispatches | `shard` | dispatches dropped because their sequence number was already seen |
//! | `discord_gateway_sequence_gaps_total` | counter | gaps | `shard` | times a dispatch skipped sequence numbers |
//! | `discord_gateway_messages_received_total` | counter | messages | `shard` | websocket messages received |
//! | `discord_gateway_received_bytes_total` | counter | bytes | `shard` | bytes received on the wire (compressed when transport compression is on) |
//! | `discord_gateway_payloads_received_total` | counter | payloads | `shard` | gateway payloads decoded (after decompression) |
//! | `discord_gateway_inflated_bytes_total` | counter | bytes | `shard` | bytes of decoded payloads (the JSON text after decompression) |
//! | `discord_gateway_frames_sent_total` | counter | frames | `shard` | frames sent, every kind |
//! | `discord_gateway_heartbeats_sent_total` | counter | heartbeats | `shard` | heartbeats sent |
//! | `discord_gateway_commands_sent_total` | counter | commands | `shard` | user commands sent |
//! | `discord_gateway_identifies_total` | counter | payloads | `shard` | Identify payloads sent (new sessions asked for) |
//! | `discord_gateway_resumes_total` | counter | payloads | `shard` | Resume payloads sent |
//! | `discord_gateway_resumes_completed_total` | counter | sessions | `shard` | sessions resumed (RESUMED received) |
//! | `discord_gateway_reconnects_total` | counter | connections | `shard`, `cause` | connections ended and replaced, by `cause`: `gateway`, `connect_failed`, `hello_timeout`, `zombie`, `reconnect`, `invalid_session`, `bad_input` |
//! | `discord_gateway_invalid_sessions_total` | counter | payloads | `shard` | Invalid Session (op 9) received |
//! | `discord_gateway_fatal_closes_total` | counter | closes | `shard` | the shard stopped for good for a reason other than the user's close (0 or 1) |
//! | `discord_gateway_receive_errors_total` | counter | errors | `shard` | bad inbound data reported |
//! | `discord_gateway_heartbeat_latency_seconds` | histogram | seconds | `shard` | round trip from a heartbeat to its ACK, one sample per ACK |
//! | `discord_gateway_commands_queued` | gauge | commands | `shard` | commands waiting for the session or for the rate limiter |
//! | `discord_gateway_state` | gauge | 0 or 1 | `shard`, `state` | 1 for the current state, 0 for the others: `backing_off`, `connecting`, `awaiting_hello`, `awaiting_permit`, `identifying`, `resuming`, `active`, `closed` |
//! | `discord_gateway_connected_seconds` | gauge | seconds | `shard` | time since the current session became active (READY or RESUMED); 0 while not active |
//!
//! The counters that take a second label create a series on their first non-zero value only,
//! so a shard has a series per event type it actually received, not one per name of
//! protocol.md §12. Histogram samples come from the machine's last few round trips
//! ([`LATENCY_SAMPLES`](crate::heartbeat::LATENCY_SAMPLES)); exported after every step, as the
//! adapters do, none is missed.
//!
//! The exporter registers its handles with the recorder in place at its first export: install
//! the recorder (globally, or with `metrics::with_local_recorder` around the calls) before
//! the shard's first step.

use crate::{config::ShardId, machine::ShardMachine, machine::State, stats::Statistics};
use ::metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Unit};
use std::time::Instant;

/// The kind of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up; published as increments.
    Counter,
    /// Set to the current value.
    Gauge,
    /// One sample per observation.
    Histogram,
}

impl MetricKind {
    /// The kind as the table prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// One row of the metric table.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct MetricDef {
    /// The metric's name.
    pub name: &'static str,
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// What one unit of the value is.
    pub unit: &'static str,
    /// The labels besides `shard`.
    pub labels: &'static [&'static str],
    /// What it measures.
    pub description: &'static str,
    source: Source,
}

/// Reads one plain counter of [`Statistics`].
type ReadTotal = fn(&Statistics) -> u64;

/// Where a metric's value comes from.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// A plain counter of [`Statistics`].
    Total(ReadTotal),
    Dispatches,
    Reconnects,
    Latency,
    Queued,
    State,
    Connected,
}

const fn counter(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    read: ReadTotal,
) -> MetricDef {
    MetricDef {
        name,
        kind: MetricKind::Counter,
        unit,
        labels: &[],
        description,
        source: Source::Total(read),
    }
}

/// Every metric the exporter publishes, in the order of the documented table.
pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: "discord_gateway_dispatches_total",
        kind: MetricKind::Counter,
        unit: "dispatches",
        labels: &["event"],
        description: "dispatches received, by `t` (every name of protocol.md §12; unknown names share `event=\"UNKNOWN\"`); READY, RESUMED and dispatches filtered out by the config included",
        source: Source::Dispatches,
    },
    counter(
        "discord_gateway_dispatches_filtered_total",
        "dispatches",
        "dispatches received but not delivered because of the configured event types",
        |s| s.dispatches_filtered,
    ),
    counter(
        "discord_gateway_duplicates_dropped_total",
        "dispatches",
        "dispatches dropped because their sequence number was already seen",
        |s| s.duplicates_dropped,
    ),
    counter(
        "discord_gateway_sequence_gaps_total",
        "gaps",
        "times a dispatch skipped sequence numbers",
        |s| s.sequence_gaps,
    ),
    counter(
        "discord_gateway_messages_received_total",
        "messages",
        "websocket messages received",
        |s| s.messages_received,
    ),
    counter(
        "discord_gateway_received_bytes_total",
        "bytes",
        "bytes received on the wire (compressed when transport compression is on)",
        |s| s.bytes_received,
    ),
    counter(
        "discord_gateway_payloads_received_total",
        "payloads",
        "gateway payloads decoded (after decompression)",
        |s| s.payloads_received,
    ),
    counter(
        "discord_gateway_inflated_bytes_total",
        "bytes",
        "bytes of decoded payloads (the JSON text after decompression)",
        |s| s.bytes_inflated,
    ),
    counter(
        "discord_gateway_frames_sent_total",
        "frames",
        "frames sent, every kind",
        |s| s.frames_sent,
    ),
    counter(
        "discord_gateway_heartbeats_sent_total",
        "heartbeats",
        "heartbeats sent",
        |s| s.heartbeats_sent,
    ),
    counter(
        "discord_gateway_commands_sent_total",
        "commands",
        "user commands sent",
        |s| s.commands_sent,
    ),
    counter(
        "discord_gateway_identifies_total",
        "payloads",
        "Identify payloads sent (new sessions asked for)",
        |s| s.identifies,
    ),
    counter(
        "discord_gateway_resumes_total",
        "payloads",
        "Resume payloads sent",
        |s| s.resumes,
    ),
    counter(
        "discord_gateway_resumes_completed_total",
        "sessions",
        "sessions resumed (RESUMED received)",
        |s| s.resumed,
    ),
    MetricDef {
        name: "discord_gateway_reconnects_total",
        kind: MetricKind::Counter,
        unit: "connections",
        labels: &["cause"],
        description: "connections ended and replaced, by `cause`: `gateway`, `connect_failed`, `hello_timeout`, `zombie`, `reconnect`, `invalid_session`, `bad_input`",
        source: Source::Reconnects,
    },
    counter(
        "discord_gateway_invalid_sessions_total",
        "payloads",
        "Invalid Session (op 9) received",
        |s| s.invalid_sessions,
    ),
    counter(
        "discord_gateway_fatal_closes_total",
        "closes",
        "the shard stopped for good for a reason other than the user's close (0 or 1)",
        |s| s.fatal_closes,
    ),
    counter(
        "discord_gateway_receive_errors_total",
        "errors",
        "bad inbound data reported",
        |s| s.errors,
    ),
    MetricDef {
        name: "discord_gateway_heartbeat_latency_seconds",
        kind: MetricKind::Histogram,
        unit: "seconds",
        labels: &[],
        description: "round trip from a heartbeat to its ACK, one sample per ACK",
        source: Source::Latency,
    },
    MetricDef {
        name: "discord_gateway_commands_queued",
        kind: MetricKind::Gauge,
        unit: "commands",
        labels: &[],
        description: "commands waiting for the session or for the rate limiter",
        source: Source::Queued,
    },
    MetricDef {
        name: "discord_gateway_state",
        kind: MetricKind::Gauge,
        unit: "0 or 1",
        labels: &["state"],
        description: "1 for the current state, 0 for the others: `backing_off`, `connecting`, `awaiting_hello`, `awaiting_permit`, `identifying`, `resuming`, `active`, `closed`",
        source: Source::State,
    },
    MetricDef {
        name: "discord_gateway_connected_seconds",
        kind: MetricKind::Gauge,
        unit: "seconds",
        labels: &[],
        description: "time since the current session became active (READY or RESUMED); 0 while not active",
        source: Source::Connected,
    },
];

/// Every state, in the order of the `state` label's documentation.
const STATES: [State; 8] = [
    State::BackingOff,
    State::Connecting,
    State::AwaitingHello,
    State::AwaitingPermit,
    State::Identifying,
    State::Resuming,
    State::Active,
    State::Closed,
];

/// A state's value of the `state` label.
pub fn state_label(state: State) -> &'static str {
    match state {
        State::BackingOff => "backing_off",
        State::Connecting => "connecting",
        State::AwaitingHello => "awaiting_hello",
        State::AwaitingPermit => "awaiting_permit",
        State::Identifying => "identifying",
        State::Resuming => "resuming",
        State::Active => "active",
        State::Closed => "closed",
    }
}

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Publishes one shard's figures; call [`export`](Self::export) after each step of the
/// machine (the adapters do, through [`Telemetry`](crate::telemetry::Telemetry)).
///
/// It remembers what it already published, so counters go out as increments and gauges are
/// set when they change (the connected time on every call).
#[derive(Debug)]
pub struct MetricsExporter {
    shard: String,
    handles: Option<Handles>,
    published: Statistics,
    state: Option<State>,
    queued: Option<usize>,
}

/// The recorder's handles, registered at the first export.
struct Handles {
    totals: Vec<(ReadTotal, Counter)>,
    /// One per dispatch slot (see `DispatchCounts`), created on its first count.
    dispatches: Vec<Option<Counter>>,
    /// The label of each dispatch slot.
    event_names: Vec<&'static str>,
    reconnects: [Option<Counter>; 7],
    latency: Histogram,
    queued: Gauge,
    states: [Gauge; 8],
    connected: Gauge,
}

impl std::fmt::Debug for Handles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handles")
    }
}

impl MetricsExporter {
    /// An exporter for shard `id`; nothing is registered until the first export.
    pub fn new(id: ShardId) -> Self {
        Self {
            shard: id.number().to_string(),
            handles: None,
            published: Statistics::default(),
            state: None,
            queued: None,
        }
    }

    /// Publishes what changed in `machine` since the last call; `now` is the step's time.
    pub fn export(&mut self, machine: &ShardMachine, now: Instant) {
        let shard = &self.shard;
        let handles = self.handles.get_or_insert_with(|| Handles::register(shard));
        let (stats, old) = (machine.stats(), &self.published);
        for (read, counter) in &handles.totals {
            increment(counter, read(stats), read(old));
        }
        if stats.dispatches != old.dispatches {
            let slots = stats.dispatches_by_type.slots();
            let before = old.dispatches_by_type.slots();
            for (slot, (new, old)) in slots.iter().zip(before).enumerate() {
                if new > old {
                    let label = ("event", handles.event_names[slot]);
                    handles.dispatches[slot]
                        .get_or_insert_with(|| {
                            register_counter(def(Source::Dispatches).name, shard, Some(label))
                        })
                        .increment(new - old);
                }
            }
        }
        if stats.reconnects != old.reconnects {
            let causes = stats.reconnects_by_cause.by_name();
            let before = old.reconnects_by_cause.by_name();
            for (index, ((cause, new), (_, old))) in causes.into_iter().zip(before).enumerate() {
                if new > old {
                    handles.reconnects[index]
                        .get_or_insert_with(|| {
                            let name = def(Source::Reconnects).name;
                            register_counter(name, shard, Some(("cause", cause)))
                        })
                        .increment(new - old);
                }
            }
        }
        let acks = stats.heartbeat_acks.saturating_sub(old.heartbeat_acks);
        if let (Some(latency), true) = (machine.latency(), acks > 0) {
            let fresh = usize::try_from(acks).unwrap_or(usize::MAX);
            for rtt in latency.recent().take(fresh) {
                handles.latency.record(rtt.as_secs_f64());
            }
        }
        let state = machine.state();
        if self.state != Some(state) {
            for (gauge, each) in handles.states.iter().zip(STATES) {
                gauge.set(if each == state { 1.0 } else { 0.0 });
            }
            self.state = Some(state);
        }
        let queued = machine.queued_commands();
        if self.queued != Some(queued) {
            handles.queued.set(queued as f64);
            self.queued = Some(queued);
        }
        let connected = stats.connected_since.map_or(0.0, |since| {
            now.saturating_duration_since(since).as_secs_f64()
        });
        handles.connected.set(connected);
        self.published.clone_from(stats);
    }
}

impl Handles {
    fn register(shard: &str) -> Self {
        describe();
        let totals = METRICS
            .iter()
            .filter_map(|def| match def.source {
                Source::Total(read) => Some((read, register_counter(def.name, shard, None))),
                _ => None,
            })
            .collect();
        let mut event_names = vec![""; 128];
        for event_type in crate::EventType::KNOWN {
            event_names[slot_of(event_type.flag())] = event_type.name();
        }
        event_names[slot_of(crate::EventTypeFlags::UNKNOWN)] = "UNKNOWN";
        let gauge = |source, label: Option<(&'static str, &'static str)>| {
            let key = key(def(source).name, shard, label);
            ::metrics::with_recorder(|recorder| recorder.register_gauge(&key, &METADATA))
        };
        let latency_key = key(def(Source::Latency).name, shard, None);
        Self {
            totals,
            dispatches: vec![None; 128],
            event_names,
            reconnects: Default::default(),
            latency: ::metrics::with_recorder(|recorder| {
                recorder.register_histogram(&latency_key, &METADATA)
            }),
            queued: gauge(Source::Queued, None),
            states: STATES.map(|state| gauge(Source::State, Some(("state", state_label(state))))),
            connected: gauge(Source::Connected, None),
        }
    }
}

/// The table row of a source that has exactly one.
fn def(source: Source) -> &'static MetricDef {
    let same =
        |def: &&MetricDef| std::mem::discriminant(&def.source) == std::mem::discriminant(&source);
    // Every non-`Total` source has one row in `METRICS`; the tests check each.
    METRICS.iter().find(same).unwrap_or(&METRICS[0])
}

fn slot_of(flag: crate::EventTypeFlags) -> usize {
    flag.bits().trailing_zeros() as usize
}

fn key(name: &'static str, shard: &str, label: Option<(&'static str, &'static str)>) -> Key {
    let mut labels = vec![Label::new("shard", shard.to_owned())];
    if let Some((key, value)) = label {
        labels.push(Label::from_static_parts(key, value));
    }
    Key::from_parts(name, labels)
}

fn register_counter(
    name: &'static str,
    shard: &str,
    label: Option<(&'static str, &'static str)>,
) -> Counter {
    let key = key(name, shard, label);
    ::metrics::with_recorder(|recorder| recorder.register_counter(&key, &METADATA))
}

fn increment(counter: &Counter, new: u64, old: u64) {
    if new > old {
        counter.increment(new - old);
    }
}

/// Gives the recorder every metric's unit and description.
fn describe() {
    ::metrics::with_recorder(|recorder| {
        for def in METRICS {
            let name = KeyName::from_const_str(def.name);
            let unit = match def.unit {
                "bytes" => Some(Unit::Bytes),
                "seconds" => Some(Unit::Seconds),
                _ if def.kind == MetricKind::Counter => Some(Unit::Count),
                _ => None,
            };
            let text = def.description.into();
            match def.kind {
                MetricKind::Counter => recorder.describe_counter(name, unit, text),
                MetricKind::Gauge => recorder.describe_gauge(name, unit, text),
                MetricKind::Histogram => recorder.describe_histogram(name, unit, text),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row the docs print for `def`.
    fn row(def: &MetricDef) -> String {
        let labels: Vec<String> = std::iter::once("shard")
            .chain(def.labels.iter().copied())
            .map(|label| format!("`{label}`"))
            .collect();
        format!(
            "| `{}` | {} | {} | {} | {} |",
            def.name,
            def.kind.name(),
            def.unit,
            labels.join(", "),
            def.description
        )
    }

    fn rows(text: &str, prefix: &str) -> Vec<String> {
        text.lines()
            .filter_map(|line| line.trim_start().strip_prefix(prefix))
            .map(str::trim)
            .filter(|line| line.starts_with("| `discord_gateway_"))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_module_docs_and_the_readme_print_the_table() {
        let expected: Vec<String> = METRICS.iter().map(row).collect();
        assert_eq!(rows(include_str!("metrics.rs"), "//!"), expected);
        assert_eq!(rows(include_str!("../../README.md"), ""), expected);
    }

    #[test]
    fn names_are_unique_and_each_special_source_has_one_row() {
        let mut names: Vec<&str> = METRICS.iter().map(|def| def.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METRICS.len());
        for source in [
            Source::Dispatches,
            Source::Reconnects,
            Source::Latency,
            Source::Queued,
            Source::State,
            Source::Connected,
        ] {
            let same = |def: &&MetricDef| {
                std::mem::discriminant(&def.source) == std::mem::discriminant(&source)
            };
            assert_eq!(METRICS.iter().filter(same).count(), 1, "{source:?}");
        }
    }

    #[test]
    fn state_labels_are_distinct() {
        let mut labels: Vec<&str> = STATES.iter().map(|state| state_label(*state)).collect();
        labels.dedup();
        assert_eq!(labels.len(), STATES.len());
    }
}
