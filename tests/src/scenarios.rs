//! The integration scenarios, each written once and generic over the [`Adapter`]: a shard
//! against gateway-sim over real loopback sockets. Each scenario starts its own simulator, so
//! they run in parallel, and uses short heartbeat, identify and rate-limit windows so the
//! whole suite takes seconds.
//!
//! The scenarios check behaviour on both sides: what the shard yields, and what the simulator
//! logged that the client sent (paths, opcodes, sequence numbers, close codes).

use crate::{
    assert_contiguous, client, closed, connection, describe, open_queue, opened, ops, payloads,
    simulator, Adapter, Failure, FailureKind, Raw, Reader, ShardOptions, TestSender, TestShard,
    PATIENCE,
};
use gateway_proto::{
    command::{Status, UpdatePresence},
    queue::IdentifyScheduler,
    CloseCause, CloseFrame, Compression, Config, Event, EventTypeFlags, Initiator, Intents, Next,
    SendError, ShardId, State,
};
use gateway_sim::{Closer, Simulator};
use serde_json::{json, Value};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// A direct message for shard 0, as the simulator routes it.
fn direct_message(sim: &Simulator, n: usize) {
    let d = json!({
        "id": (1000 + n).to_string(),
        "channel_id": "42",
        "author": { "id": "7", "username": "tester" },
        "content": format!("message {n}"),
    });
    let got = sim.dispatch("MESSAGE_CREATE", None, d);
    assert_eq!(got, 1, "one session gets it: {}", history(sim));
}

/// The simulator's log without the frames: connections, sessions, faults and closes.
fn history(sim: &Simulator) -> String {
    let lines: Vec<String> = sim.log().with_records(|records| {
        records
            .iter()
            .filter(|r| {
                !matches!(
                    r.event,
                    gateway_sim::Event::Sent { .. } | gateway_sim::Event::Received(_)
                )
            })
            .map(|r| format!("#{} {:?}", r.conn, r.event))
            .collect()
    });
    lines.join("; ")
}

/// The session's last sequence number on the simulator's side.
fn sim_seq(sim: &Simulator, session: &str) -> u64 {
    sim.session_seq(session).expect("the session exists")
}

async fn identify_ready_dispatches<A: Adapter>(compression: Compression) {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, compression).build().expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let first = reader
        .until("the first event", |item| Some(describe(item)))
        .await;
    assert!(
        matches!(reader.seen[0], Ok(Event::Hello(_))),
        "Hello first, not {first}"
    );
    let session = reader.ready().await;

    let conn = connection(&sim, 1).await;
    let (path, query) = opened(&sim, conn);
    assert_eq!(path, "/");
    match compression.query_value() {
        Some(value) => assert_eq!(query, format!("v=10&encoding=json&compress={value}")),
        None => assert_eq!(query, "v=10&encoding=json"),
    }
    let identify = &payloads(&sim, conn)[0];
    assert_eq!(identify["op"], 2);
    assert_eq!(identify["d"]["token"], sim.config().token.as_str());
    assert_eq!(identify["d"]["shard"], json!([0, 1]));

    // Generated traffic, then split frames (continuation frames or partial zlib messages).
    sim.emit_events(40);
    sim.split_frames(conn, 3);
    for n in 0..10 {
        direct_message(&sim, n);
    }
    let last = sim_seq(&sim, &session);
    reader.through_seq(last).await;
    assert_contiguous(&reader.seqs(), 1, last);
    for item in &reader.seen {
        if let Ok(Event::Dispatch(dispatch)) = item {
            let data: Value = dispatch.deserialize().expect("d is JSON");
            assert!(data.is_object(), "{}", dispatch.data());
        }
    }
    assert_eq!(reader.shard.state(), State::Active);
    assert_eq!(reader.shard.statistics().identifies, 1);
    assert!(
        reader.seen.iter().all(Result::is_ok),
        "{}",
        reader.summary()
    );
}

/// Identify → READY → dispatches, without transport compression.
pub async fn identify_ready_dispatches_uncompressed<A: Adapter>() {
    identify_ready_dispatches::<A>(Compression::None).await;
}

/// Identify → READY → dispatches, with zlib-stream.
pub async fn identify_ready_dispatches_zlib_stream<A: Adapter>() {
    identify_ready_dispatches::<A>(Compression::ZlibStream).await;
}

/// Identify → READY → dispatches, with zstd-stream.
pub async fn identify_ready_dispatches_zstd_stream<A: Adapter>() {
    identify_ready_dispatches::<A>(Compression::ZstdStream).await;
}

/// `next_message` yields every payload's text in the order the simulator sent them.
pub async fn raw_messages_are_the_payloads_in_order<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut shard = A::shard(ShardId::ONE, config, &open_queue::<A>());
    let mut texts = Vec::new();
    while texts.len() < 2 {
        let next = tokio::time::timeout(PATIENCE, shard.next_message()).await;
        match next.expect("a message in time").expect("not ended") {
            Ok(Raw::Text(text)) => texts.push(text),
            other => panic!("unexpected {other:?}"),
        }
    }
    let parsed: Vec<Value> = texts
        .iter()
        .map(|text| serde_json::from_str(text).expect("a payload is JSON"))
        .collect();
    assert_eq!(parsed[0]["op"], 10, "Hello");
    assert_eq!(parsed[1]["t"], "READY");
    let conn = connection(&sim, 1).await;
    sim.close_with(conn, 4000);
    let close = loop {
        let next = tokio::time::timeout(PATIENCE, shard.next_message()).await;
        match next.expect("a message in time").expect("not ended") {
            Ok(Raw::Close(closed)) => break closed,
            Ok(Raw::Text(_)) => {}
            Err(failure) => panic!("unexpected {failure:?}"),
        }
    };
    assert_eq!(close.code, Some(4000));
    assert_eq!(close.next, Next::Resume);
}

/// Withheld heartbeat ACKs make the client close with a resumable code and resume on the
/// resume URL with the last sequence it saw; no dispatch is lost or delivered twice.
pub async fn zombie_connection_resumes_on_the_resume_url<A: Adapter>() {
    let sim = simulator(|config| config.heartbeat_interval = Duration::from_secs(1)).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    let first = connection(&sim, 1).await;
    for n in 0..5 {
        direct_message(&sim, n);
    }
    reader.through_seq(sim_seq(&sim, &session)).await;

    sim.withhold_acks(first, true);
    let closed_event = reader
        .until("the zombie close", |item| match item {
            Ok(Event::Closed(closed)) => Some(closed.clone()),
            _ => None,
        })
        .await;
    assert_eq!(closed_event.cause, CloseCause::Zombie);
    assert_eq!(closed_event.initiator, Initiator::Local);
    assert_eq!(closed_event.next, Next::Resume);
    let seen_before = *reader.seqs().last().expect("dispatches seen");
    // Sent while the client is away: replayed on resume, or live if it is already back.
    for n in 5..8 {
        direct_message(&sim, n);
    }
    reader.resumed().await;
    for n in 8..10 {
        direct_message(&sim, n);
    }
    let last = sim_seq(&sim, &session);
    reader.through_seq(last).await;
    assert_contiguous(&reader.seqs(), 1, last);

    let (code, by) = closed(&sim, first).await;
    assert_eq!(
        (code, by),
        (Some(4000), Closer::Client),
        "resumable close code"
    );
    let second = connection(&sim, 2).await;
    assert_eq!(opened(&sim, second).0, "/resume");
    let resume = &payloads(&sim, second)[0];
    assert_eq!(resume["op"], 6);
    assert_eq!(resume["d"]["session_id"], session.as_str());
    assert_eq!(resume["d"]["seq"], seen_before);
    assert!(!ops(&sim, second).contains(&2), "no Identify on resume");
}

/// Reconnect (op 7): close with a resumable code, resume on the resume URL.
pub async fn reconnect_op7_resumes<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::None).build().expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    reader.ready().await;
    let first = connection(&sim, 1).await;
    sim.send_reconnect(first);
    reader
        .until("op 7", |item| {
            matches!(item, Ok(Event::Reconnect(_))).then_some(())
        })
        .await;
    let closed_event = reader
        .until("the close", |item| match item {
            Ok(Event::Closed(closed)) => Some(closed.clone()),
            _ => None,
        })
        .await;
    assert_eq!(closed_event.cause, CloseCause::Reconnect);
    reader.resumed().await;
    assert_eq!(closed(&sim, first).await, (Some(4000), Closer::Client));
    let second = connection(&sim, 2).await;
    assert_eq!(opened(&sim, second).0, "/resume");
    assert_eq!(ops(&sim, second).first(), Some(&6));
}

/// Invalid Session with `d: true`: resume.
pub async fn invalid_session_resumable_resumes<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    let first = connection(&sim, 1).await;
    sim.send_invalid_session(first, true);
    let resumable = reader
        .until("op 9", |item| match item {
            Ok(Event::InvalidSession(invalid)) => Some(invalid.resumable),
            _ => None,
        })
        .await;
    assert!(resumable);
    reader.resumed().await;
    let second = connection(&sim, 2).await;
    assert_eq!(opened(&sim, second).0, "/resume");
    assert_eq!(
        payloads(&sim, second)[0]["d"]["session_id"],
        session.as_str()
    );
    assert!(!ops(&sim, second).contains(&2));
}

/// Invalid Session with `d: false`: wait 1–5 s, then identify a new session on the gateway
/// URL (protocol.md §5.3).
pub async fn invalid_session_not_resumable_identifies_after_a_wait<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let old = reader.ready().await;
    let first = connection(&sim, 1).await;
    sim.send_invalid_session(first, false);
    reader
        .until("op 9", |item| match item {
            Ok(Event::InvalidSession(invalid)) => (!invalid.resumable).then_some(()),
            _ => None,
        })
        .await;
    let invalidated = Instant::now();
    let new = reader.ready().await;
    assert_ne!(new, old, "a new session");
    let second = connection(&sim, 2).await;
    let reconnected = sim
        .log()
        .with_records(|records| records.iter().find(|r| r.conn == second).map(|r| r.at))
        .expect("opened");
    assert!(
        reconnected.saturating_duration_since(invalidated) >= Duration::from_millis(900),
        "waited before identifying again"
    );
    assert_eq!(opened(&sim, second).0, "/");
    assert_eq!(ops(&sim, second).first(), Some(&2));
    assert!(!ops(&sim, second).contains(&6));
}

/// Every fatal close code ends the shard with a fatal error, then the end of the stream, and
/// no reconnect.
pub async fn fatal_close_codes_end_the_shard<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let queue = open_queue::<A>();
    for (n, code) in [4004, 4010, 4011, 4012, 4013, 4014].into_iter().enumerate() {
        let config = client(&sim, Compression::ZlibStream)
            .build()
            .expect("config");
        let mut reader = Reader::new(A::shard(ShardId::ONE, config, &queue));
        reader.ready().await;
        let conn = connection(&sim, n + 1).await;
        sim.close_with(conn, code);
        let failure: Failure = reader
            .until("the fatal error", |item| item.as_ref().err().cloned())
            .await;
        assert!(failure.fatal, "{code}: {failure:?}");
        match &failure.kind {
            FailureKind::Closed(closed) => {
                assert_eq!(closed.code, Some(code));
                assert_eq!(closed.next, Next::Stop);
            }
            other => panic!("{code}: unexpected {other:?}"),
        }
        let end = tokio::time::timeout(PATIENCE, reader.shard.next_event(EventTypeFlags::all()));
        assert!(
            end.await.expect("ends in time").is_none(),
            "{code}: stream ends"
        );
        assert_eq!(reader.shard.state(), State::Closed);
        assert_eq!(sim.log().connections().len(), n + 1, "{code}: no reconnect");
    }
}

/// Non-fatal close codes and dropped sockets are recovered from: resume where the session
/// survives, identify where protocol.md §6 says it is gone.
pub async fn other_close_codes_and_drops_recover<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    reader.ready().await;
    // (code, whether the client must identify a new session); `None` drops the socket.
    let cases = [
        (Some(4000), false),
        (Some(4001), false),
        (Some(4002), false),
        (Some(4003), true),
        (Some(4005), true),
        (Some(4007), true),
        (Some(4008), false),
        (Some(4009), true),
        (Some(1001), false),
        (Some(4999), false),
        (None, false),
    ];
    for (n, (code, identifies)) in cases.into_iter().enumerate() {
        let conn = connection(&sim, n + 1).await;
        match code {
            Some(code) => sim.close_with(conn, code),
            None => sim.drop_connection(conn),
        };
        let closed_event = reader
            .until("the close", |item| match item {
                Ok(Event::Closed(closed)) => Some(closed.clone()),
                _ => None,
            })
            .await;
        assert_eq!(closed_event.code, code);
        assert_eq!(closed_event.initiator, Initiator::Remote);
        reader
            .until("recovery", |item| match item {
                Ok(Event::Ready(_)) if identifies => Some(()),
                Ok(Event::Resumed(_)) if !identifies => Some(()),
                Ok(Event::Ready(_) | Event::Resumed(_)) => panic!("{code:?}: wrong recovery"),
                _ => None,
            })
            .await;
        let next = connection(&sim, n + 2).await;
        let expected = if identifies { (2, "/") } else { (6, "/resume") };
        assert_eq!(ops(&sim, next).first(), Some(&expected.0), "{code:?}");
        assert_eq!(opened(&sim, next).0, expected.1, "{code:?}");
    }
    assert!(
        reader
            .seen
            .iter()
            .all(|item| item.as_ref().map_or_else(|f| !f.fatal, |_| true)),
        "{}",
        reader.summary()
    );
}

/// 150 commands queued at once all go out, none over the 120-per-window limit (no 4008).
pub async fn queued_commands_stay_under_the_rate_limit<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let sender = reader.shard.sender();
    // Queued before the session exists: they wait for READY.
    let presence = UpdatePresence::new(Status::Online, Vec::new());
    for _ in 0..150 {
        sender.command(&presence).expect("queued");
    }
    reader.ready().await;
    let log = sim.log().clone();
    let sent = log.wait_for("150 presence updates", PATIENCE, |records| {
        let count = records
            .iter()
            .filter(|r| matches!(&r.event, gateway_sim::Event::Received(v) if v["op"] == 3))
            .count();
        (count >= 150).then_some(count)
    });
    // Keep reading so the shard never waits on its event channel.
    let sent = tokio::select! {
        sent = sent => sent.unwrap_or_else(|error| panic!("{error}: {}", history(&sim))),
        () = async { loop { reader.shard.next_event(EventTypeFlags::all()).await; } } => unreachable!(),
    };
    assert_eq!(sent, 150);
    assert_eq!(sim.log().connections().len(), 1, "no reconnect");
    let rate_limited = sim.log().with_records(|records| {
        records.iter().any(|r| {
            matches!(
                r.event,
                gateway_sim::Event::Closed {
                    code: Some(4008),
                    ..
                }
            )
        })
    });
    assert!(!rate_limited, "no 4008");
    assert_eq!(reader.shard.statistics().commands_sent, 150);
}

/// A full command queue is an error at the call, and nothing is lost silently.
pub async fn a_full_command_queue_is_an_error<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .queue_capacity(4)
        .build()
        .expect("config");
    // Not polled yet: nothing drains the queue.
    let shard = A::shard(ShardId::ONE, config, &open_queue::<A>());
    let sender = shard.sender();
    let presence = UpdatePresence::new(Status::Idle, Vec::new());
    for _ in 0..4 {
        sender.command(&presence).expect("room for 4");
    }
    let full = sender.command(&presence).expect_err("the fifth is refused");
    assert_eq!(
        full.kind,
        FailureKind::Send(SendError::QueueFull { capacity: 4 })
    );
    assert!(!full.fatal);
}

/// Bad commands are refused synchronously: reserved opcodes, oversized or malformed payloads.
pub async fn invalid_commands_are_refused_at_once<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let shard = A::shard(ShardId::ONE, config, &open_queue::<A>());
    let sender = shard.sender();
    let identify = r#"{"op":2,"d":{}}"#.to_owned();
    let refused = sender.send(identify).expect_err("Identify is the shard's");
    assert_eq!(
        refused.kind,
        FailureKind::Send(SendError::ReservedOpcode(2))
    );
    let big = format!(r#"{{"op":3,"d":"{}"}}"#, "x".repeat(5000));
    let refused = sender.send(big).expect_err("too large");
    assert!(matches!(
        refused.kind,
        FailureKind::Send(SendError::TooLarge { .. })
    ));
    let refused = sender
        .send("not json".to_owned())
        .expect_err("not an envelope");
    assert_eq!(refused.kind, FailureKind::Send(SendError::InvalidPayload));
}

async fn bad_input_then_resume<A: Adapter>(
    compression: Compression,
    max_message_size: usize,
    inject: impl FnOnce(&Simulator, gateway_sim::ConnId),
) {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, compression)
        .max_message_size(max_message_size)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    let first = connection(&sim, 1).await;
    inject(&sim, first);
    let failure = reader
        .until("the error", |item| item.as_ref().err().cloned())
        .await;
    assert!(!failure.fatal, "{failure:?}");
    assert!(
        matches!(failure.kind, FailureKind::Receive(_)),
        "{failure:?}"
    );
    reader.resumed().await;
    direct_message(&sim, 1);
    reader.through_seq(sim_seq(&sim, &session)).await;
    let second = connection(&sim, 2).await;
    assert_eq!(opened(&sim, second).0, "/resume");
    let end = closed(&sim, first).await;
    assert_eq!(end, (Some(4000), Closer::Client), "{}", history(&sim));
}

/// A text frame that is not JSON: an error, a resumable close, a resume.
pub async fn garbage_text_is_an_error_then_a_resume<A: Adapter>() {
    bad_input_then_resume::<A>(Compression::None, 1 << 20, |sim, conn| {
        sim.send_raw_text(conn, "{\"op\":0,\"d\":{garbage");
    })
    .await;
}

/// Bytes that are not a zlib stream: an error, a resumable close, a resume.
pub async fn corrupt_zlib_is_an_error_then_a_resume<A: Adapter>() {
    bad_input_then_resume::<A>(Compression::ZlibStream, 1 << 20, |sim, conn| {
        sim.send_raw_binary(conn, &[0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0xff, 0xff]);
    })
    .await;
}

/// Bytes that are not a zstd stream: an error, a resumable close, a resume.
pub async fn corrupt_zstd_is_an_error_then_a_resume<A: Adapter>() {
    bad_input_then_resume::<A>(Compression::ZstdStream, 1 << 20, |sim, conn| {
        sim.send_raw_binary(
            conn,
            &[0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0x00],
        );
    })
    .await;
}

/// A message inflating past `max_message_size`: an error, a resumable close, a resume.
pub async fn decompression_bomb_is_an_error_then_a_resume<A: Adapter>() {
    bad_input_then_resume::<A>(Compression::ZlibStream, 1 << 20, |sim, conn| {
        sim.send_decompression_bomb(conn, 8 << 20);
    })
    .await;
}

/// A session saved from one shard lets a new shard resume without identifying, and the
/// dispatches sent in between are replayed exactly once.
pub async fn saved_session_resumes_without_identify<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let queue = open_queue::<A>();
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &queue));
    let id = reader.ready().await;
    for n in 0..3 {
        direct_message(&sim, n);
    }
    let before = sim_seq(&sim, &id);
    reader.through_seq(before).await;
    let session = reader
        .shard
        .close(CloseFrame::RESUME)
        .await
        .expect("a session");
    assert_eq!(session.id, id);
    assert_eq!(session.sequence, before);
    assert_eq!(session.resume_url, sim.resume_url());
    let first = connection(&sim, 1).await;
    assert_eq!(closed(&sim, first).await, (Some(4000), Closer::Client));

    // Saved as JSON, as a restarting process would.
    let saved = serde_json::to_string(&session).expect("serialize");
    for n in 3..6 {
        direct_message(&sim, n);
    }
    let session = serde_json::from_str(&saved).expect("deserialize");
    let config = client(&sim, Compression::ZlibStream)
        .session(session)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &queue));
    let replayed = reader.resumed().await;
    assert_eq!(replayed, 3);
    let last = sim_seq(&sim, &id);
    reader.through_seq(last).await;
    assert_contiguous(&reader.seqs(), before + 1, last);
    let second = connection(&sim, 2).await;
    assert_eq!(opened(&sim, second).0, "/resume");
    assert_eq!(payloads(&sim, second)[0]["d"]["seq"], before);
    assert!(!ops(&sim, second).contains(&2), "no Identify");
    assert_eq!(reader.shard.statistics().identifies, 0);
}

/// `close(1000)` ends the session: the close frame reaches the gateway, no session is
/// returned, the stream yields the close and ends, and sending fails.
pub async fn user_close_ends_the_shard<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    reader.ready().await;
    let sender = reader.shard.sender();
    assert_eq!(reader.shard.close(CloseFrame::NORMAL).await, None);
    let conn = connection(&sim, 1).await;
    assert_eq!(closed(&sim, conn).await, (Some(1000), Closer::Client));
    let closed_event = reader
        .until("the close", |item| match item {
            Ok(Event::Closed(closed)) => Some(closed.clone()),
            _ => None,
        })
        .await;
    assert_eq!(closed_event.cause, CloseCause::User);
    assert_eq!(closed_event.next, Next::Stop);
    let end = tokio::time::timeout(PATIENCE, reader.shard.next_event(EventTypeFlags::all()));
    assert!(end.await.expect("ends").is_none());
    assert_eq!(reader.shard.state(), State::Closed);
    let refused = sender.send(r#"{"op":3,"d":null}"#.to_owned());
    assert_eq!(
        refused.map_err(|failure| failure.kind),
        Err(FailureKind::Send(SendError::Closed))
    );
    assert_eq!(sim.log().connections().len(), 1);
}

/// Dropping a pending `next_event` future (inside `select!`) loses and duplicates nothing.
pub async fn next_event_is_cancel_safe<A: Adapter>() {
    let sim = Arc::new(simulator(|_| {}).await);
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    let producer = {
        let sim = sim.clone();
        tokio::spawn(async move {
            for round in 0..40 {
                for n in 0..10 {
                    direct_message(&sim, round * 10 + n);
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    let mut cancelled = 0_u32;
    let mut seqs = reader.seqs();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if producer.is_finished() && seqs.last() == Some(&sim_seq(&sim, &session)) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out");
        tokio::select! {
            item = reader.shard.next_event(EventTypeFlags::MESSAGE_CREATE) => {
                match item.expect("not ended") {
                    Ok(Event::Dispatch(dispatch)) => seqs.push(dispatch.seq),
                    other => panic!("unexpected {other:?}"),
                }
            }
            () = tokio::time::sleep(Duration::from_micros(200)) => cancelled += 1,
        }
    }
    producer.await.expect("producer");
    assert!(cancelled > 10, "the test cancelled reads ({cancelled})");
    // READY's sequence is in `seqs` already; GUILD_CREATEs before it were filtered out.
    let first = seqs[1];
    assert_contiguous(&seqs[1..], first, sim_seq(&sim, &session));
    assert_eq!(seqs.len() - 1, 400);
}

/// Shards sharing one queue identify one per bucket per window: the simulator, which enforces
/// the same rule with op 9, never refuses one.
pub async fn identify_queue_paces_shards_by_bucket<A: Adapter>() {
    let window = Duration::from_millis(400);
    let sim = simulator(|config| {
        config.identify_window = window;
        config.max_concurrency = 2;
    })
    .await;
    // Longer than the simulator's window: it checks a bucket when it gets to an Identify,
    // which on a loaded 2-core machine lags the client's send by up to a few hundred
    // milliseconds (measured: 150-300 ms with the async-std adapter, whose executor threads
    // compete with the simulator's tokio workers while every shard parses its GUILD_CREATEs).
    let margin = Duration::from_millis(400);
    let queue = A::queue(IdentifyScheduler::new(2).with_window(window + margin));
    let total = 6;
    let mut readers: Vec<_> = (0..total)
        .map(|n| {
            let id = ShardId::new(n, total).expect("n < total");
            let config = client(&sim, Compression::ZlibStream)
                .build()
                .expect("config");
            Reader::new(A::shard(id, config, &queue))
        })
        .collect();
    // All shards start together and compete for the queue.
    futures_util::future::join_all(readers.iter_mut().map(Reader::ready)).await;
    let identified: Vec<(Instant, [u32; 2])> = sim.log().with_records(|records| {
        records
            .iter()
            .filter_map(|r| match &r.event {
                gateway_sim::Event::Identified { shard, .. } => Some((r.at, *shard)),
                _ => None,
            })
            .collect()
    });
    assert_eq!(identified.len(), total as usize, "one Identify each");
    let refused = sim.log().with_records(|records| {
        records
            .iter()
            .any(|r| matches!(r.event, gateway_sim::Event::InvalidSession { .. }))
    });
    assert!(!refused, "no op 9 for concurrency: {}", history(&sim));
    let span = identified[5].0.saturating_duration_since(identified[0].0);
    assert!(span >= window * 2, "three windows: {span:?}");
}

/// Dropping a shard closes its connection with a resumable code: nothing is left running, and
/// the session could still be resumed elsewhere.
pub async fn dropping_a_shard_closes_its_connection_resumably<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    drop(reader);
    let conn = connection(&sim, 1).await;
    assert_eq!(closed(&sim, conn).await, (Some(4000), Closer::Client));
    assert!(sim.session_seq(&session).is_some(), "still resumable");
    assert_eq!(sim.log().connections().len(), 1, "no reconnect");
}

/// A reader that pauses gets every dispatch once, and promptly when it reads again: the shard
/// resumes socket reads as soon as the event channel has room, not at its next timer.
pub async fn a_slow_reader_gets_every_dispatch_promptly<A: Adapter>() {
    // Heartbeats every 5 s: a shard that waited for a timer to read again would take minutes.
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    sim.emit_events(1500);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let last = sim_seq(&sim, &session);
    reader.through_seq(last).await;
    assert_contiguous(&reader.seqs(), 1, last);
    assert_eq!(sim.log().connections().len(), 1, "no reconnect");
}

/// Backpressure stops socket reads, never timers: while nobody reads, heartbeats go out (and
/// since their ACKs wait unread, the machine may call the connection a zombie and resume),
/// and nothing is lost.
pub async fn heartbeats_go_on_while_the_reader_stalls<A: Adapter>() {
    let sim = simulator(|config| config.heartbeat_interval = Duration::from_secs(1)).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    let heartbeats = || sim.log().count_received_op(1);
    sim.emit_events(1500);
    let before = heartbeats();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // The heartbeat timer ran: a heartbeat went out, or the unacknowledged one (its ACK is
    // unread) was declared a zombie and the connection closed for a resume.
    let zombie = sim.log().with_records(|records| {
        records.iter().any(|r| {
            r.event
                == gateway_sim::Event::Closed {
                    code: Some(4000),
                    reason: "resuming".to_owned(),
                    by: Closer::Client,
                }
        })
    });
    assert!(heartbeats() > before || zombie, "{}", history(&sim));
    let last = sim_seq(&sim, &session);
    reader.through_seq(last).await;
    let seqs = reader.seqs();
    let last_seen = *seqs.last().expect("dispatches");
    assert_contiguous(&seqs, 1, last_seen);
}

/// A server that accepts TCP and runs `hold` on each connection, and a client config for it
/// with `scheme` (`ws` or `wss`).
async fn listener(
    scheme: &str,
    hold: impl Fn(tokio::net::TcpStream) + Send + 'static,
) -> (Config, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("{scheme}://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            hold(socket);
        }
    });
    let config = Config::builder("sim-token", Intents::GUILDS)
        .gateway_url(url)
        .build()
        .expect("config");
    (config, server)
}

/// A `wss://` connection whose TLS handshake fails is a non-fatal connect error followed by
/// the shard's own retry, not a panic: the adapter builds its TLS configuration with an
/// explicit crypto provider, so no process-wide one is needed.
pub async fn a_failed_tls_handshake_is_a_connect_error_then_a_retry<A: Adapter>() {
    // Hangs up at once: the TLS handshake fails.
    let (config, server) = listener("wss", drop).await;
    let mut shard = A::shard(ShardId::ONE, config, &open_queue::<A>());
    let item = tokio::time::timeout(PATIENCE, shard.next_event(EventTypeFlags::all()))
        .await
        .expect("in time");
    match item {
        Some(Err(failure)) => {
            assert_eq!(failure.kind, FailureKind::Connect, "{failure}");
            assert!(!failure.fatal);
        }
        other => panic!("unexpected {other:?}"),
    }
    let item = shard.next_event(EventTypeFlags::all()).await;
    assert!(matches!(item, Some(Ok(Event::Closed(_)))), "{item:?}");
    server.abort();
}

/// A connection attempt that never completes (TCP accepted, no websocket answer) fails after
/// the builder's connect timeout, not the default one.
pub async fn a_connection_that_never_answers_times_out<A: Adapter>() {
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (config, server) = listener("ws", move |socket| drop(held_tx.send(socket))).await;
    let timeout = Duration::from_millis(200);
    let start = Instant::now();
    let options = ShardOptions {
        connect_timeout: Some(timeout),
        ..ShardOptions::default()
    };
    let mut shard = A::shard_with(ShardId::ONE, config, &open_queue::<A>(), options);
    let item = tokio::time::timeout(PATIENCE, shard.next_event(EventTypeFlags::all()))
        .await
        .expect("in time");
    match item {
        Some(Err(failure)) => assert_eq!(failure.kind, FailureKind::Connect, "{failure}"),
        other => panic!("unexpected {other:?}"),
    }
    let took = start.elapsed();
    assert!(took >= timeout && took < Duration::from_secs(5), "{took:?}");
    server.abort();
    drop(held_rx);
}

/// The status accessors are never older than the last event read: the shard publishes its
/// status before handing the events of a step to the reader, so a reader on another thread
/// (any multi-threaded executor) sees READY's session and each acknowledged heartbeat at once.
pub async fn status_is_never_older_than_the_events_read<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    let mut reader = Reader::new(A::shard(ShardId::ONE, config, &open_queue::<A>()));
    let session = reader.ready().await;
    assert_eq!(reader.shard.state(), State::Active);
    assert_eq!(reader.shard.session().map(|s| s.id), Some(session));
    let conn = connection(&sim, 1).await;
    for round in 1..=3 {
        sim.request_heartbeat(conn);
        reader
            .until("the heartbeat ACK", |item| {
                matches!(item, Ok(Event::HeartbeatAck(_))).then_some(())
            })
            .await;
        assert!(reader.shard.statistics().heartbeats_sent >= round);
    }
}

/// A TLS server for `localhost` in front of `sim` (certificates in `tests/fixtures`), and a
/// client TLS configuration that trusts only its test CA.
async fn tls_front(sim: &Simulator) -> (String, Arc<rustls::ClientConfig>) {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let ca = CertificateDer::from_pem_slice(include_bytes!("../fixtures/ca.pem")).expect("ca");
    let leaf = CertificateDer::from_pem_slice(include_bytes!("../fixtures/localhost.pem"))
        .expect("certificate");
    let key =
        PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/localhost.key")).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf], key)
        .expect("server config");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).expect("root");
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let backend = sim.addr();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    (format!("wss://localhost:{port}"), Arc::new(client))
}

/// `wss://` works end to end: the shard opens TLS with the configuration it was given (here
/// one that trusts only the test CA), verifies the server's name, and reaches READY through
/// it.
pub async fn wss_connects_through_tls_with_the_given_roots<A: Adapter>() {
    let sim = simulator(|_| {}).await;
    let (url, tls) = tls_front(&sim).await;
    let config = client(&sim, Compression::ZlibStream)
        .gateway_url(url)
        .build()
        .expect("config");
    let options = ShardOptions {
        tls: Some(tls),
        ..ShardOptions::default()
    };
    let mut reader = Reader::new(A::shard_with(
        ShardId::ONE,
        config,
        &open_queue::<A>(),
        options,
    ));
    reader.ready().await;
    let conn = connection(&sim, 1).await;
    assert_eq!(ops(&sim, conn), [2], "Identify, through TLS");
}
