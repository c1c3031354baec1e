//! The gateway traffic every benchmark replays: seeded, deterministic, built from
//! `gateway_sim::corpus` so it has the mix of issue 10 (PRESENCE_UPDATE 35%, MESSAGE_CREATE
//! 25%, …, GUILD_CREATE 1% by count; GUILD_CREATE dominates by bytes).
//!
//! A [`Script`] is what one connection receives, in order: Hello, READY, then dispatches.
//! The feeder compresses it once and sends the same bytes on every connection, so nothing
//! in a script may depend on the connection (READY carries no `shard` field for that
//! reason). This module only builds JSON text; compression is `compress.rs`, sockets are
//! `feeder.rs`.

use gateway_sim::corpus::{EventGenerator, GuildCreateOptions, World, WorldConfig};
use serde_json::json;
use std::collections::BTreeMap;

/// Seed of the world and of the event stream (any fixed value; 10 after the issue number).
pub const SEED: u64 = 10;

/// Heartbeat interval announced in Hello: Discord's usual 41.25 s.
pub const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

/// Session id in READY; the same for every connection, so READY compresses once.
pub const SESSION_ID: &str = "0123456789abcdef0123456789abcdef";

/// How many ordinary events follow the GUILD_CREATEs in the memory burst.
pub const BURST_EVENTS: usize = 300;

/// The messages of one connection, first to last: Hello, READY, dispatches.
#[derive(Clone, Debug)]
pub struct Script {
    /// Every message as sent (before transport compression).
    pub messages: Vec<String>,
}

impl Script {
    /// Dispatches in the script, READY included.
    pub fn dispatches(&self) -> usize {
        self.messages.len() - 1
    }

    /// Total JSON bytes of the dispatches after READY.
    pub fn event_bytes(&self) -> usize {
        self.messages[2..].iter().map(String::len).sum()
    }
}

/// The world every script draws from: [`WorldConfig::default`] with [`SEED`]
/// (10 guilds of 50–1000 members).
pub fn world() -> World {
    World::new(&WorldConfig {
        seed: SEED,
        ..WorldConfig::default()
    })
}

/// Hello (opcode 10). Envelopes put `op` first, as Discord does, so a raw consumer can
/// tell a dispatch by its first bytes (`{"op":0,`).
pub fn hello() -> String {
    format!("{{\"op\":10,\"s\":null,\"t\":null,\"d\":{{\"heartbeat_interval\":{HEARTBEAT_INTERVAL_MS}}}}}")
}

/// READY (sequence 1) whose `resume_gateway_url` points back at `resume_url`; no guilds are
/// listed as unavailable (the GUILD_CREATEs of a script are not tied to READY).
pub fn ready(world: &World, resume_url: &str) -> String {
    let bot_id = world.bot_user_id().to_string();
    let d = json!({
            "v": 10,
            "user": world.bot_user(),
            "guilds": [],
            "session_id": SESSION_ID,
            "resume_gateway_url": resume_url,
            "application": {"id": bot_id, "flags": 0},
            "session_type": "normal",
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["local"],
            "_trace": ["[\"gateway-benchmarks\",{\"micros\":0.0}]"],
    });
    frame(1, "READY", &d.to_string())
}

/// A dispatch frame `{"op":0,"s":…,"t":…,"d":…}` around serialized data.
fn frame(seq: u64, t: &str, d: &str) -> String {
    format!("{{\"op\":0,\"s\":{seq},\"t\":\"{t}\",\"d\":{d}}}")
}

/// The throughput stream: Hello, READY, `warmup` events to reach a steady state, then
/// `measured` events. Events are the generator's mix (sequence numbers from 2).
pub fn throughput(resume_url: &str, warmup: usize, measured: usize) -> Script {
    let world = world();
    let mut messages = vec![hello(), ready(&world, resume_url)];
    let mut generator = EventGenerator::new(&world, SEED);
    for seq in 2..(2 + warmup + measured) as u64 {
        messages.push(generator.next_frame(seq));
    }
    Script { messages }
}

/// Memory case (a): Hello, READY and one small GUILD_CREATE (the world's smallest guild).
pub fn idle(resume_url: &str) -> Script {
    let world = world();
    let small = guild_creates(&world).into_iter().next().expect("10 guilds");
    Script {
        messages: vec![
            hello(),
            ready(&world, resume_url),
            frame(2, "GUILD_CREATE", &small),
        ],
    }
}

/// Memory case (b): what a shard goes through at startup. Hello, READY, the GUILD_CREATE of
/// every guild of the world (50–1000 members, smallest first), then [`BURST_EVENTS`] events
/// of the mix (a few more GUILD_CREATEs among them), ending with small events as traffic does.
pub fn burst(resume_url: &str) -> Script {
    let world = world();
    let mut messages = vec![hello(), ready(&world, resume_url)];
    let mut seq = 2;
    for d in guild_creates(&world) {
        messages.push(frame(seq, "GUILD_CREATE", &d));
        seq += 1;
    }
    let mut generator = EventGenerator::new(&world, SEED);
    let mut events = 0;
    while events < BURST_EVENTS {
        let message = generator.next_frame(seq);
        let large = message.len() > 16 * 1024;
        // Keep the last 10 events small, so the script ends as ordinary traffic does.
        if large && events >= BURST_EVENTS - 10 {
            continue;
        }
        messages.push(message);
        seq += 1;
        events += 1;
    }
    Script { messages }
}

/// The GUILD_CREATE data of every guild, smallest first, as a session with every intent
/// receives it.
fn guild_creates(world: &World) -> Vec<String> {
    let options = GuildCreateOptions::default();
    let mut guilds: Vec<String> = world
        .guild_ids()
        .into_iter()
        .map(|id| world.guild_create(id, &options).to_string())
        .collect();
    guilds.sort_by_key(String::len);
    guilds
}

/// Count and bytes per dispatch name of the messages after READY.
pub fn mix(script: &Script) -> BTreeMap<String, (usize, usize)> {
    let mut mix = BTreeMap::new();
    for message in &script.messages[2..] {
        let t = event_name(message).unwrap_or("?").to_owned();
        let entry = mix.entry(t).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += message.len();
    }
    mix
}

/// The `t` of a dispatch frame as [`frame`] and the generator write it (`"t":"…"` near the
/// start).
pub fn event_name(message: &str) -> Option<&str> {
    let start = message.find("\"t\":\"")? + 5;
    let end = start + message[start..].find('"')?;
    Some(&message[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_deterministic_and_numbered() {
        let a = throughput("ws://x", 10, 90);
        let b = throughput("ws://x", 10, 90);
        assert_eq!(a.messages, b.messages);
        assert_eq!(a.dispatches(), 101);
        for (i, message) in a.messages[1..].iter().enumerate() {
            let value: serde_json::Value = serde_json::from_str(message).unwrap();
            assert_eq!(value["s"], i as u64 + 1);
        }
    }

    #[test]
    fn burst_holds_every_guild_and_ends_small() {
        let script = burst("ws://x");
        let mix = mix(&script);
        assert!(mix["GUILD_CREATE"].0 >= 10);
        assert!(script
            .messages
            .iter()
            .rev()
            .take(10)
            .all(|m| m.len() <= 16 * 1024));
    }
}
