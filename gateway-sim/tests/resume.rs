//! Sessions and Resume (protocol.md §5, §15.6, §15.7): replay of missed dispatches in order,
//! RESUMED, the resume-only path, 4007 for a bad seq, op 9 false for unknown, expired or
//! invalidated sessions, heartbeat timeouts that keep the session resumable.

mod common;

use std::time::Duration;

use common::*;
use gateway_sim::protocol::close;
use gateway_sim::{Closer, Event, SimConfig, Simulator};
use serde_json::{json, Value};

/// Identifies, reads READY and the GUILD_CREATEs, and returns (session id, last seq, conn id).
async fn session(sim: &Simulator, c: &mut Client) -> (String, u64, u64) {
    let ready = c.ready(BASIC, None).await;
    let guilds = ready["guilds"].as_array().unwrap().len() as u64;
    while c.seq < Some(1 + guilds) {
        c.payload().await;
    }
    let conn = *sim.log().connections().last().unwrap();
    (
        ready["session_id"].as_str().unwrap().to_owned(),
        c.seq.unwrap(),
        conn,
    )
}

fn message(n: u64) -> Value {
    json!({"id": n.to_string(), "channel_id": "2", "content": format!("m{n}"), "author": {"id": "5"},
           "embeds": [], "attachments": [], "components": [], "mentions": []})
}

#[tokio::test]
async fn resume_replays_missed_dispatches_in_order_then_resumed() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.drop_connection(conn);
    assert_eq!(c.closed().await, None, "dropped without a close frame");
    sim.log().wait_closed(conn, WAIT).await.unwrap();
    // Dispatches while disconnected are buffered for the session.
    for n in 0..5 {
        assert_eq!(sim.dispatch("MESSAGE_CREATE", Some(guild), message(n)), 1);
    }
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq).await;
    for n in 0..5 {
        let v = r.payload().await;
        assert_eq!(
            (v["t"].as_str(), v["s"].as_u64()),
            (Some("MESSAGE_CREATE"), Some(seq + 1 + n))
        );
        assert_eq!(v["d"]["content"], format!("m{n}"));
    }
    let resumed = r.payload().await;
    assert_eq!(
        (resumed["t"].as_str(), resumed["s"].as_u64()),
        (Some("RESUMED"), Some(seq + 6))
    );
    // New dispatches continue the numbering.
    sim.dispatch("MESSAGE_CREATE", Some(guild), message(9));
    assert_eq!(r.payload().await["s"], seq + 7);

    let (rconn, rsid, rseq) = sim.log().wait_resumed(WAIT).await.unwrap();
    assert_eq!((rsid.as_str(), rseq), (sid.as_str(), seq));
    let frames = sim.frames(rconn);
    assert!(frames
        .iter()
        .all(|f| f.path == "/resume" && f.query == "v=10&encoding=json"));
    assert!(
        frames.iter().all(|f| f.op() != Some(2)),
        "no Identify on the resumed connection"
    );
    assert!(frames
        .iter()
        .any(|f| f.op() == Some(6) && f.payload["d"]["seq"] == seq));
    assert_eq!(
        sim.log().count_received_op(2),
        1,
        "one Identify in the whole run"
    );
}

#[tokio::test]
async fn resume_from_an_older_seq_replays_from_there() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.close_with(conn, 4000);
    assert_eq!(c.closed().await, Some(4000));
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, 1).await;
    let ss: Vec<u64> = futures_collect(&mut r, seq).await;
    assert_eq!(ss, (2..=seq).collect::<Vec<_>>());
    assert_eq!(r.payload().await["t"], "RESUMED");
}

async fn futures_collect(r: &mut Client, last: u64) -> Vec<u64> {
    let mut v = Vec::new();
    while v.last() != Some(&last) {
        v.push(r.payload().await["s"].as_u64().unwrap());
    }
    v
}

#[tokio::test]
async fn resume_on_the_main_path_gets_op_9_false() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.drop_connection(conn);
    let mut r = Client::main(&sim).await;
    r.hello().await;
    r.resume(&sid, seq).await;
    assert_eq!(
        r.payload().await,
        json!({"t": null, "s": null, "op": 9, "d": false})
    );
}

#[tokio::test]
async fn resume_with_a_seq_ahead_of_the_session_gets_4007() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.drop_connection(conn);
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq + 10).await;
    assert_eq!(r.closed().await, Some(close::INVALID_SEQ));
}

#[tokio::test]
async fn resume_with_a_seq_older_than_the_replay_buffer_gets_4007() {
    let sim = sim(SimConfig {
        replay_capacity: 2,
        ..SimConfig::fast()
    })
    .await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    assert!(seq >= 3, "READY plus at least two GUILD_CREATEs");
    sim.drop_connection(conn);
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq - 3).await;
    assert_eq!(r.closed().await, Some(close::INVALID_SEQ));
}

#[tokio::test]
async fn resume_of_an_unknown_session_gets_op_9_false() {
    let sim = sim(SimConfig::fast()).await;
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume("0123456789abcdef0123456789abcdef", 1).await;
    assert_eq!(r.payload().await["op"], 9);
    assert_eq!(r.seq, None);
    // The socket may still Identify (§5.3).
    r.identify(BASIC, None).await;
    assert_eq!(r.until_op(0).await["t"], "READY");
}

#[tokio::test]
async fn resume_with_a_wrong_token_gets_4004() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.drop_connection(conn);
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.send(json!({"op": 6, "d": {"token": "nope", "session_id": sid, "seq": seq}}))
        .await;
    assert_eq!(r.closed().await, Some(close::AUTHENTICATION_FAILED));
}

#[tokio::test]
async fn an_expired_session_gets_op_9_false() {
    let sim = sim(SimConfig {
        session_lifetime: Duration::from_millis(200),
        ..SimConfig::fast()
    })
    .await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    sim.drop_connection(conn);
    let (_, _) = sim.log().wait_closed(conn, WAIT).await.unwrap();
    // Wait past the lifetime, measured from the close record.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq).await;
    assert_eq!(r.payload().await["op"], 9);
    assert_eq!(sim.session_seq(&sid), None, "the session is gone");
}

#[tokio::test]
async fn client_close_1000_or_1001_invalidates_the_session_other_codes_keep_it() {
    let sim = sim(SimConfig::fast()).await;
    for (code, resumable) in [(1000, false), (1001, false), (4000, true), (4200, true)] {
        let mut c = Client::main(&sim).await;
        let (sid, seq, conn) = session(&sim, &mut c).await;
        c.send_close(code).await;
        let (got, by) = sim.log().wait_closed(conn, WAIT).await.unwrap();
        assert_eq!((got, by), (Some(code), Closer::Client));
        let mut r = Client::resume_path(&sim).await;
        r.hello().await;
        r.resume(&sid, seq).await;
        let v = r.payload().await;
        if resumable {
            assert_eq!(v["t"], "RESUMED", "close {code} keeps the session");
        } else {
            assert_eq!(v["op"], 9, "close {code} invalidates the session");
        }
    }
}

#[tokio::test]
async fn silent_clients_are_closed_after_interval_plus_grace_and_can_resume() {
    let cfg = SimConfig {
        heartbeat_interval: Duration::from_millis(150),
        heartbeat_grace: Duration::from_millis(150),
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, conn) = session(&sim, &mut c).await;
    assert_eq!(c.closed().await, Some(close::SESSION_TIMED_OUT));
    assert_eq!(
        sim.log().wait_closed(conn, WAIT).await.unwrap(),
        (Some(4009), Closer::Server)
    );
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq).await;
    assert_eq!(r.payload().await["t"], "RESUMED");
}

#[tokio::test]
async fn heartbeating_clients_stay_connected_past_the_timeout() {
    let cfg = SimConfig {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_grace: Duration::from_millis(100),
        heartbeat_timeout_code: 4000,
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    for _ in 0..8 {
        c.heartbeat().await;
        assert_eq!(c.payload().await["op"], 11);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let conn = sim.log().connections()[0];
    assert!(!sim
        .log()
        .events(conn)
        .iter()
        .any(|e| matches!(e, Event::Closed { .. })));
    // Then stop: the configured code arrives.
    assert_eq!(c.closed().await, Some(4000));
}

#[tokio::test]
async fn resuming_a_session_that_is_still_attached_closes_the_old_connection() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    let (sid, seq, _) = session(&sim, &mut c).await;
    let mut r = Client::resume_path(&sim).await;
    r.hello().await;
    r.resume(&sid, seq).await;
    assert_eq!(r.payload().await["t"], "RESUMED");
    assert_eq!(c.closed().await, Some(close::UNKNOWN_ERROR));
}
