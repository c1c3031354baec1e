//! Generated and injected traffic (protocol.md §8, §10, §15.5): routing by guild to shards,
//! guild-less events to shard 0, intent gating, the MESSAGE_CONTENT rule, one `s` per dispatch
//! per session, and the background rates (fixed and "as fast as the client reads").

mod common;

use std::collections::HashSet;

use common::*;
use gateway_sim::{EventRate, SimConfig, Simulator};
use serde_json::{json, Value};

const ALL_NON_PRIVILEGED: u64 = 53_575_421;
const MESSAGE_CONTENT: u64 = 1 << 15;

async fn ready_client(sim: &Simulator, intents: u64, shard: [u32; 2]) -> Client {
    let mut c = Client::main(sim).await;
    let ready = c.ready(intents, Some(shard)).await;
    let n = ready["guilds"].as_array().unwrap().len();
    for _ in 0..n {
        c.payload().await;
    }
    c
}

/// Reads `n` dispatches, checking `s` grows by exactly one.
async fn read_dispatches(c: &mut Client, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let before = c.seq.unwrap();
        let v = c.payload().await;
        if v["op"] == 0 {
            assert_eq!(v["s"], before + 1, "no gap in s");
            out.push(v);
        }
    }
    out
}

#[tokio::test]
async fn generated_events_are_routed_by_guild_to_their_shard() {
    let sim = sim(SimConfig::fast()).await;
    let intents = ALL_NON_PRIVILEGED | (1 << 1) | (1 << 8) | MESSAGE_CONTENT;
    let mut a = ready_client(&sim, intents, [0, 2]).await;
    let mut b = ready_client(&sim, intents, [1, 2]).await;
    let sent = sim.emit_events(200);
    assert!(
        sent >= 200,
        "with every intent each event reaches exactly one shard ({sent})"
    );
    let mut per_shard = [0usize; 2];
    let shard_guilds = [sim.guilds_for_shard([0, 2]), sim.guilds_for_shard([1, 2])];
    // Drain both clients until the total matches what the simulator says it sent.
    let mut total = 0;
    let conns = sim.connections();
    let expected: Vec<usize> = conns
        .iter()
        .map(|c| sim.session_seq(c.session_id.as_deref().unwrap()).unwrap() as usize)
        .collect();
    for (i, c) in [&mut a, &mut b].into_iter().enumerate() {
        let already = c.seq.unwrap() as usize;
        let events = read_dispatches(c, expected[i] - already).await;
        for e in &events {
            if let Some(g) = e["d"]["guild_id"].as_str() {
                let g: u64 = g.parse().unwrap();
                assert!(
                    shard_guilds[i].contains(&g),
                    "guild {g} delivered to shard {i}"
                );
                assert_eq!((g >> 22) % 2, i as u64);
            } else {
                assert_eq!(i, 0, "guild-less events go to shard 0 only");
            }
        }
        per_shard[i] = events.len();
        total += events.len();
    }
    assert_eq!(total, sent);
    assert!(per_shard[0] > 0 && per_shard[1] > 0, "{per_shard:?}");
}

#[tokio::test]
async fn the_stream_is_deterministic_for_a_seed() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = sim(SimConfig::fast()).await;
        let mut c = ready_client(&sim, ALL_NON_PRIVILEGED | MESSAGE_CONTENT, [0, 1]).await;
        let sent = sim.emit_events(30);
        let evs = read_dispatches(&mut c, sent).await;
        runs.push(
            evs.into_iter()
                .map(|v| (v["t"].clone(), v["d"]["id"].clone()))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn intents_gate_events() {
    let sim = sim(SimConfig::fast()).await;
    // GUILDS | GUILD_MESSAGES only: no presence, typing, reaction or voice events.
    let mut c = ready_client(&sim, 1 | 512, [0, 1]).await;
    let sent = sim.emit_events(300);
    let evs = read_dispatches(&mut c, sent).await;
    let kinds: HashSet<String> = evs
        .iter()
        .map(|v| v["t"].as_str().unwrap().to_owned())
        .collect();
    for gated in [
        "PRESENCE_UPDATE",
        "TYPING_START",
        "MESSAGE_REACTION_ADD",
        "VOICE_STATE_UPDATE",
    ] {
        assert!(
            !kinds.contains(gated),
            "{gated} needs an intent the session lacks"
        );
    }
    assert!(kinds.contains("MESSAGE_CREATE"), "{kinds:?}");
}

#[tokio::test]
async fn message_content_is_blanked_without_the_intent() {
    let sim = sim(SimConfig::fast()).await;
    let guild = sim.guilds_for_shard([0, 1])[0];
    let mut with = ready_client(&sim, 1 | 512 | MESSAGE_CONTENT, [0, 1]).await;
    let mut without = ready_client(&sim, 1 | 512, [0, 1]).await;
    let msg = json!({"id": "77", "channel_id": "1", "guild_id": guild.to_string(), "content": "secret",
                     "author": {"id": "646771746908798983"}, "mentions": [], "embeds": [{"title": "e"}],
                     "attachments": [], "components": []});
    assert_eq!(sim.dispatch("MESSAGE_CREATE", Some(guild), msg), 2);
    let a = with.until_dispatch("MESSAGE_CREATE").await;
    let b = without.until_dispatch("MESSAGE_CREATE").await;
    assert_eq!(a["d"]["content"], "secret");
    assert_eq!(b["d"]["content"], "");
    assert_eq!(b["d"]["embeds"], json!([]));
}

#[tokio::test]
async fn injected_events_without_a_guild_go_to_shard_0() {
    let sim = sim(SimConfig::fast()).await;
    let mut a = ready_client(&sim, 1 | 4096, [0, 2]).await;
    let _b = ready_client(&sim, 1 | 4096, [1, 2]).await;
    let n = sim.dispatch(
        "MESSAGE_CREATE",
        None,
        json!({"id": "1", "channel_id": "9", "content": "dm"}),
    );
    assert_eq!(n, 1);
    assert_eq!(
        a.until_dispatch("MESSAGE_CREATE").await["d"]["content"],
        "dm"
    );
}

#[tokio::test]
async fn a_fixed_rate_produces_events_until_stopped() {
    let cfg = SimConfig {
        heartbeat_grace: std::time::Duration::from_secs(120),
        ..SimConfig::fast()
    };
    let sim = sim(cfg.with_event_rate(EventRate::PerSecond(200.0))).await;
    let mut c = ready_client(&sim, ALL_NON_PRIVILEGED | MESSAGE_CONTENT, [0, 1]).await;
    read_dispatches(&mut c, 20).await;
    sim.stop_events();
    let sid = sim.connections()[0].session_id.clone().unwrap();
    let last = sim.session_seq(&sid).unwrap();
    let missing = (last - c.seq.unwrap()) as usize;
    read_dispatches(&mut c, missing).await;
    // After stopping, a heartbeat's ACK is the next payload.
    c.heartbeat().await;
    assert_eq!(c.payload().await["op"], 11);
}

#[tokio::test]
async fn as_fast_as_the_client_reads_keeps_the_backlog_bounded() {
    // This client reads without heartbeating: give it a long grace.
    let cfg = SimConfig {
        heartbeat_grace: std::time::Duration::from_secs(120),
        ..SimConfig::fast()
    };
    let sim = sim(cfg.with_event_rate(EventRate::AsFastAsClientsRead)).await;
    let mut c = ready_client(&sim, ALL_NON_PRIVILEGED | MESSAGE_CONTENT, [0, 1]).await;
    read_dispatches(&mut c, 2000).await;
    let backlog = sim.connections()[0].backlog;
    assert!(backlog < 200, "backlog {backlog}");
}

#[tokio::test]
async fn generated_guild_creates_are_rendered_for_the_session_intents() {
    let sim = sim(SimConfig::fast()).await;
    // GUILDS without GUILD_PRESENCES: members and presences hold only the bot and members
    // in voice (protocol.md §10 caveats), whatever the generator built.
    let mut c = ready_client(&sim, 1, [0, 1]).await;
    let mut seen = 0;
    while seen == 0 {
        let sent = sim.emit_events(500);
        for v in read_dispatches(&mut c, sent).await {
            if v["t"] != "GUILD_CREATE" {
                continue;
            }
            seen += 1;
            let d = &v["d"];
            let voice = d["voice_states"].as_array().unwrap().len();
            let members = d["members"].as_array().unwrap().len();
            assert!(members <= voice + 1, "{members} members, {voice} in voice");
            assert!(d["member_count"].as_u64().unwrap() >= members as u64);
        }
    }
}
