//! Transport compression on the wire (protocol.md §9.2, §15.1): zlib-stream with sync-flush
//! markers and optional splitting over several frames, zstd-stream as one endless frame with one
//! message per frame, and the compressed-data faults (corrupt bytes, decompression bomb).

mod common;

use common::*;
use futures_util::StreamExt;
use gateway_sim::{SimConfig, Simulator};
use serde_json::json;

const ZLIB: &str = "/?v=10&encoding=json&compress=zlib-stream";
const ZSTD: &str = "/?v=10&encoding=json&compress=zstd-stream";

/// Raw websocket messages of a connection, for byte-level checks.
async fn raw_messages(sim: &Simulator, query: &str, n: usize) -> Vec<Vec<u8>> {
    let (mut ws, _) = async_tungstenite::tokio::connect_async(format!("{}{query}", sim.url()))
        .await
        .unwrap();
    ws.send(async_tungstenite::tungstenite::Message::text(
        json!({"op": 1, "d": null}).to_string(),
    ))
    .await
    .unwrap();
    let mut out = Vec::new();
    while out.len() < n {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(async_tungstenite::tungstenite::Message::Binary(b))) => out.push(b.to_vec()),
            other => panic!("expected binary frames, got {other:?}"),
        }
    }
    out
}

#[tokio::test]
async fn zlib_stream_messages_are_binary_and_end_with_the_sync_marker() {
    let sim = sim(SimConfig::fast()).await;
    let frames = raw_messages(&sim, ZLIB, 2).await;
    assert_eq!(frames[0][0], 0x78, "zlib header on the first message only");
    assert_ne!(frames[1][0], 0x78);
    for f in &frames {
        assert!(f.ends_with(&[0, 0, 0xff, 0xff]));
    }
}

#[tokio::test]
async fn zlib_stream_carries_a_whole_session() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::connect(&sim.url(), ZLIB).await;
    let ready = c.ready(BASIC, None).await;
    for _ in 0..ready["guilds"].as_array().unwrap().len() {
        assert_eq!(c.payload().await["t"], "GUILD_CREATE");
    }
    // Generated traffic keeps inflating with the same context.
    let sent = sim.emit_events(50);
    let first = c.seq.unwrap() + 1;
    for s in first..first + sent as u64 {
        assert_eq!(c.payload().await["s"], s);
    }
}

#[tokio::test]
async fn zlib_messages_can_be_split_over_several_frames() {
    let sim = sim(SimConfig {
        compress_split: 3,
        ..SimConfig::fast()
    })
    .await;
    let mut c = Client::connect(&sim.url(), ZLIB).await;
    c.hello().await;
    assert_eq!(c.frames_received, 3, "Hello arrived in three frames");
    let conn = sim.log().connections()[0];
    sim.split_frames(conn, 5);
    c.identify(BASIC, None).await;
    let ready = c.payload().await;
    assert_eq!(ready["t"], "READY");
    assert_eq!(c.frames_received, 3 + 5);
}

#[tokio::test]
async fn zstd_stream_is_one_endless_frame_with_one_message_per_frame() {
    let sim = sim(SimConfig::fast()).await;
    let frames = raw_messages(&sim, ZSTD, 2).await;
    assert_eq!(&frames[0][..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd magic");
    assert_eq!(frames[0][4], 0x00, "no content size, no checksum");
    assert_eq!(frames[0][5], 0x40, "window 2^18");
    assert_ne!(
        &frames[1][..4],
        &[0x28, 0xb5, 0x2f, 0xfd],
        "the frame continues"
    );

    let mut c = Client::connect(&sim.url(), ZSTD).await;
    let ready = c.ready(BASIC, None).await;
    for _ in 0..ready["guilds"].as_array().unwrap().len() {
        assert_eq!(c.payload().await["t"], "GUILD_CREATE");
    }
}

#[tokio::test]
async fn unknown_compress_values_fall_back_to_text() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::connect(&sim.url(), "/?v=10&encoding=json&compress=brotli").await;
    assert!(c.hello().await > 0);
}

#[tokio::test]
async fn corrupt_compressed_bytes_reach_the_client_as_sent() {
    let sim = sim(SimConfig::fast()).await;
    let (mut ws, _) = async_tungstenite::tokio::connect_async(format!("{}{ZLIB}", sim.url()))
        .await
        .unwrap();
    let _hello = ws.next().await;
    let conn = sim.log().connections()[0];
    let garbage = [0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0xff, 0xff];
    sim.send_raw_binary(conn, &garbage);
    match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
        Some(Ok(async_tungstenite::tungstenite::Message::Binary(b))) => {
            assert_eq!(&b[..], &garbage)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_small_on_the_wire_and_huge_inflated() {
    let sim = sim(SimConfig::fast()).await;
    for query in [ZLIB, ZSTD] {
        let (mut ws, _) = async_tungstenite::tokio::connect_async(format!("{}{query}", sim.url()))
            .await
            .unwrap();
        let _hello = ws.next().await;
        let conn = *sim.log().connections().last().unwrap();
        sim.send_decompression_bomb(conn, 64 << 20);
        let bytes = match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(async_tungstenite::tungstenite::Message::Binary(b))) => b,
            other => panic!("{other:?}"),
        };
        assert!(
            bytes.len() < 1 << 20,
            "{query}: {} bytes on the wire",
            bytes.len()
        );
        // Inflating it (with a fresh context after a fresh Hello) yields the full size.
        let mut c = Client::connect(&sim.url(), query).await;
        c.hello().await;
        let conn = *sim.log().connections().last().unwrap();
        sim.send_decompression_bomb(conn, 4 << 20);
        let v = c.payload().await;
        assert_eq!(v["t"], "BOMB");
        assert_eq!(v["d"].as_str().unwrap().len(), 4 << 20);
    }
}
