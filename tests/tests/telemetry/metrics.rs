//! The `metrics` feature end to end, written once for both runtimes: a shard (3 of 4) runs a
//! whole session against gateway-sim (identify, dispatches, heartbeats, a drop and a resume, op 7
//! and a resume, a command, a close) with a recorder installed for this test binary, and
//! every series it recorded is checked: names, labels and values.
//!
//! The recorder is process-wide (the shard's task runs on the runtime's threads), so each
//! runtime's test binary (`metrics.rs`, `metrics_async_std.rs`) holds this one test.

use crate::support;
use gateway_proto::{Compression, ShardId};
use gateway_tests::{client, open_queue, simulator, Adapter};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::{collections::BTreeMap, time::Duration};

/// A recorded value.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Counter(u64),
    Gauge(f64),
    Histogram(Vec<f64>),
}

/// The series of shard 3: `name{other labels}` (without `shard="3"`) to value.
type Series = BTreeMap<String, Value>;

fn series(name: &str, labels: &str, value: Value) -> (String, Value) {
    (format!("discord_gateway_{name}{{{labels}}}"), value)
}

fn counter(name: &str, value: u64) -> (String, Value) {
    series(name, "", Value::Counter(value))
}

/// Installs a recorder, runs [`support::whole_session`] on `A`'s shard 3 of 4 and checks
/// every series recorded. Call once per process.
pub async fn published_with_exact_values_and_labels<A: Adapter>() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this binary");

    let sim = simulator(|config| config.heartbeat_interval = Duration::from_secs(1)).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let id = ShardId::new(3, 4).expect("valid shard");
    let shard = A::shard(id, config, &open_queue::<A>());
    let outcome = support::whole_session(&sim, id, shard).await;
    let stats = &outcome.statistics;

    let mut recorded = Series::new();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let mut shard = None;
        let mut labels = Vec::new();
        for label in key.labels() {
            if label.key() == "shard" {
                shard = Some(label.value().to_owned());
            } else {
                labels.push(format!("{}=\"{}\"", label.key(), label.value()));
            }
        }
        assert_eq!(
            shard.as_deref(),
            Some("3"),
            "{key}: every series is shard 3's"
        );
        let value = match value {
            DebugValue::Counter(n) => Value::Counter(n),
            DebugValue::Gauge(x) => Value::Gauge(x.into_inner()),
            DebugValue::Histogram(xs) => {
                Value::Histogram(xs.into_iter().map(|x| x.into_inner()).collect())
            }
        };
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        assert!(recorded.insert(name, value).is_none(), "one series per key");
    }

    // One sample per acknowledged heartbeat, each a loopback round trip.
    let latency = "discord_gateway_heartbeat_latency_seconds{}";
    let Some(Value::Histogram(samples)) = recorded.remove(latency) else {
        panic!("no latency histogram: {recorded:?}");
    };
    assert_eq!(samples.len() as u64, stats.heartbeat_acks, "{samples:?}");
    assert!(stats.heartbeat_acks >= 1);
    assert!(
        samples.iter().all(|s| (0.0..1.0).contains(s)),
        "{samples:?}"
    );

    let state = |current: &str| {
        [
            "active",
            "awaiting_hello",
            "awaiting_permit",
            "backing_off",
            "closed",
            "connecting",
            "identifying",
            "resuming",
        ]
        .map(|state| {
            let on = if state == current { 1.0 } else { 0.0 };
            series("state", &format!("state=\"{state}\""), Value::Gauge(on))
        })
    };
    let dispatches = |event: &str, n: usize| {
        series(
            "dispatches_total",
            &format!("event=\"{event}\""),
            Value::Counter(n as u64),
        )
    };
    let expected: Series = [
        dispatches("READY", 1),
        dispatches("GUILD_CREATE", outcome.guilds),
        dispatches("MESSAGE_CREATE", outcome.messages),
        dispatches("RESUMED", 2),
        counter("dispatches_filtered_total", 0),
        counter("duplicates_dropped_total", 0),
        counter("sequence_gaps_total", 0),
        counter("messages_received_total", stats.messages_received),
        counter("received_bytes_total", stats.bytes_received),
        counter("payloads_received_total", stats.payloads_received),
        counter("inflated_bytes_total", stats.bytes_inflated),
        counter("frames_sent_total", stats.frames_sent),
        counter("heartbeats_sent_total", stats.heartbeats_sent),
        counter("commands_sent_total", 1),
        counter("identifies_total", 1),
        counter("resumes_total", 2),
        counter("resumes_completed_total", 2),
        series("reconnects_total", "cause=\"gateway\"", Value::Counter(1)),
        series("reconnects_total", "cause=\"reconnect\"", Value::Counter(1)),
        counter("invalid_sessions_total", 0),
        counter("fatal_closes_total", 0),
        counter("receive_errors_total", 0),
        series("commands_queued", "", Value::Gauge(0.0)),
        series("connected_seconds", "", Value::Gauge(0.0)),
    ]
    .into_iter()
    .chain(state("closed"))
    .collect();
    assert_eq!(recorded, expected);

    // The figures the counters mirror are what they should be: every payload counted, the
    // wire bytes compressed, one frame each for Identify, two Resumes, heartbeats, the command.
    let payloads = outcome
        .events
        .iter()
        .filter(|event| event.payload().is_some())
        .count() as u64;
    assert_eq!(stats.payloads_received, payloads);
    assert!(stats.bytes_received < stats.bytes_inflated, "{stats:?}");
    assert_eq!(stats.frames_sent, 1 + 2 + stats.heartbeats_sent + 1);
    assert!(!outcome.session.is_empty());
    // The dropped socket may surface as a transport error: the adapter's, not a bad payload.
    assert!(outcome.errors.len() <= 1, "{:?}", outcome.errors);
}
