//! What the `metrics` feature publishes, on the virtual clock: a session through READY,
//! dispatches, heartbeats, a drop and a resume, op 7 and a resume, then a user close, with
//! a recorder scoped to the test (`metrics::with_local_recorder`). Each test asserts every
//! series recorded, with its labels and value.

mod support;

use gateway_proto::{telemetry::Telemetry, CloseFrame, Config, ShardId};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use serde_json::json;
use std::{collections::BTreeMap, time::Duration};
use support::{config, Harness, INTERVAL_MS};

/// A recorded value, in the form the assertions compare.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Counter(u64),
    Gauge(f64),
    Histogram(Vec<f64>),
}

/// Every series in the recorder as `name{label="value",…}` (labels in key order).
fn series(recorder: &DebuggingRecorder) -> BTreeMap<String, Value> {
    recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let mut labels: Vec<String> = key
                .labels()
                .map(|label| format!("{}=\"{}\"", label.key(), label.value()))
                .collect();
            labels.sort();
            let name = format!("{}{{{}}}", key.name(), labels.join(","));
            let value = match value {
                DebugValue::Counter(n) => Value::Counter(n),
                DebugValue::Gauge(x) => Value::Gauge(x.into_inner()),
                DebugValue::Histogram(xs) => {
                    Value::Histogram(xs.into_iter().map(|x| x.into_inner()).collect())
                }
            };
            (name, value)
        })
        .collect()
}

/// The series of shard 3 with a constant value; `extra` is the other labels.
fn entry(name: &str, extra: &str, value: Value) -> (String, Value) {
    let mut labels = vec!["shard=\"3\"".to_owned()];
    if !extra.is_empty() {
        labels.push(extra.to_owned());
    }
    labels.sort();
    let labels = labels.join(",");
    (format!("discord_gateway_{name}{{{labels}}}"), value)
}

fn counter(name: &str, value: u64) -> (String, Value) {
    entry(name, "", Value::Counter(value))
}

fn shard3() -> Harness {
    let config: Config = config().build().expect("valid config");
    Harness::with_shard(ShardId::new(3, 4).expect("valid shard"), config)
}

/// Delivers a Heartbeat ACK `rtt` after the next heartbeat.
fn heartbeat_acked_after(h: &mut Harness, rtt: Duration) {
    h.auto_ack = false;
    let due = h.shard.poll_timeout().expect("a heartbeat is due") - h.now;
    h.advance(due);
    h.advance(rtt);
    h.recv(json!({"op": 11, "d": null}));
}

#[test]
fn a_session_with_a_drop_and_op7_is_published_exactly() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let mut h = shard3();
        let mut telemetry = Telemetry::new(h.shard.id());
        let mut step = |h: &mut Harness| telemetry.observe(&h.shard, h.now);
        step(&mut h);
        h.connect_ready();
        step(&mut h);
        for seq in 2..=4 {
            h.dispatch(seq, "MESSAGE_CREATE", json!({"id": seq.to_string()}));
            step(&mut h);
        }
        h.dispatch(4, "MESSAGE_CREATE", json!({"id": "4"}));
        h.dispatch(5, "GUILD_CREATE", json!({"id": "5"}));
        h.dispatch(7, "NOT_YET_DOCUMENTED", json!({}));
        step(&mut h);
        heartbeat_acked_after(&mut h, Duration::from_millis(250));
        step(&mut h);
        // Published again with nothing new: nothing changes.
        step(&mut h);

        h.server_close(None);
        step(&mut h);
        h.advance(Duration::from_secs(10));
        h.open();
        h.hello();
        h.dispatch(8, "MESSAGE_CREATE", json!({"id": "8"}));
        h.dispatch(9, "RESUMED", json!({}));
        step(&mut h);

        h.recv(json!({"op": 7, "d": null}));
        step(&mut h);
        h.advance(Duration::from_secs(10));
        h.open();
        h.hello();
        h.dispatch(9, "RESUMED", json!({}));
        step(&mut h);
        h.advance(Duration::from_secs(3));
        step(&mut h);
        let connected = Value::Gauge(3.0);
        let stats = h.shard.stats().clone();
        let active = series(&recorder);
        assert_eq!(
            active[&entry("connected_seconds", "", Value::Counter(0)).0],
            connected
        );

        h.shard.close(h.now, CloseFrame::NORMAL);
        h.drain();
        step(&mut h);
        // Taken after the close: the counters and samples since `active` (a snapshot takes
        // them) and the gauges as they end.
        let after = series(&recorder);

        let mut counted = active.clone();
        for (name, value) in &after {
            match (value, counted.get_mut(name)) {
                (Value::Counter(more), Some(Value::Counter(before))) => *before += more,
                (Value::Histogram(more), Some(Value::Histogram(before))) => {
                    before.extend(more);
                }
                _ => {
                    counted.insert(name.clone(), value.clone());
                }
            }
        }
        let state = |current: &str| {
            [
                "backing_off",
                "connecting",
                "awaiting_hello",
                "awaiting_permit",
                "identifying",
                "resuming",
                "active",
                "closed",
            ]
            .map(|state| {
                let on = if state == current { 1.0 } else { 0.0 };
                entry("state", &format!("state=\"{state}\""), Value::Gauge(on))
            })
        };
        let expected: BTreeMap<String, Value> = [
            entry("dispatches_total", "event=\"READY\"", Value::Counter(1)),
            entry(
                "dispatches_total",
                "event=\"MESSAGE_CREATE\"",
                Value::Counter(5),
            ),
            entry(
                "dispatches_total",
                "event=\"GUILD_CREATE\"",
                Value::Counter(1),
            ),
            entry("dispatches_total", "event=\"UNKNOWN\"", Value::Counter(1)),
            entry("dispatches_total", "event=\"RESUMED\"", Value::Counter(2)),
            counter("dispatches_filtered_total", 0),
            counter("duplicates_dropped_total", 1),
            counter("sequence_gaps_total", 1),
            counter("messages_received_total", stats.messages_received),
            counter("received_bytes_total", stats.bytes_received),
            counter("payloads_received_total", stats.payloads_received),
            counter("inflated_bytes_total", stats.bytes_inflated),
            counter("frames_sent_total", stats.frames_sent),
            counter("heartbeats_sent_total", stats.heartbeats_sent),
            counter("commands_sent_total", 0),
            counter("identifies_total", 1),
            counter("resumes_total", 2),
            counter("resumes_completed_total", 2),
            entry("reconnects_total", "cause=\"gateway\"", Value::Counter(1)),
            entry("reconnects_total", "cause=\"reconnect\"", Value::Counter(1)),
            counter("invalid_sessions_total", 0),
            counter("fatal_closes_total", 0),
            counter("receive_errors_total", 0),
            entry(
                "heartbeat_latency_seconds",
                "",
                Value::Histogram(vec![0.25]),
            ),
            entry("commands_queued", "", Value::Gauge(0.0)),
            entry("connected_seconds", "", Value::Gauge(0.0)),
        ]
        .into_iter()
        .chain(state("closed"))
        .collect();
        assert_eq!(counted, expected);
        // Every message of this session is text, one payload each: nothing inflated.
        assert_eq!(stats.messages_received, 15);
        assert_eq!(stats.bytes_received, stats.bytes_inflated);
        assert_eq!(stats.heartbeats_sent, 1);
    });
}

#[test]
fn an_exporter_that_starts_late_publishes_the_totals_once() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let mut h = shard3();
        h.connect_ready();
        for seq in 2..=3 {
            h.dispatch(seq, "TYPING_START", json!({}));
        }
        let mut telemetry = Telemetry::new(h.shard.id());
        telemetry.observe(&h.shard, h.now);
        telemetry.observe(&h.shard, h.now);
        let got = series(&recorder);
        let typing = entry(
            "dispatches_total",
            "event=\"TYPING_START\"",
            Value::Counter(2),
        );
        assert_eq!(got.get(&typing.0), Some(&typing.1));
        let identifies = counter("identifies_total", 1);
        assert_eq!(got.get(&identifies.0), Some(&identifies.1));
        let active = entry("state", "state=\"active\"", Value::Gauge(1.0));
        assert_eq!(got.get(&active.0), Some(&active.1));
    });
}

#[test]
fn each_acknowledged_heartbeat_is_one_latency_sample() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let mut h = shard3();
        let mut telemetry = Telemetry::new(h.shard.id());
        h.connect_ready();
        telemetry.observe(&h.shard, h.now);
        let mut expected = Vec::new();
        for ms in [10, 20, 30] {
            heartbeat_acked_after(&mut h, Duration::from_millis(ms));
            expected.push(ms as f64 / 1000.0);
            // Observed several times per ACK, as an adapter does after every step.
            telemetry.observe(&h.shard, h.now);
            h.advance(Duration::from_millis(INTERVAL_MS / 2));
            telemetry.observe(&h.shard, h.now);
        }
        // An ACK nobody asked for is no sample.
        h.recv(json!({"op": 11, "d": null}));
        telemetry.observe(&h.shard, h.now);
        let key = entry("heartbeat_latency_seconds", "", Value::Counter(0)).0;
        assert_eq!(series(&recorder)[&key], Value::Histogram(expected));
        assert_eq!(h.shard.stats().heartbeat_acks, 3);
    });
}
