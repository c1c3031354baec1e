//! The zstd-stream transport rules of protocol.md §9.2, through the shard machine: every binary
//! message is one gateway message inside one endless zstd frame per connection, a new
//! connection starts a new frame, and a broken or oversized stream is bad input (an error and a
//! resumable reconnect), never a panic. Test names are the rules.
#![cfg(feature = "zstd")]

mod support;
#[path = "support/zstd_corpus.rs"]
mod zstd_corpus;

use gateway_proto::{
    zstd::ZstdError, CloseCause, Closed, Compression, Event, Initiator, Next, ReceiveError, State,
};
use serde_json::{json, Value};
use support::{config, Harness, INTERVAL_MS, MAIN_URL, RESUME_URL};
use zstd_corpus::ZstdServer;

const MIB: usize = 1024 * 1024;

/// A harness whose machine asks for zstd-stream, and the gateway's side of its first socket.
fn zstd_harness(max_message_size: usize) -> (Harness, ZstdServer) {
    let config = config()
        .compression(Compression::ZstdStream)
        .max_message_size(max_message_size)
        .build()
        .expect("valid config");
    (Harness::with(config), ZstdServer::new(3))
}

/// The gateway sends `value` compressed on the current socket.
fn send(h: &mut Harness, server: &mut ZstdServer, value: Value) {
    let wire = server.message(value.to_string().as_bytes());
    h.recv_binary(&wire);
}

fn hello() -> Value {
    json!({"op":10,"d":{"heartbeat_interval":INTERVAL_MS},"s":null,"t":null})
}

fn ready() -> Value {
    json!({"op":0,"s":1,"t":"READY","d":{"v":10,
        "user":{"id":"1194566300643491842","username":"simbot","bot":true},
        "guilds":[{"id":"820627323903672320","unavailable":true}],
        "session_id":"sess-1","resume_gateway_url":RESUME_URL,"shard":[0,1],
        "application":{"id":"1194566300643491842","flags":0}}})
}

fn closes_to_resume(events: &[Event], error: &ReceiveError) -> bool {
    events.iter().any(|event| {
        matches!(event, Event::Closed(Closed {
            code: Some(4000),
            initiator: Initiator::Local,
            cause: CloseCause::BadInput(cause),
            next: Next::Resume,
        }) if cause == error)
    })
}

#[test]
fn zstd_stream_is_requested_in_the_query_and_messages_decode_through_the_machine() {
    let (mut h, mut server) = zstd_harness(MIB);
    assert_eq!(
        h.connects(),
        [format!(
            "{MAIN_URL}/?v=10&encoding=json&compress=zstd-stream"
        )]
    );
    h.open();
    send(&mut h, &mut server, hello());
    assert_eq!(h.sent_ops(), [2], "identify after a compressed hello");
    send(&mut h, &mut server, ready());
    assert_eq!(h.shard.state(), State::Active);
    for seq in 2..40 {
        let content = format!("message {seq} says hello to the whole channel");
        send(
            &mut h,
            &mut server,
            json!({"op":0,"s":seq,"t":"MESSAGE_CREATE","d":{"id":seq.to_string(),"content":content}}),
        );
    }
    let events = h.take_events();
    assert!(matches!(events[0], Event::Hello(_)), "{events:?}");
    assert!(matches!(events[1], Event::Ready(_)), "{events:?}");
    let dispatches: Vec<_> = events[2..]
        .iter()
        .map(|event| match event {
            Event::Dispatch(dispatch) => (dispatch.seq, dispatch.payload.data().to_owned()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(dispatches.len(), 38);
    assert_eq!(dispatches[0].0, 2);
    assert!(dispatches[37].1.contains("message 39 says hello"));
    assert_eq!(h.shard.session().map(|s| s.sequence), Some(39));
}

#[test]
fn a_resumed_connection_starts_a_new_zstd_frame() {
    let (mut h, mut first) = zstd_harness(MIB);
    h.open();
    send(&mut h, &mut first, hello());
    send(&mut h, &mut first, ready());
    send(
        &mut h,
        &mut first,
        json!({"op":0,"s":2,"t":"MESSAGE_CREATE","d":{}}),
    );
    h.server_close(None);
    assert!(h.connects().last().unwrap().starts_with(RESUME_URL));
    h.clear();

    // The new socket's gateway has a new compression context: its first message opens a new
    // frame, which only a fresh decoder reads.
    h.open();
    let mut second = ZstdServer::new(3);
    send(&mut h, &mut second, hello());
    assert_eq!(h.sent_ops(), [6], "resume after the new frame's hello");
    send(
        &mut h,
        &mut second,
        json!({"op":0,"s":3,"t":"MESSAGE_CREATE","d":{}}),
    );
    send(
        &mut h,
        &mut second,
        json!({"op":0,"s":4,"t":"RESUMED","d":{}}),
    );
    assert_eq!(h.shard.state(), State::Active);
    let events = h.take_events();
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error(_))),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Resumed(_))));
}

#[test]
fn a_malformed_zstd_stream_is_an_error_and_a_resume_keeping_the_session() {
    let (mut h, mut server) = zstd_harness(MIB);
    h.open();
    send(&mut h, &mut server, hello());
    send(&mut h, &mut server, ready());
    h.clear();

    // A block of the reserved type in the middle of the frame.
    h.recv_binary(&[0x06, 0x00, 0x00, 0xde, 0xad]);
    let error = ReceiveError::Zstd(ZstdError::Corrupt);
    let events = h.take_events();
    assert_eq!(events.first(), Some(&Event::Error(error.clone())));
    assert!(closes_to_resume(&events, &error), "{events:?}");
    assert_eq!(h.closes(), [4000]);
    assert_eq!(h.shard.session().map(|s| s.id.as_str()), Some("sess-1"));
    assert!(h.connects()[0].starts_with(RESUME_URL));

    // The next connection decodes again: the poisoned context was reset when it opened.
    h.clear();
    h.open();
    send(&mut h, &mut ZstdServer::new(3), hello());
    assert_eq!(h.sent_ops(), [6]);
}

#[test]
fn a_zstd_bomb_is_refused_by_the_size_cap() {
    let (mut h, mut server) = zstd_harness(MIB);
    h.open();
    send(&mut h, &mut server, hello());
    send(&mut h, &mut server, ready());
    h.clear();

    // 32 MiB of one repeated dispatch, a few kilobytes on the wire.
    let mut bomb = br#"{"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"content":""#.to_vec();
    bomb.resize(32 * MIB, b'a');
    let wire = server.message(&bomb);
    assert!(wire.len() < 64 * 1024, "bomb is {} bytes", wire.len());
    h.recv_binary(&wire);

    let error = ReceiveError::Zstd(ZstdError::TooLarge { limit: MIB });
    let events = h.take_events();
    assert_eq!(events.first(), Some(&Event::Error(error.clone())));
    assert!(closes_to_resume(&events, &error), "{events:?}");
    assert!(
        h.shard.heap_bytes() < 64 * 1024,
        "the refused message's memory is freed: {}",
        h.shard.heap_bytes()
    );
}

#[test]
fn text_frames_still_pass_when_zstd_stream_is_on() {
    let (mut h, _) = zstd_harness(MIB);
    h.open();
    h.hello();
    h.ready(1);
    assert_eq!(h.shard.state(), State::Active);
}
