//! One test per protocol rule of the shard machine, on a virtual clock against a
//! scripted peer. Test names are the rules.

mod support;

use gateway_proto::{
    CloseCause, Command, Event, Id, Initiator, Next, OpCode, SendError, Session, ShardMachine,
    State, Timer,
};
use serde_json::json;
use std::time::Duration;
use support::{config, Act, Harness, INTERVAL_MS, MAIN_URL, RESUME_URL, TOKEN};

const INTERVAL: Duration = Duration::from_millis(INTERVAL_MS);

// ----- rule 1: heartbeats -----

#[test]
fn first_heartbeat_at_interval_times_jitter_then_every_interval() {
    let mut h = Harness::new();
    h.open();
    h.hello();
    let (due, timer) = h.shard.next_timeout().expect("a heartbeat is scheduled");
    assert_eq!(timer, Timer::Heartbeat);
    let first = due - h.start;
    assert!(
        first < INTERVAL,
        "first heartbeat within one interval, got {first:?}"
    );
    h.advance(INTERVAL * 4);
    let beats: Vec<Duration> = h.sent_with_op(1).into_iter().map(|(at, _)| at).collect();
    assert_eq!(beats.len(), 4, "{beats:?}");
    assert_eq!(beats[0], first);
    for pair in beats.windows(2) {
        assert_eq!(pair[1] - pair[0], INTERVAL);
    }
}

#[test]
fn jitter_comes_from_the_seed() {
    let first_beat = |seed| {
        let mut h = Harness::with(config().rng_seed(seed).build().unwrap());
        h.open();
        h.hello();
        h.shard.poll_timeout().unwrap() - h.start
    };
    assert_eq!(first_beat(1), first_beat(1));
    assert_ne!(first_beat(1), first_beat(2));
}

#[test]
fn heartbeat_carries_last_sequence_or_null() {
    let mut h = Harness::new();
    h.open();
    h.hello();
    h.advance(INTERVAL);
    assert_eq!(
        h.sent_with_op(1)[0].1["d"],
        json!(null),
        "null before any dispatch"
    );
    h.ready(1);
    h.dispatch(2, "MESSAGE_CREATE", json!({"id":"1"}));
    h.dispatch(3, "GUILD_CREATE", json!({"id":"2"}));
    h.advance(INTERVAL);
    assert_eq!(h.sent_with_op(1).last().unwrap().1["d"], json!(3));
}

#[test]
fn server_heartbeat_request_is_answered_at_once() {
    let mut h = Harness::new();
    h.connect_ready();
    let before = h.sent_with_op(1).len();
    h.recv(json!({"op":1,"d":null}));
    let beats = h.sent_with_op(1);
    assert_eq!(beats.len(), before + 1);
    assert_eq!(
        beats.last().unwrap().0,
        h.elapsed(),
        "sent at the same instant"
    );
    assert_eq!(beats.last().unwrap().1["d"], json!(1));
}

// ----- rule 2: zombie -----

#[test]
fn zombie_connection_is_closed_resumably_and_resumed() {
    let mut h = Harness::new();
    h.connect_ready();
    h.auto_ack = false;
    h.dispatch(2, "MESSAGE_CREATE", json!({}));
    h.clear();
    // First unacknowledged heartbeat goes out; at the next one the machine gives up.
    h.advance(INTERVAL * 2);
    let closes = h.closes();
    assert_eq!(closes.len(), 1, "{:?}", h.acts);
    assert!(
        closes[0] != 1000 && closes[0] != 1001,
        "resumable code, got {}",
        closes[0]
    );
    assert!(h.take_events().iter().any(|e| matches!(
        e,
        Event::Closed(c) if c.cause == CloseCause::Zombie && c.next == Next::Resume
    )));
    assert!(
        h.connects()[0].starts_with(RESUME_URL),
        "{:?}",
        h.connects()
    );
    h.auto_ack = true;
    h.open();
    h.hello();
    let resume = h.sent_with_op(6);
    assert_eq!(
        resume[0].1["d"],
        json!({"token":TOKEN,"session_id":"sess-1","seq":2})
    );
}

// ----- rule 3: identify needs a permit; resume goes to the resume URL -----

#[test]
fn identify_waits_for_a_permit() {
    let mut h = Harness::new();
    h.auto_permit = false;
    h.open();
    h.hello();
    assert!(h.acts.iter().any(|(_, a)| *a == Act::RequestIdentify));
    assert!(
        h.sent_with_op(2).is_empty(),
        "no identify before the permit"
    );
    assert_eq!(h.shard.state(), State::AwaitingPermit);
    h.advance(Duration::from_secs(30));
    assert!(h.sent_with_op(2).is_empty());
    h.grant_permit();
    let identify = &h.sent_with_op(2)[0].1["d"];
    assert_eq!(identify["token"], TOKEN);
    assert_eq!(identify["intents"], json!(513));
    assert_eq!(identify["shard"], json!([0, 1]));
    assert_eq!(identify["large_threshold"], json!(50));
    assert_eq!(h.shard.state(), State::Identifying);
    // A second permit is stale and changes nothing.
    h.grant_permit();
    assert_eq!(h.sent_with_op(2).len(), 1);
}

#[test]
fn resume_goes_to_resume_url_with_same_query_after_hello() {
    let config = config()
        .compression(gateway_proto::Compression::ZlibStream)
        .build()
        .unwrap();
    let mut h = Harness::with(config);
    assert_eq!(
        h.connects()[0],
        format!("{MAIN_URL}/?v=10&encoding=json&compress=zlib-stream")
    );
    // Drive the first connection with text frames (the machine accepts both).
    h.connect_ready();
    h.dispatch(2, "MESSAGE_CREATE", json!({}));
    h.server_close(None);
    let url = h.connects().last().unwrap().clone();
    assert_eq!(
        url,
        format!("{RESUME_URL}/?v=10&encoding=json&compress=zlib-stream")
    );
    h.clear();
    h.open();
    assert!(h.sent_with_op(6).is_empty(), "resume only after hello");
    h.hello();
    assert_eq!(h.sent_ops(), vec![6]);
    assert_eq!(
        h.sent()[0]["d"],
        json!({"token":TOKEN,"session_id":"sess-1","seq":2})
    );
    assert!(
        !h.acts.iter().any(|(_, a)| *a == Act::RequestIdentify),
        "no identify for a resume"
    );
}

// ----- rule 4: READY, sequence, RESUMED -----

#[test]
fn ready_stores_session_id_and_resume_url() {
    let mut h = Harness::new();
    h.connect_ready();
    assert_eq!(
        h.shard.session(),
        Some(&Session::new("sess-1", 1, RESUME_URL))
    );
    assert_eq!(h.shard.state(), State::Active);
    let ready = h.take_events().into_iter().find_map(|e| match e {
        Event::Ready(ready) => Some(ready),
        _ => None,
    });
    let ready = ready.expect("a ready event");
    assert_eq!(ready.user_id, Id(1194566300643491842));
    assert_eq!(
        ready.guild_ids,
        vec![Id(820627323903672320), Id(981346340065902592)]
    );
    assert_eq!(ready.shard, Some([0, 1]));
    assert_eq!(ready.resume_url, RESUME_URL);
}

#[test]
fn filtered_dispatches_still_advance_the_sequence() {
    let config = config()
        .event_types(gateway_proto::EventTypeFlags::READY)
        .build()
        .unwrap();
    let mut h = Harness::with(config);
    h.connect_ready();
    h.take_events();
    h.dispatch(2, "MESSAGE_CREATE", json!({}));
    h.dispatch(3, "SOMETHING_NEW", json!({}));
    assert!(h
        .take_events()
        .iter()
        .all(|e| !matches!(e, Event::Dispatch(_))));
    assert_eq!(h.shard.session().unwrap().sequence, 3);
    assert_eq!(h.shard.stats().dispatches_filtered, 2);
}

#[test]
fn resumed_ends_the_replay() {
    let mut h = Harness::new();
    h.connect_ready();
    h.dispatch(2, "MESSAGE_CREATE", json!({"n":2}));
    h.server_close(Some(4000));
    h.open();
    h.hello();
    assert_eq!(h.shard.state(), State::Resuming);
    h.take_events();
    // The replay repeats 2 (already seen), then 3 and 4 are new.
    for seq in 2..=4 {
        h.dispatch(seq, "MESSAGE_CREATE", json!({ "n": seq }));
    }
    h.recv(json!({"op":0,"s":5,"t":"RESUMED","d":{}}));
    assert_eq!(h.shard.state(), State::Active);
    let events = h.take_events();
    let seqs: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Dispatch(d) => Some(d.seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, [3, 4], "the duplicate 2 is dropped");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Resumed(r) if r.replayed == 2)));
    assert_eq!(h.shard.session().unwrap().sequence, 5);
}

// ----- rule 5: op 7 and op 9 -----

#[test]
fn reconnect_opcode_reconnects_and_resumes() {
    let mut h = Harness::new();
    h.connect_ready();
    h.clear();
    h.recv(json!({"op":7,"d":null}));
    assert_eq!(h.closes(), [4000]);
    assert!(h.connects()[0].starts_with(RESUME_URL));
    h.open();
    h.hello();
    assert_eq!(h.sent_with_op(6).len(), 1);
}

#[test]
fn reconnect_before_hello_is_honoured() {
    let mut h = Harness::new();
    h.open();
    h.clear();
    h.recv(json!({"op":7,"d":null}));
    assert_eq!(h.closes(), [4000]);
    assert_eq!(h.connects().len(), 1);
}

#[test]
fn invalid_session_resumable_resumes() {
    let mut h = Harness::new();
    h.connect_ready();
    h.clear();
    h.recv(json!({"op":9,"d":true}));
    assert!(h.connects()[0].starts_with(RESUME_URL));
    h.open();
    h.hello();
    assert_eq!(h.sent_ops(), [6]);
}

#[test]
fn invalid_session_not_resumable_waits_1_to_5_s_then_identifies_on_main_url() {
    for seed in 0..20 {
        let mut h = Harness::with(config().rng_seed(seed).build().unwrap());
        h.connect_ready();
        h.clear();
        let at = h.elapsed();
        h.recv(json!({"op":9,"d":false}));
        assert_eq!(h.shard.session(), None);
        assert!(h.connects().is_empty(), "waits before reconnecting");
        h.advance(Duration::from_secs(6));
        let connect_at = h
            .acts
            .iter()
            .find_map(|(t, a)| matches!(a, Act::Connect(_)).then_some(*t));
        let wait = connect_at.expect("reconnected") - at;
        assert!(
            (Duration::from_secs(1)..=Duration::from_secs(5)).contains(&wait),
            "{wait:?}"
        );
        assert!(h.connects()[0].starts_with(MAIN_URL));
        h.open();
        h.hello();
        assert_eq!(h.sent_ops(), [2], "identify, not resume");
    }
}

// ----- rule 6: close codes -----

#[test]
fn fatal_close_codes_stop_the_shard_for_good() {
    for code in [4004, 4010, 4011, 4012, 4013, 4014] {
        let mut h = Harness::new();
        h.connect_ready();
        h.clear();
        h.server_close(Some(code));
        assert_eq!(h.shard.state(), State::Closed);
        let events = h.take_events();
        let closed = events.iter().find_map(|e| match e {
            Event::Closed(c) => Some(c.clone()),
            _ => None,
        });
        let closed = closed.expect("a close event");
        assert!(closed.is_fatal(), "{code}");
        assert_eq!(closed.next, Next::Stop);
        assert_eq!(closed.code, Some(code));
        h.advance(Duration::from_secs(600));
        assert!(h.connects().is_empty(), "{code}: no reconnect");
        assert!(
            h.sent().is_empty(),
            "{code}: nothing sent after a fatal close"
        );
        assert_eq!(h.shard.poll_timeout(), None);
    }
}

#[test]
fn new_session_close_codes_identify_without_a_doomed_resume() {
    for code in [4003, 4005, 4007, 4009] {
        let mut h = Harness::new();
        h.connect_ready();
        h.clear();
        h.server_close(Some(code));
        assert_eq!(h.shard.session(), None, "{code}");
        h.advance(Duration::from_secs(1));
        assert!(h.connects()[0].starts_with(MAIN_URL), "{code}");
        h.open();
        h.hello();
        assert_eq!(h.sent_ops(), [2], "{code}");
    }
}

#[test]
fn other_close_codes_and_drops_resume() {
    for code in [
        None,
        Some(1000),
        Some(1001),
        Some(1006),
        Some(4000),
        Some(4001),
        Some(4002),
        Some(4008),
        Some(4999),
    ] {
        let mut h = Harness::new();
        h.connect_ready();
        h.clear();
        h.server_close(code);
        let events = h.take_events();
        assert!(
            events.iter().any(|e| matches!(e, Event::Closed(c) if c.next == Next::Resume && c.initiator == Initiator::Remote)),
            "{code:?}"
        );
        h.advance(Duration::from_secs(1));
        assert!(h.connects()[0].starts_with(RESUME_URL), "{code:?}");
        h.open();
        h.hello();
        assert_eq!(h.sent_ops(), [6], "{code:?}");
    }
}

// ----- rule 7: backoff -----

#[test]
fn reconnect_backoff_grows_until_a_connection_is_healthy() {
    let mut h = Harness::new();
    let mut gaps = vec![];
    for _ in 0..8 {
        // The gateway accepts, says hello, and closes at once.
        h.open();
        h.hello();
        h.clear();
        let closed_at = h.elapsed();
        h.server_close(Some(4000));
        h.advance(Duration::from_secs(120));
        let connect_at = h
            .acts
            .iter()
            .find_map(|(t, a)| matches!(a, Act::Connect(_)).then_some(*t));
        gaps.push(connect_at.expect("reconnects") - closed_at);
    }
    assert_eq!(gaps[0], Duration::ZERO, "the first reconnect is immediate");
    for pair in gaps.windows(2) {
        assert!(pair[1] >= pair[0], "delays do not shrink: {gaps:?}");
    }
    assert!(gaps.last().unwrap() >= &Duration::from_secs(30), "{gaps:?}");
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(60)),
        "capped: {gaps:?}"
    );
    // A healthy connection resets the count: the next drop reconnects at once.
    h.open();
    h.hello();
    h.ready(1);
    h.clear();
    h.server_close(None);
    assert_eq!(
        h.connects().len(),
        1,
        "immediate reconnect after a healthy session"
    );
}

// ----- rule 8: command rate limit -----

/// An op 8 request written for the test (the typed commands have their own tests).
#[derive(serde::Serialize)]
struct MembersRequest {
    guild_id: &'static str,
    query: &'static str,
    limit: u32,
    nonce: String,
}

impl Command for MembersRequest {
    const OPCODE: OpCode = OpCode::RequestGuildMembers;
}

fn request(n: u64) -> MembersRequest {
    MembersRequest {
        guild_id: "820627323903672320",
        query: "",
        limit: 0,
        nonce: format!("n{n}"),
    }
}

#[test]
fn commands_never_exceed_120_frames_per_60_s_and_heartbeats_keep_room() {
    let mut h = Harness::new();
    h.connect_ready();
    for n in 0..150 {
        h.shard.send_command(h.now, &request(n)).expect("queued");
    }
    h.drain();
    assert!(
        h.shard.queued_commands() > 0,
        "some commands wait for slots"
    );
    let (_, reason) = h.shard.next_timeout().unwrap();
    let _ = reason;
    h.advance(Duration::from_secs(300));
    assert_eq!(h.sent_with_op(8).len(), 150, "every command was sent");
    assert_eq!(h.shard.queued_commands(), 0);
    let times: Vec<Duration> = h
        .acts
        .iter()
        .filter_map(|(t, a)| matches!(a, Act::Send(_)).then_some(*t))
        .collect();
    for (i, start) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|t| **t - *start < Duration::from_secs(60))
            .count();
        assert!(
            in_window <= 120,
            "{in_window} frames in the 60 s after {start:?}"
        );
    }
    // Heartbeats stayed on schedule through the burst.
    let beats: Vec<Duration> = h.sent_with_op(1).into_iter().map(|(t, _)| t).collect();
    for pair in beats.windows(2) {
        assert_eq!(pair[1] - pair[0], INTERVAL);
    }
}

#[test]
fn next_deadline_tells_when_a_queued_command_can_go() {
    let mut h = Harness::new();
    h.connect_ready();
    for n in 0..130 {
        h.shard.send_command(h.now, &request(n)).unwrap();
    }
    h.drain();
    let state = h.shard.ratelimiter(h.now);
    assert_eq!(state.available, 0);
    let next_free = state.next_free.expect("a slot frees later");
    let send_timer = h
        .shard
        .next_timeout()
        .filter(|(_, t)| *t == Timer::Send)
        .map(|(at, _)| at);
    // Either the Send timer is the next deadline, or a heartbeat comes first.
    if let Some(at) = send_timer {
        assert_eq!(at, next_free);
    }
    assert!(next_free - h.now <= Duration::from_secs(60) + gateway_proto::ratelimit::SEND_MARGIN);
}

#[test]
fn a_full_queue_is_an_error_not_silent_loss() {
    let mut h = Harness::with(config().queue_capacity(3).build().unwrap());
    h.open(); // not active yet: commands wait
    for n in 0..3 {
        h.shard.send_command(h.now, &request(n)).unwrap();
    }
    assert_eq!(
        h.shard.send_command(h.now, &request(9)),
        Err(SendError::QueueFull { capacity: 3 })
    );
    h.hello();
    h.ready(1);
    assert_eq!(
        h.sent_with_op(8).len(),
        3,
        "queued commands go out once active"
    );
}

#[test]
fn identify_and_resume_count_toward_the_limit() {
    let mut h = Harness::new();
    h.open();
    h.hello();
    let state = h.shard.ratelimiter(h.now);
    assert_eq!(state.available + 1, state.max, "identify used a slot");
}

// ----- rule 9: 4096 bytes -----

#[test]
fn payloads_over_4096_bytes_are_refused_and_never_sent() {
    let mut h = Harness::new();
    h.connect_ready();
    h.clear();
    let big = format!(r#"{{"op":3,"d":{{"x":"{}"}}}}"#, "a".repeat(4100));
    assert!(matches!(
        h.shard.send_raw(h.now, big),
        Err(SendError::TooLarge { .. })
    ));
    let fits = format!(r#"{{"op":3,"d":{{"x":"{}"}}}}"#, "a".repeat(4000));
    assert!(h.shard.send_raw(h.now, fits).is_ok());
    h.drain();
    assert_eq!(h.sent().len(), 1);
    assert_eq!(
        h.shard.send_raw(h.now, r#"{"op":2,"d":{}}"#.into()),
        Err(SendError::ReservedOpcode(2))
    );
    assert_eq!(
        h.shard.send_raw(h.now, "nope".into()),
        Err(SendError::InvalidPayload)
    );
}

// ----- rule 10: user close and session restore -----

#[test]
fn user_close_with_1000_ends_the_session() {
    let mut h = Harness::new();
    h.connect_ready();
    h.clear();
    h.shard.close(h.now, gateway_proto::CloseFrame::NORMAL);
    h.drain();
    assert_eq!(h.closes(), [1000]);
    assert_eq!(h.shard.session(), None);
    assert_eq!(h.shard.state(), State::Closed);
    h.advance(Duration::from_secs(600));
    assert!(h.connects().is_empty());
    assert_eq!(
        h.shard.send_command(h.now, &request(1)),
        Err(SendError::Closed)
    );
}

#[test]
fn user_close_with_another_code_keeps_the_session_resumable() {
    let mut h = Harness::new();
    h.connect_ready();
    h.dispatch(2, "MESSAGE_CREATE", json!({}));
    h.clear();
    h.shard.close(h.now, gateway_proto::CloseFrame::RESUME);
    h.drain();
    assert_eq!(h.closes(), [4000]);
    assert_eq!(
        h.shard.session(),
        Some(&Session::new("sess-1", 2, RESUME_URL))
    );
    assert_eq!(h.shard.state(), State::Closed);
}

#[test]
fn exported_session_resumes_in_a_new_machine_without_identify() {
    let mut h = Harness::new();
    h.connect_ready();
    h.dispatch(2, "MESSAGE_CREATE", json!({}));
    h.shard.close(h.now, gateway_proto::CloseFrame::RESUME);
    let saved = serde_json::to_string(h.shard.session().unwrap()).unwrap();
    let session: Session = serde_json::from_str(&saved).unwrap();
    let mut h2 = Harness::with(config().session(session).build().unwrap());
    assert!(h2.connects()[0].starts_with(RESUME_URL));
    h2.open();
    h2.hello();
    assert_eq!(h2.sent_ops(), [6]);
    assert_eq!(h2.sent()[0]["d"]["seq"], json!(2));
    assert!(!h2.acts.iter().any(|(_, a)| *a == Act::RequestIdentify));
}

// ----- robustness -----

#[test]
fn a_closed_machine_is_sticky() {
    let mut h = Harness::new();
    h.connect_ready();
    h.server_close(Some(4004));
    let reason = h.shard.close_reason().cloned();
    h.clear();
    h.shard.handle_open(h.now);
    h.recv(json!({"op":10,"d":{"heartbeat_interval":1000}}));
    h.shard.handle_timeout(h.now + Duration::from_secs(100));
    h.shard.handle_close(h.now, None);
    h.drain();
    assert!(h.acts.is_empty() && h.events.is_empty());
    assert_eq!(h.shard.close_reason().cloned(), reason);
}

#[test]
fn garbage_is_an_error_and_a_resume_not_a_panic() {
    for garbage in [
        "",
        "not json",
        "[1,2]",
        "{\"op\":\"x\"}",
        "{\"d\":1}",
        "{\"op\":0,",
        "\u{0}\u{1}",
    ] {
        let mut h = Harness::new();
        h.connect_ready();
        h.clear();
        h.recv_text(garbage);
        let events = h.take_events();
        assert!(
            matches!(events[0], Event::Error(_)),
            "{garbage:?}: {events:?}"
        );
        assert!(
            h.connects()[0].starts_with(RESUME_URL),
            "{garbage:?} keeps the session"
        );
    }
    let mut h = Harness::new();
    h.connect_ready();
    h.recv_binary(&[0xff, 0xfe, 0x00]);
    assert!(h.shard.session().is_some());
}

#[test]
fn hello_that_never_comes_times_out_and_reconnects() {
    let mut h = Harness::new();
    h.open();
    h.clear();
    h.advance(Duration::from_secs(21));
    assert_eq!(h.closes(), [4000]);
    assert!(h
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::Closed(c) if c.cause == CloseCause::HelloTimeout)));
    assert_eq!(h.connects().len(), 1);
}

#[test]
fn an_older_now_is_ignored_and_early_timeouts_are_no_ops() {
    let mut h = Harness::new();
    h.connect_ready();
    h.clear();
    let (due, _) = h.shard.next_timeout().unwrap();
    h.shard.handle_timeout(h.now); // early
    h.shard.handle_timeout(h.start); // older than seen
    h.drain();
    assert!(h.sent().is_empty());
    assert_eq!(h.shard.next_timeout().unwrap().0, due);
}

#[test]
fn token_never_appears_in_debug_output() {
    let mut h = Harness::new();
    h.connect_ready();
    let debug = format!("{:?} {:?}", h.shard, h.shard.config());
    assert!(!debug.contains(TOKEN));
    let _ = ShardMachine::new;
}

#[test]
fn an_unreachable_resume_url_falls_back_to_identify_on_the_gateway_url() {
    // A saved session whose resume host no longer answers (protocol.md §5.4).
    let session = Session::new("sess-1", 9, RESUME_URL);
    let mut h = Harness::with(config().session(session).build().unwrap());
    for attempt in 1..=gateway_proto::machine::MAX_RESUME_CONNECT_FAILURES {
        assert!(
            h.connects().last().unwrap().starts_with(RESUME_URL),
            "attempt {attempt}"
        );
        h.pending_connect = None;
        h.server_close(None); // the connect failed: no socket ever opened
        h.advance(Duration::from_secs(120));
    }
    assert_eq!(h.shard.session(), None, "the session was given up");
    assert!(h.connects().last().unwrap().starts_with(MAIN_URL));
    h.clear();
    h.open();
    h.hello();
    assert_eq!(h.sent_ops(), [2], "identify, not resume");
}

#[test]
fn a_resume_url_that_fails_once_is_retried() {
    let session = Session::new("sess-1", 9, RESUME_URL);
    let mut h = Harness::with(config().session(session).build().unwrap());
    h.pending_connect = None;
    h.server_close(None);
    h.advance(Duration::from_secs(120));
    assert!(h.connects().last().unwrap().starts_with(RESUME_URL));
    h.clear();
    h.open();
    h.hello();
    assert_eq!(h.sent_ops(), [6], "still resumes");
}
