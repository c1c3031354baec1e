//! zlib-stream through the machine (protocol.md §9.2): one context per connection, a
//! fresh one on every reconnect, messages split across frames, corrupt data and bombs
//! become an error and a resume, never a panic.

mod support;

use gateway_proto::{Compression, Event, Next, ReceiveError};
use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{DataFormat, MZFlush};
use serde_json::json;
use support::{config, Harness, RESUME_URL};

/// The server side of one connection: one deflate stream, a sync flush per message.
struct Deflater(Box<CompressorOxide>);

impl Deflater {
    fn new() -> Self {
        let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(6, 15, 0));
        compressor.set_format_and_level(DataFormat::Zlib, 6);
        Self(Box::new(compressor))
    }

    fn message(&mut self, value: serde_json::Value) -> Vec<u8> {
        let text = value.to_string();
        let mut out = vec![0; text.len() * 2 + 64];
        let result = deflate(&mut self.0, text.as_bytes(), &mut out, MZFlush::Sync);
        assert_eq!(result.bytes_consumed, text.len());
        out.truncate(result.bytes_written);
        out
    }
}

fn zlib_harness() -> Harness {
    Harness::with(
        config()
            .compression(Compression::ZlibStream)
            .build()
            .unwrap(),
    )
}

fn hello_ready(h: &mut Harness, z: &mut Deflater) {
    h.recv_binary(&z.message(json!({"op":10,"d":{"heartbeat_interval":41250}})));
    h.recv_binary(&z.message(json!({"op":0,"s":1,"t":"READY","d":{
        "session_id":"sess-1","resume_gateway_url":RESUME_URL,"user":{"id":"1"},"guilds":[]}})));
}

fn dispatch_seqs(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Dispatch(d) => Some(d.seq),
            _ => None,
        })
        .collect()
}

#[test]
fn compressed_messages_decode_and_may_span_frames() {
    let mut h = zlib_harness();
    let mut z = Deflater::new();
    h.open();
    hello_ready(&mut h, &mut z);
    let big = "x".repeat(100_000);
    let bytes = z.message(json!({"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"content":big}}));
    for chunk in bytes.chunks(7) {
        h.recv_binary(chunk);
    }
    let events = h.take_events();
    assert_eq!(dispatch_seqs(&events), [2]);
    assert!(events.iter().all(|e| !matches!(e, Event::Error(_))));
}

#[test]
fn every_connection_gets_a_fresh_zlib_context() {
    let mut h = zlib_harness();
    let mut z = Deflater::new();
    h.open();
    hello_ready(&mut h, &mut z);
    h.server_close(None);
    // The new connection's server starts a new zlib stream (with a new header).
    let mut z2 = Deflater::new();
    h.open();
    h.recv_binary(&z2.message(json!({"op":10,"d":{"heartbeat_interval":41250}})));
    h.recv_binary(&z2.message(json!({"op":0,"s":2,"t":"MESSAGE_CREATE","d":{}})));
    h.recv_binary(&z2.message(json!({"op":0,"s":3,"t":"RESUMED","d":{}})));
    let events = h.take_events();
    assert!(
        events.iter().all(|e| !matches!(e, Event::Error(_))),
        "{events:?}"
    );
    assert_eq!(dispatch_seqs(&events), [2]);
    assert!(events.iter().any(|e| matches!(e, Event::Resumed(_))));
}

#[test]
fn corrupt_compressed_data_is_an_error_and_a_resume() {
    let mut h = zlib_harness();
    let mut z = Deflater::new();
    h.open();
    hello_ready(&mut h, &mut z);
    h.clear();
    h.recv_binary(&[0x12, 0x34, 0x56, 0x00, 0x00, 0xff, 0xff]);
    let events = h.take_events();
    // Mid-stream garbage either fails to inflate or inflates to something that is not
    // an envelope; both are bad input.
    assert!(
        matches!(
            events[0],
            Event::Error(
                ReceiveError::Inflate(_) | ReceiveError::Envelope(_) | ReceiveError::NotUtf8
            )
        ),
        "{events:?}"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Closed(c) if c.next == Next::Resume)));
    assert!(h.connects()[0].starts_with(RESUME_URL));
}

#[test]
fn a_decompression_bomb_is_refused_by_the_cap() {
    let mut h = Harness::with(
        config()
            .compression(Compression::ZlibStream)
            .max_message_size(1 << 20)
            .build()
            .unwrap(),
    );
    let mut z = Deflater::new();
    h.open();
    hello_ready(&mut h, &mut z);
    h.clear();
    let bomb = format!(r#"{{"op":0,"s":2,"t":"X","d":"{}"}}"#, "0".repeat(20 << 20));
    let mut out = vec![0; 1 << 20];
    let result = deflate(&mut z.0, bomb.as_bytes(), &mut out, MZFlush::Sync);
    assert_eq!(
        result.bytes_consumed,
        bomb.len(),
        "20 MiB compress into 1 MiB"
    );
    out.truncate(result.bytes_written);
    h.recv_binary(&out);
    let events = h.take_events();
    assert!(
        matches!(events[0], Event::Error(ReceiveError::Inflate(_))),
        "{events:?}"
    );
    assert!(
        h.shard.heap_bytes() < 2 << 20,
        "held {} bytes",
        h.shard.heap_bytes()
    );
    assert!(h.shard.session().is_some(), "the session stays resumable");
}
