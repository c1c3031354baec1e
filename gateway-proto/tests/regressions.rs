//! Regression tests: one per bug the deterministic simulation (tests/dst.rs) or the fuzz
//! targets (fuzz/) found in gateway-proto. Each test is named after the bug and says which
//! seed or input found it.

mod support;

use gateway_proto::{command::RequestGuildMembers, Id};
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
