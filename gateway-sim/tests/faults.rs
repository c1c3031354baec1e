//! Fault injection (protocol.md §15.10), each addressed by connection or by shard: drop,
//! close with a code, op 7, op 9 true/false, withheld ACKs, op 1, raw text, split frames, stop
//! reading; plus the 120-per-60 s command limit (4008).

mod common;

use std::time::Duration;

use common::*;
use gateway_sim::protocol::close;
use gateway_sim::{Closer, Event, SimConfig, Target};
use serde_json::json;

#[tokio::test]
async fn drop_connection_ends_tcp_without_a_close_frame() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.ready(BASIC, None).await;
    let conn = sim.log().connections()[0];
    assert_eq!(sim.drop_connection(conn), 1);
    assert_eq!(c.closed().await, None);
    assert_eq!(
        sim.log().wait_closed(conn, WAIT).await.unwrap(),
        (None, Closer::ServerDropped)
    );
    assert_eq!(sim.drop_connection(conn), 0, "already gone");
}

#[tokio::test]
async fn close_with_sends_any_code() {
    let sim = sim(SimConfig::fast()).await;
    for code in [4000, 4001, 4009, 1000, 4999] {
        let mut c = Client::main(&sim).await;
        c.hello().await;
        let conn = *sim.log().connections().last().unwrap();
        sim.close_with(conn, code);
        assert_eq!(c.closed().await, Some(code));
    }
}

#[tokio::test]
async fn faults_can_target_a_shard() {
    let sim = sim(SimConfig::fast()).await;
    let mut a = Client::main(&sim).await;
    a.ready(BASIC, Some([0, 2])).await;
    let mut b = Client::main(&sim).await;
    b.ready(BASIC, Some([1, 2])).await;
    assert_eq!(sim.close_with(Target::Shard(1), 4000), 1);
    assert_eq!(b.closed().await, Some(4000));
    a.heartbeat().await;
    assert_eq!(a.until_op(11).await["op"], 11, "shard 0 untouched");
    assert_eq!(sim.connections().len(), 1);
}

#[tokio::test]
async fn reconnect_sends_op_7_and_closes_later_when_configured() {
    let sim = sim(SimConfig {
        reconnect_close_after: Some(Duration::from_millis(100)),
        ..SimConfig::fast()
    })
    .await;
    let mut c = Client::main(&sim).await;
    c.ready(BASIC, None).await;
    sim.send_reconnect(Target::All);
    assert_eq!(
        c.until_op(7).await,
        json!({"t": null, "s": null, "op": 7, "d": null})
    );
    assert_eq!(c.closed().await, Some(close::UNKNOWN_ERROR));
}

#[tokio::test]
async fn invalid_session_true_keeps_the_session_false_forgets_it() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let ready = c.ready(BASIC, None).await;
    let sid = ready["session_id"].as_str().unwrap().to_owned();
    let conn = sim.log().connections()[0];
    sim.send_invalid_session(conn, true);
    assert_eq!(c.until_op(9).await["d"], true);
    assert!(sim.session_seq(&sid).is_some());
    sim.send_invalid_session(conn, false);
    assert_eq!(c.until_op(9).await["d"], false);
    assert!(sim.session_seq(&sid).is_none());
    // The client may identify again on the same socket.
    c.identify(BASIC, None).await;
    assert_eq!(c.until_op(0).await["t"], "READY");
}

#[tokio::test]
async fn withheld_acks_stop_until_released() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    let conn = sim.log().connections()[0];
    sim.withhold_acks(conn, true);
    sim.log()
        .wait_event(
            conn,
            WAIT,
            |e| matches!(e, Event::Fault(f) if f.starts_with("withhold")),
        )
        .await
        .unwrap();
    c.heartbeat().await;
    // Mark the stream: a server heartbeat request arrives, with no ACK before it.
    sim.request_heartbeat(conn);
    assert_eq!(
        c.payload().await,
        json!({"t": null, "s": null, "op": 1, "d": null})
    );
    sim.withhold_acks(conn, false);
    sim.log()
        .wait_event(
            conn,
            WAIT,
            |e| matches!(e, Event::Fault(f) if f == "withhold acks: false"),
        )
        .await
        .unwrap();
    c.heartbeat().await;
    assert_eq!(c.payload().await["op"], 11);
}

#[tokio::test]
async fn raw_text_reaches_the_client_unchanged() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    let conn = sim.log().connections()[0];
    sim.send_raw_text(conn, r#"{"op":0,"t":"WEIRD","s":null,"d":{"x":1}}"#);
    assert_eq!(c.payload().await["t"], "WEIRD");
}

#[tokio::test]
async fn split_frames_fragments_messages_for_uncompressed_connections() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.ready(BASIC, None).await;
    let conn = sim.log().connections()[0];
    sim.split_frames(conn, 4);
    sim.dispatch(
        "MESSAGE_CREATE",
        Some(sim.guilds_for_shard([0, 1])[0]),
        json!({"content": "split", "id": "1"}),
    );
    let v = c.until_dispatch("MESSAGE_CREATE").await;
    assert_eq!(
        v["d"]["content"], "split",
        "continuation frames reassemble into one message"
    );
}

#[tokio::test]
async fn stop_reading_delays_processing_but_loses_nothing() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    let conn = sim.log().connections()[0];
    sim.stop_reading(conn, Duration::from_millis(300));
    sim.log()
        .wait_event(
            conn,
            WAIT,
            |e| matches!(e, Event::Fault(f) if f.starts_with("stop reading")),
        )
        .await
        .unwrap();
    for _ in 0..3 {
        c.heartbeat().await;
    }
    for _ in 0..3 {
        assert_eq!(c.payload().await["op"], 11);
    }
    let frames = sim.frames(conn);
    let fault_at = sim
        .log()
        .records()
        .into_iter()
        .find(|r| r.conn == conn && matches!(&r.event, Event::Fault(_)))
        .unwrap()
        .at;
    assert!(
        frames
            .iter()
            .all(|f| f.at.duration_since(fault_at) >= Duration::from_millis(300)),
        "read after the pause"
    );
}

#[tokio::test]
async fn more_than_120_frames_in_60_seconds_gets_4008() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    for _ in 0..120 {
        c.send(json!({"op": 1, "d": null})).await;
    }
    for _ in 0..120 {
        assert_eq!(c.payload().await["op"], 11);
    }
    c.send(json!({"op": 1, "d": null})).await;
    assert_eq!(c.closed().await, Some(close::RATE_LIMITED));
}

#[tokio::test]
async fn the_command_window_rolls() {
    let cfg = SimConfig {
        command_limit: 5,
        command_window: Duration::from_millis(300),
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    for _ in 0..5 {
        c.heartbeat().await;
    }
    // After the window has passed, five more are fine.
    tokio::time::sleep(Duration::from_millis(400)).await;
    for _ in 0..5 {
        c.heartbeat().await;
    }
    for _ in 0..10 {
        assert_eq!(c.payload().await["op"], 11);
    }
    c.heartbeat().await;
    assert_eq!(c.closed().await, Some(close::RATE_LIMITED));
}
