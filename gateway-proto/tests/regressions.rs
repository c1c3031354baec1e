//! Regression tests: one per bug the deterministic simulation (tests/dst.rs) or the fuzz
//! targets (fuzz/) found in gateway-proto. Each test is named after the bug and says which
//! seed or input found it.

mod support;

use gateway_proto::{command::RequestGuildMembers, Event, Id};
use serde_json::json;
use std::time::Duration;
use support::{Act, Harness};

/// Found by DST seed 3: the limiter let exactly 120 frames into a 60 s window by send
/// time. The gateway counts arrivals, so latency jitter (the first frame delayed a little
/// more than the last) made it see 121 and close with 4008. A frame now holds its slot
/// for 61 s, so even a window a second longer than 60 s never holds more than 120.
#[test]
fn latency_jitter_cannot_turn_a_full_window_into_121_frames() {
    let mut h = Harness::new();
    h.connect_ready();
    for n in 0..400 {
        let request =
            RequestGuildMembers::query(Id(820627323903672320), "a", 1).with_nonce(format!("n{n}"));
        h.shard.send_command(h.now, &request).expect("queued");
    }
    h.drain();
    h.advance(Duration::from_secs(600));
    assert_eq!(h.shard.queued_commands(), 0, "every command went out");
    let sent: Vec<Duration> = h
        .acts
        .iter()
        .filter_map(|(at, act)| matches!(act, Act::Send(_)).then_some(*at))
        .collect();
    // Frames sent up to 60.9 s apart may arrive within 60 s of each other.
    let span = Duration::from_millis(60_900);
    for (i, first) in sent.iter().enumerate() {
        let within = sent[i..].iter().take_while(|t| **t - *first < span).count();
        assert!(
            within <= 120,
            "{within} frames within {span:?} from {first:?}"
        );
    }
}

/// Found by the `machine` fuzz target in its first minute (a restored session at s=29667,
/// then RESUMED with s=25708 before Hello): a RESUMED carrying an older `s` rewound the
/// session's sequence. The next Resume asked for a replay from the older point and the
/// dispatches after it, already delivered, were delivered again.
#[test]
fn resumed_with_an_older_s_does_not_rewind_the_sequence() {
    let mut h = Harness::new();
    h.connect_ready();
    for seq in 2..=5 {
        h.dispatch(seq, "MESSAGE_CREATE", json!({ "n": seq }));
    }
    h.recv(json!({"op":0,"s":3,"t":"RESUMED","d":{}}));
    assert_eq!(h.shard.session().unwrap().sequence, 5);
    h.take_events();
    h.dispatch(4, "MESSAGE_CREATE", json!({"n":4}));
    h.dispatch(6, "MESSAGE_CREATE", json!({"n":6}));
    let seqs: Vec<u64> = h
        .take_events()
        .iter()
        .filter_map(|e| match e {
            Event::Dispatch(d) => Some(d.seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, [6], "4 was delivered already");
    h.server_close(None);
    h.open();
    h.hello();
    assert_eq!(h.sent_with_op(6).last().unwrap().1["d"]["seq"], json!(6));
}

/// Found by DST seed 44 (with the check that a zombie verdict needs withheld ACKs): the
/// gateway asked for a heartbeat (op 1) 250 ms before the scheduled one was due, with a
/// 600 ms round trip. The requested heartbeat's ACK could not arrive in time, and the
/// machine declared the connection a zombie and reconnected although the gateway had
/// acknowledged everything. Only the schedule's own heartbeats now count.
#[test]
fn a_requested_heartbeat_right_before_the_scheduled_one_is_not_a_zombie() {
    let mut h = Harness::new();
    h.connect_ready();
    let (due, _) = h.shard.next_timeout().expect("heartbeat scheduled");
    h.advance(due - h.now);
    assert_eq!(h.sent_with_op(1).len(), 1, "the first heartbeat went out");
    h.auto_ack = false;
    let (due, _) = h.shard.next_timeout().expect("heartbeat scheduled");
    h.advance(due - h.now - Duration::from_millis(250));
    h.recv(json!({"op":1,"d":null}));
    h.clear();
    h.advance(Duration::from_millis(300));
    assert!(h.closes().is_empty(), "no zombie verdict: {:?}", h.acts);
    assert_eq!(
        h.sent_with_op(1).len(),
        1,
        "the scheduled heartbeat went out"
    );
    // A real zombie is still abandoned: no ACK for a whole interval after it.
    h.advance(Duration::from_secs(support::INTERVAL_MS / 1000 + 1));
    assert_eq!(h.closes().len(), 1, "{:?}", h.acts);
}

/// Found by reading the limiter while writing the memory invariant, confirmed by this
/// test: with the limiter turned off (`ratelimit(false)`), every frame's send time was
/// still recorded and never pruned (pruning ran only when asking for a slot), so a shard
/// that ran for days held one `Instant` per frame it ever sent on the connection.
#[test]
fn send_times_do_not_pile_up_with_the_limiter_off() {
    let mut h = Harness::with(support::config().ratelimit(false).build().unwrap());
    h.connect_ready();
    let baseline = h.shard.heap_bytes();
    for n in 0..20_000u32 {
        let request =
            RequestGuildMembers::query(Id(820627323903672320), "a", 1).with_nonce(format!("n{n}"));
        h.shard.send_command(h.now, &request).expect("queued");
        h.drain();
        h.advance(Duration::from_millis(600));
    }
    let held = h.shard.heap_bytes();
    assert!(
        held < baseline + 64 * 1024,
        "{held} heap bytes after 20000 frames, {baseline} at the start"
    );
}

/// Found while checking the bounded-memory invariant against a slow consumer (the
/// simulation's consumer feeds what piled up during a stall before draining once): the
/// output queue kept the capacity of its largest backlog forever. After 5000 events
/// drained late, a machine held 720 KB for the rest of its life.
#[test]
fn output_queue_gives_memory_back_after_a_slow_consumer_drains() {
    let mut h = Harness::new();
    h.connect_ready();
    let baseline = h.shard.heap_bytes();
    for seq in 2..5000u64 {
        let text = format!(r#"{{"op":0,"s":{seq},"t":"MESSAGE_CREATE","d":{{}}}}"#);
        h.shard
            .handle_message(h.now, gateway_proto::Message::Text(&text));
    }
    h.drain();
    let delivered = h
        .take_events()
        .iter()
        .filter(|e| matches!(e, Event::Dispatch(_)))
        .count();
    assert_eq!(delivered, 4998, "every event was delivered");
    let held = h.shard.heap_bytes();
    assert!(
        held < baseline + 16 * 1024,
        "{held} heap bytes after the backlog drained, {baseline} before"
    );
}

/// Found by a long DST run (2000 seeds x 6 h in release), seed 1100 (DST_SEED=1100
/// DST_HOURS=6): with a 2 s interval and a 650 ms round trip, the caller stalled 2.5 s,
/// then sent the late heartbeat; the schedule kept its cadence, so the next one fell due
/// 200 ms later and found the late one unacknowledged: a zombie verdict on a healthy
/// connection. A scheduled heartbeat now gets a whole interval for its ACK.
#[test]
fn a_late_heartbeat_gets_a_whole_interval_for_its_ack() {
    let mut h = Harness::new();
    h.connect_ready();
    let (due, _) = h.shard.next_timeout().expect("heartbeat scheduled");
    h.advance(due - h.now);
    assert_eq!(
        h.sent_with_op(1).len(),
        1,
        "the first heartbeat went out and was acked"
    );
    h.auto_ack = false;
    let (due, _) = h.shard.next_timeout().expect("heartbeat scheduled");
    // The caller wakes up 200 ms before the heartbeat after this one is due.
    h.now = due + Duration::from_millis(support::INTERVAL_MS - 200);
    h.shard.handle_timeout(h.now);
    h.drain();
    assert_eq!(h.sent_with_op(1).len(), 2, "the late heartbeat went out");
    h.clear();
    h.advance(Duration::from_millis(300));
    assert!(h.closes().is_empty(), "no zombie verdict: {:?}", h.acts);
    h.recv(json!({"op":11,"d":null}));
    h.clear();
    // Without ACKs from here on the connection is still abandoned in time.
    h.advance(Duration::from_millis(support::INTERVAL_MS * 2));
    assert_eq!(h.closes().len(), 1, "{:?}", h.acts);
}
