//! Connection opening, Hello, heartbeats, Identify validation with every documented close code,
//! READY and GUILD_CREATE per shard, identify concurrency and the session-start budget
//! (protocol.md §1–§4, §7, §8, §15.1–§15.4).

mod common;

use std::time::Duration;

use common::*;
use gateway_sim::protocol::close;
use gateway_sim::{Closer, Event, SimConfig, WorldConfig};
use serde_json::{json, Value};

#[tokio::test]
async fn hello_announces_the_configured_interval_and_heartbeats_are_acked() {
    let sim = sim(SimConfig::fast().with_heartbeat_interval(Duration::from_millis(1234))).await;
    let mut c = Client::main(&sim).await;
    assert_eq!(c.hello().await, 1234);
    // Heartbeats are allowed before Identify and every one gets an ACK.
    for _ in 0..3 {
        c.send(json!({"op": 1, "d": null})).await;
        let ack = c.payload().await;
        assert_eq!(ack, json!({"t": null, "s": null, "op": 11, "d": null}));
    }
}

#[tokio::test]
async fn version_other_than_10_is_closed_with_4012() {
    let sim = sim(SimConfig::fast()).await;
    for q in ["/?v=9&encoding=json", "/?encoding=json", "/?v=abc"] {
        let mut c = Client::connect(&sim.url(), q).await;
        assert_eq!(
            c.closed().await,
            Some(close::INVALID_API_VERSION),
            "query {q}"
        );
    }
}

#[tokio::test]
async fn etf_encoding_is_refused_with_4002() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::connect(&sim.url(), "/?v=10&encoding=etf").await;
    assert_eq!(c.closed().await, Some(close::DECODE_ERROR));
}

async fn identify_close_code(cfg: SimConfig, d: Value) -> Option<u16> {
    let sim = sim(cfg).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    c.identify_with(d).await;
    c.closed().await
}

#[tokio::test]
async fn identify_with_a_wrong_token_gets_4004() {
    let mut d = identify_d(BASIC, None);
    d["token"] = json!("not-the-token");
    assert_eq!(
        identify_close_code(SimConfig::fast(), d).await,
        Some(close::AUTHENTICATION_FAILED)
    );
}

#[tokio::test]
async fn identify_with_undocumented_intent_bits_gets_4013() {
    let d = identify_d(1 << 17, None);
    assert_eq!(
        identify_close_code(SimConfig::fast(), d).await,
        Some(close::INVALID_INTENTS)
    );
}

#[tokio::test]
async fn identify_with_privileged_intents_not_enabled_gets_4014() {
    let cfg = SimConfig {
        enabled_privileged_intents: 1 << 15,
        ..SimConfig::fast()
    };
    // MESSAGE_CONTENT is enabled, GUILD_PRESENCES is not.
    assert_eq!(
        identify_close_code(cfg.clone(), identify_d(1 | (1 << 8), None)).await,
        Some(close::DISALLOWED_INTENTS)
    );
    let sim = sim(cfg).await;
    let mut c = Client::main(&sim).await;
    c.ready(1 | (1 << 15), None).await;
}

#[tokio::test]
async fn identify_with_a_bad_shard_array_gets_4010() {
    for shard in [
        json!([2, 2]),
        json!([0, 0]),
        json!([0]),
        json!(["0", "1"]),
        json!([-1, 2]),
    ] {
        let mut d = identify_d(BASIC, None);
        d["shard"] = shard.clone();
        assert_eq!(
            identify_close_code(SimConfig::fast(), d).await,
            Some(close::INVALID_SHARD),
            "shard {shard}"
        );
    }
}

#[tokio::test]
async fn identify_with_too_many_guilds_for_one_shard_gets_4011() {
    let cfg = SimConfig {
        max_guilds_per_shard: 2,
        world: WorldConfig {
            guilds: 4,
            ..WorldConfig::default()
        },
        ..SimConfig::fast()
    };
    assert_eq!(
        identify_close_code(cfg.clone(), identify_d(BASIC, None)).await,
        Some(close::SHARDING_REQUIRED)
    );
    // With enough shards, every shard is under the limit.
    let sim = sim(cfg).await;
    let per_shard = sim.guilds_for_shard([0, 4]).len();
    assert!(
        per_shard <= 2,
        "test world must spread guilds, got {per_shard}"
    );
    let mut c = Client::main(&sim).await;
    c.ready(BASIC, Some([0, 4])).await;
}

#[tokio::test]
async fn a_malformed_identify_gets_4001() {
    for d in [
        json!(null),
        json!({"token": TOKEN, "intents": 1}),
        json!({"token": 5, "intents": 1, "properties": {}}),
    ] {
        assert_eq!(
            identify_close_code(SimConfig::fast(), d.clone()).await,
            Some(close::UNKNOWN_OPCODE),
            "d {d}"
        );
    }
}

#[tokio::test]
async fn a_second_identify_gets_4005() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.ready(BASIC, None).await;
    c.identify(BASIC, None).await;
    assert_eq!(c.closed().await, Some(close::ALREADY_AUTHENTICATED));
}

#[tokio::test]
async fn commands_before_identify_get_4003() {
    let sim = sim(SimConfig::fast()).await;
    for cmd in [
        json!({"op": 3, "d": {"since": null, "activities": [], "status": "online", "afk": false}}),
        json!({"op": 8, "d": {"guild_id": "1", "query": "", "limit": 0}}),
    ] {
        let mut c = Client::main(&sim).await;
        c.hello().await;
        c.send(cmd).await;
        assert_eq!(c.closed().await, Some(close::NOT_AUTHENTICATED));
    }
}

#[tokio::test]
async fn unknown_opcodes_get_4001() {
    let sim = sim(SimConfig::fast()).await;
    for op in [5, 11, 12, 99] {
        let mut c = Client::main(&sim).await;
        c.hello().await;
        c.send(json!({"op": op, "d": null})).await;
        assert_eq!(c.closed().await, Some(close::UNKNOWN_OPCODE), "op {op}");
    }
}

#[tokio::test]
async fn invalid_json_and_oversized_payloads_get_4002() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.hello().await;
    c.send_text("{\"op\": 1, ").await;
    assert_eq!(c.closed().await, Some(close::DECODE_ERROR));

    let mut c = Client::main(&sim).await;
    c.ready(BASIC, None).await;
    let big = "x".repeat(4100);
    c.send(json!({"op": 3, "d": {"since": null, "activities": [{"name": big, "type": 0}], "status": "online", "afk": false}}))
        .await;
    assert_eq!(c.closed().await, Some(close::DECODE_ERROR));
    let conn = sim.log().connections()[1];
    let (code, by) = sim.log().wait_closed(conn, WAIT).await.unwrap();
    assert_eq!((code, by), (Some(4002), Closer::Server));
}

#[tokio::test]
async fn ready_lists_this_shards_guilds_and_each_gets_a_guild_create() {
    let world = WorldConfig {
        guilds: 6,
        ..WorldConfig::default()
    };
    let sim = sim(SimConfig::fast().with_world(world)).await;
    let mut total = 0;
    for shard in 0..2u32 {
        let mut c = Client::main(&sim).await;
        let ready = c.ready(BASIC, Some([shard, 2])).await;
        let expected: Vec<u64> = sim.guilds_for_shard([shard, 2]);
        for g in &expected {
            assert_eq!((g >> 22) % 2, u64::from(shard), "routing formula");
        }
        let listed: Vec<u64> = ready["guilds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                assert_eq!(g["unavailable"], true);
                g["id"].as_str().unwrap().parse().unwrap()
            })
            .collect();
        assert_eq!(listed, expected);
        assert_eq!(ready["shard"], json!([shard, 2]));
        assert_eq!(ready["v"], 10);
        assert_eq!(ready["user"]["bot"], true);
        let sid = ready["session_id"].as_str().unwrap();
        assert!(
            sid.len() == 32 && sid.bytes().all(|b| b.is_ascii_hexdigit()),
            "session id {sid}"
        );
        assert_eq!(ready["resume_gateway_url"], sim.resume_url());
        assert_ne!(sim.resume_url(), sim.url());
        // Sequence numbers: READY is 1, then one per GUILD_CREATE.
        assert_eq!(c.seq, Some(1));
        for (i, g) in expected.iter().enumerate() {
            let gc = c.payload().await;
            assert_eq!(gc["t"], "GUILD_CREATE");
            assert_eq!(gc["s"], i as u64 + 2);
            assert_eq!(gc["d"]["id"], g.to_string());
        }
        total += expected.len();
    }
    assert_eq!(total, 6, "every guild is on exactly one shard");
}

#[tokio::test]
async fn identify_without_guilds_intent_gets_no_guild_create() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = Client::main(&sim).await;
    c.ready(512, None).await;
    let guild = sim.guild_ids()[0];
    let n = sim.dispatch(
        "MESSAGE_CREATE",
        Some(guild),
        json!({"id": "1", "channel_id": "2", "content": "hi"}),
    );
    assert_eq!(n, 1);
    // The next dispatch after READY is not a GUILD_CREATE (GUILDS gates it, §10).
    let next = c.until_op(0).await;
    assert_ne!(next["t"], "GUILD_CREATE");
    assert_eq!(next["s"], 2);
}

#[tokio::test]
async fn identifies_in_one_bucket_within_the_window_get_op_9_false() {
    let cfg = SimConfig {
        identify_window: Duration::from_secs(30),
        max_concurrency: 2,
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    // Shards 0 and 1 are in different buckets: both start.
    let mut a = Client::main(&sim).await;
    a.ready(BASIC, Some([0, 4])).await;
    let mut b = Client::main(&sim).await;
    b.ready(BASIC, Some([1, 4])).await;
    // Shard 2 shares bucket 0 with shard 0: refused with op 9 false, socket stays open.
    let mut c = Client::main(&sim).await;
    c.hello().await;
    c.identify(BASIC, Some([2, 4])).await;
    assert_eq!(
        c.payload().await,
        json!({"t": null, "s": null, "op": 9, "d": false})
    );
    c.send(json!({"op": 1, "d": null})).await;
    assert_eq!(c.payload().await["op"], 11, "the socket is still usable");
}

#[tokio::test]
async fn the_identify_window_reopens_after_its_duration() {
    let sim = sim(SimConfig {
        identify_window: Duration::from_millis(300),
        ..SimConfig::fast()
    })
    .await;
    let mut a = Client::main(&sim).await;
    a.ready(BASIC, None).await;
    let mut b = Client::main(&sim).await;
    b.hello().await;
    b.identify(BASIC, None).await;
    assert_eq!(b.payload().await["op"], 9);
    // Retry on the same socket until the bucket frees (bounded by WAIT, not a speed assertion).
    let conn = sim.log().connections()[1];
    loop {
        b.identify(BASIC, None).await;
        let v = b.payload().await;
        if v["t"] == "READY" {
            break;
        }
        assert_eq!(v["op"], 9);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sim
        .log()
        .events(conn)
        .iter()
        .any(|e| matches!(e, Event::Identified { .. })));
}

#[tokio::test]
async fn session_starts_decrement_and_run_out() {
    let cfg = SimConfig {
        session_start_total: 10,
        session_start_remaining: 2,
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    let (status, body) = http_get(&sim, "/api/v10/gateway/bot", Some("Bot sim-token")).await;
    assert_eq!(status, 200);
    assert_eq!(body["session_start_limit"]["remaining"], 2);
    assert_eq!(body["session_start_limit"]["total"], 10);
    for shard in 0..2 {
        let mut c = Client::main(&sim).await;
        c.ready(BASIC, Some([shard, 2])).await;
    }
    let (_, body) = http_get(&sim, "/gateway/bot", Some("Bot sim-token")).await;
    assert_eq!(body["session_start_limit"]["remaining"], 0);
    let mut c = Client::main(&sim).await;
    c.hello().await;
    c.identify(BASIC, Some([0, 2])).await;
    assert_eq!(c.closed().await, Some(close::AUTHENTICATION_FAILED));
}

#[tokio::test]
async fn gateway_bot_reports_url_shards_and_limits_and_needs_the_token() {
    let cfg = SimConfig {
        recommended_shards: 3,
        max_concurrency: 16,
        ..SimConfig::fast()
    };
    let sim = sim(cfg).await;
    let (status, body) = http_get(&sim, "/gateway/bot", Some("Bot sim-token")).await;
    assert_eq!(status, 200);
    assert_eq!(body["url"], sim.url());
    assert_eq!(body["shards"], 3);
    assert_eq!(body["session_start_limit"]["max_concurrency"], 16);
    assert!(body["session_start_limit"]["reset_after"].as_u64().unwrap() > 0);
    let (status, _) = http_get(&sim, "/gateway/bot", Some("Bot wrong")).await;
    assert_eq!(status, 401);
    let (status, body) = http_get(&sim, "/api/v10/gateway", None).await;
    assert_eq!((status, body), (200, json!({"url": sim.url()})));
}
