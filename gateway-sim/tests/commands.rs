//! Answers to commands (protocol.md §11, §15.8, §15.9): op 8 chunks with nonce, `not_found`,
//! presences and the 30 s all-members cooldown (RATE_LIMITED); op 4 voice events; op 3
//! accepted; op 31 SOUNDBOARD_SOUNDS; op 43 CHANNEL_INFO; malformed commands get 4001.

mod common;

use std::time::Duration;

use common::*;
use gateway_sim::protocol::close;
use gateway_sim::{Event, SimConfig, Simulator, WorldConfig};
use serde_json::{json, Value};

const MEMBERS: u64 = 1 << 1;
const PRESENCES: u64 = 1 << 8;
const VOICE: u64 = 1 << 7;

/// A ready client on a one-shard session with `intents`, GUILD_CREATEs consumed.
async fn ready_client(sim: &Simulator, intents: u64) -> Client {
    let mut c = Client::main(sim).await;
    let ready = c.ready(intents, None).await;
    let n = ready["guilds"].as_array().unwrap().len();
    for _ in 0..n {
        assert_eq!(c.payload().await["t"], "GUILD_CREATE");
    }
    c
}

fn user_id(m: &Value) -> String {
    m["user"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn all_members_come_in_chunks_of_at_most_1000_with_the_nonce() {
    let world = WorldConfig {
        guilds: 1,
        members_per_guild: (2300, 2300),
        users: 3000,
        ..WorldConfig::default()
    };
    let sim = sim(SimConfig::fast().with_world(world)).await;
    let guild = sim.guild_ids()[0];
    let mut c = ready_client(&sim, BASIC | MEMBERS).await;
    c.send(json!({"op": 8, "d": {"guild_id": guild.to_string(), "query": "", "limit": 0, "nonce": "req-1"}})).await;
    let mut seen = Vec::new();
    for index in 0..3 {
        let chunk = c.until_dispatch("GUILD_MEMBERS_CHUNK").await["d"].clone();
        assert_eq!(chunk["chunk_index"], index);
        assert_eq!(chunk["chunk_count"], 3);
        assert_eq!(chunk["nonce"], "req-1");
        assert_eq!(chunk["guild_id"], guild.to_string());
        assert!(
            chunk.get("not_found").is_none(),
            "only for user_ids requests"
        );
        assert!(chunk.get("presences").is_none(), "not requested");
        let members = chunk["members"].as_array().unwrap();
        assert!(members.len() <= 1000);
        seen.extend(members.iter().map(user_id));
    }
    let mut expected: Vec<String> = sim.members(guild).iter().map(user_id).collect();
    assert_eq!(expected.len(), 2300);
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_repeated_all_members_request_within_the_cooldown_gets_rate_limited() {
    let sim = sim(SimConfig {
        member_request_cooldown: Duration::from_secs(30),
        ..SimConfig::fast()
    })
    .await;
    let guild = sim.guild_ids()[0];
    let mut c = ready_client(&sim, BASIC | MEMBERS).await;
    let req = json!({"op": 8, "d": {"guild_id": guild.to_string(), "query": "", "limit": 0, "nonce": "a"}});
    c.send(req.clone()).await;
    c.until_dispatch("GUILD_MEMBERS_CHUNK").await;
    let mut again = req.clone();
    again["d"]["nonce"] = json!("b");
    c.send(again).await;
    let rl = c.until_dispatch("RATE_LIMITED").await["d"].clone();
    assert_eq!(rl["opcode"], 8);
    let retry = rl["retry_after"].as_f64().unwrap();
    assert!(retry > 0.0 && retry <= 30.0, "retry_after {retry}");
    assert_eq!(
        rl["meta"],
        json!({"guild_id": guild.to_string(), "nonce": "b"})
    );
    // Another guild is not limited.
    let other = sim.guild_ids()[1];
    c.send(json!({"op": 8, "d": {"guild_id": other.to_string(), "query": "", "limit": 0}}))
        .await;
    assert_eq!(c.until_op(0).await["t"], "GUILD_MEMBERS_CHUNK");
}

#[tokio::test]
async fn user_ids_requests_report_not_found_as_sent() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let member = user_id(&sim.members(guild)[1]);
    let mut c = ready_client(&sim, BASIC).await;
    c.send(json!({"op": 8, "d": {"guild_id": guild.to_string(), "user_ids": [member, "123", 456], "nonce": "n"}}))
        .await;
    let chunk = c.until_dispatch("GUILD_MEMBERS_CHUNK").await["d"].clone();
    assert_eq!(
        chunk["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(user_id)
            .collect::<Vec<_>>(),
        vec![member]
    );
    assert_eq!(chunk["not_found"], json!(["123", 456]));
    assert_eq!(
        (chunk["chunk_index"].as_u64(), chunk["chunk_count"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn presences_are_included_only_with_the_presences_intent() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let req = json!({"op": 8, "d": {"guild_id": guild.to_string(), "query": "", "limit": 0, "presences": true}});
    let mut c = ready_client(&sim, BASIC | MEMBERS | PRESENCES).await;
    c.send(req.clone()).await;
    let chunk = c.until_dispatch("GUILD_MEMBERS_CHUNK").await["d"].clone();
    let presences = chunk["presences"]
        .as_array()
        .expect("presences requested and allowed");
    assert!(!presences.is_empty());
    assert!(presences
        .iter()
        .all(|p| p["status"] != "offline" && p["user"]["id"].is_string()));

    let sim = sim_fresh().await;
    let mut c = ready_client(&sim, BASIC | MEMBERS).await;
    c.send(req).await;
    let chunk = c.until_dispatch("GUILD_MEMBERS_CHUNK").await["d"].clone();
    assert!(
        chunk.get("presences").is_none(),
        "forced to false without GUILD_PRESENCES"
    );
}

async fn sim_fresh() -> Simulator {
    sim(SimConfig::fast()).await
}

#[tokio::test]
async fn prefix_queries_match_usernames_and_cap_at_the_limit() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let members = sim.members(guild);
    let name = members[3]["user"]["username"].as_str().unwrap().to_owned();
    let prefix: String = name.chars().take(2).collect();
    let mut c = ready_client(&sim, BASIC).await;
    c.send(json!({"op": 8, "d": {"guild_id": guild.to_string(), "query": prefix, "limit": 1}}))
        .await;
    let chunk = c.until_dispatch("GUILD_MEMBERS_CHUNK").await["d"].clone();
    let got = chunk["members"].as_array().unwrap();
    assert_eq!(got.len(), 1);
    let got_name = got[0]["user"]["username"].as_str().unwrap().to_lowercase();
    let nick = got[0]["nick"].as_str().unwrap_or("").to_lowercase();
    assert!(
        got_name.starts_with(&prefix.to_lowercase()) || nick.starts_with(&prefix.to_lowercase())
    );
}

#[tokio::test]
async fn all_members_without_the_members_intent_gets_no_answer() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let mut c = ready_client(&sim, BASIC).await;
    c.send(json!({"op": 8, "d": {"guild_id": guild.to_string(), "query": "", "limit": 0}}))
        .await;
    let conn = sim.log().connections()[0];
    sim.log()
        .wait_event(conn, WAIT, |e| matches!(e, Event::Ignored(_)))
        .await
        .unwrap();
    c.heartbeat().await;
    assert_eq!(
        c.payload().await["op"],
        11,
        "nothing was sent before the ACK"
    );
}

#[tokio::test]
async fn voice_state_update_answers_with_state_then_server() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guild_ids()[0];
    let voice = sim
        .channels(guild)
        .into_iter()
        .find(|c| c["type"] == 2)
        .expect("a voice channel");
    let channel = voice["id"].as_str().unwrap().to_owned();
    let mut c = ready_client(&sim, BASIC | VOICE).await;
    c.send(json!({"op": 4, "d": {"guild_id": guild.to_string(), "channel_id": channel, "self_mute": true, "self_deaf": false}}))
        .await;
    let state = c.payload().await;
    assert_eq!(state["t"], "VOICE_STATE_UPDATE");
    assert_eq!(state["d"]["channel_id"], channel);
    assert_eq!(state["d"]["self_mute"], true);
    assert_eq!(
        state["d"]["user_id"],
        sim.config().world.bot_user_id.to_string()
    );
    assert!(state["d"]["session_id"].is_string());
    let server = c.payload().await;
    assert_eq!(server["t"], "VOICE_SERVER_UPDATE");
    assert_eq!(server["d"]["guild_id"], guild.to_string());
    assert!(server["d"]["token"].is_string() && server["d"]["endpoint"].is_string());
    assert_eq!(server["s"].as_u64(), state["s"].as_u64().map(|s| s + 1));
    // Leaving: only the state update.
    c.send(json!({"op": 4, "d": {"guild_id": guild.to_string(), "channel_id": null, "self_mute": false, "self_deaf": false}}))
        .await;
    let left = c.payload().await;
    assert_eq!(
        (left["t"].as_str(), &left["d"]["channel_id"]),
        (Some("VOICE_STATE_UPDATE"), &Value::Null)
    );
    c.heartbeat().await;
    assert_eq!(c.payload().await["op"], 11);
}

#[tokio::test]
async fn presence_update_is_accepted_silently() {
    let sim = sim(SimConfig::fast()).await;
    let mut c = ready_client(&sim, BASIC).await;
    c.send(json!({"op": 3, "d": {"since": null, "activities": [{"name": "tests", "type": 0}], "status": "idle", "afk": false}}))
        .await;
    c.heartbeat().await;
    assert_eq!(c.payload().await["op"], 11);
}

#[tokio::test]
async fn soundboard_and_channel_info_requests_are_answered() {
    let sim = sim(SimConfig::fast()).await;
    let guilds = sim.guild_ids();
    let mut c = ready_client(&sim, BASIC).await;
    c.send(json!({"op": 31, "d": {"guild_ids": [guilds[0].to_string(), guilds[1].to_string()]}}))
        .await;
    for g in &guilds[..2] {
        let v = c.until_dispatch("SOUNDBOARD_SOUNDS").await;
        assert_eq!(v["d"]["guild_id"], g.to_string());
        assert!(v["d"]["soundboard_sounds"].is_array());
    }
    c.send(json!({"op": 43, "d": {"guild_id": guilds[0].to_string(), "fields": ["status"]}}))
        .await;
    let info = c.until_dispatch("CHANNEL_INFO").await["d"].clone();
    assert_eq!(info["guild_id"], guilds[0].to_string());
    let voice: Vec<Value> = sim
        .channels(guilds[0])
        .into_iter()
        .filter(|c| c["type"] == 2 || c["type"] == 13)
        .collect();
    let channels = info["channels"].as_array().unwrap();
    assert_eq!(channels.len(), voice.len());
    for ch in channels {
        assert!(ch.get("status").is_some() && ch.get("voice_start_time").is_none());
    }
}

#[tokio::test]
async fn malformed_commands_get_4001() {
    let sim = sim(SimConfig::fast()).await;
    for cmd in [
        json!({"op": 8, "d": {"guild_id": "1", "query": "", "limit": 0, "user_ids": ["2"]}}),
        json!({"op": 4, "d": {"guild_id": "1"}}),
        json!({"op": 3, "d": {"status": "busy"}}),
        json!({"op": 31, "d": {"guild_ids": "1"}}),
        json!({"op": 43, "d": {"guild_id": "1", "fields": ["topic"]}}),
        json!({"op": 1, "d": "seq"}),
    ] {
        let mut c = ready_client(&sim, BASIC).await;
        c.send(cmd.clone()).await;
        assert_eq!(c.closed().await, Some(close::UNKNOWN_OPCODE), "{cmd}");
    }
}
