//! TEMPORARY stand-in for `corpus.rs` (being written on branch `corpus`).
//!
//! It mirrors the agreed API closely enough for the server to compile and its tests to run; it is
//! deleted when the real corpus is merged. Only `world.rs` talks to it.

#![allow(dead_code, missing_docs)]

use serde_json::{json, Value};

pub mod intents {
    pub const GUILDS: u64 = 1;
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    pub const GUILD_VOICE_STATES: u64 = 1 << 7;
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
    pub const GUILD_MESSAGE_TYPING: u64 = 1 << 11;
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
    pub const ALL: u64 = 53_608_447;
    pub const PRIVILEGED: u64 = 33_026;
}

#[derive(Clone, Debug)]
pub struct WorldConfig {
    pub seed: u64,
    pub guilds: usize,
    pub members_per_guild: (usize, usize),
    pub users: usize,
    pub bot_user_id: u64,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            guilds: 4,
            members_per_guild: (3, 40),
            users: 200,
            bot_user_id: 1194566300643491842,
        }
    }
}

pub struct GuildCreateOptions {
    pub large_threshold: u64,
    pub presences_intent: bool,
    pub members_intent: bool,
}

pub struct World {
    cfg: WorldConfig,
    guilds: Vec<u64>,
}

fn snowflake(ms: u64, inc: u64) -> u64 {
    (ms << 22) | (1 << 17) | (inc & 0xfff)
}

impl World {
    pub fn new(cfg: &WorldConfig) -> Self {
        let guilds = (0..cfg.guilds as u64)
            .map(|i| snowflake(200_000_000_000 + i * 7_777_777, i))
            .collect();
        Self {
            cfg: cfg.clone(),
            guilds,
        }
    }
    pub fn guild_ids(&self) -> Vec<u64> {
        self.guilds.clone()
    }
    pub fn guild_ids_for_shard(&self, shard: u64, num_shards: u64) -> Vec<u64> {
        self.guilds
            .iter()
            .copied()
            .filter(|g| shard_for_guild(*g, num_shards) == shard)
            .collect()
    }
    pub fn bot_user(&self) -> Value {
        json!({"id": self.cfg.bot_user_id.to_string(), "username": "simbot", "discriminator": "4821",
               "global_name": null, "avatar": null, "bot": true, "verified": true, "mfa_enabled": false,
               "flags": 0, "email": null})
    }
    fn member_count(&self, guild_id: u64) -> usize {
        let (lo, hi) = self.cfg.members_per_guild;
        lo + (guild_id as usize % (hi - lo + 1))
    }
    pub fn members(&self, guild_id: u64) -> Vec<Value> {
        (0..self.member_count(guild_id) as u64)
            .map(|i| {
                let id = if i == 0 { self.cfg.bot_user_id } else { snowflake(100_000_000_000 + i * 1000, i) };
                json!({"user": {"id": id.to_string(), "username": format!("user{i}"), "discriminator": "0",
                                "global_name": null, "avatar": null},
                       "nick": null, "roles": [], "joined_at": "2024-01-10T09:05:12.345000+00:00",
                       "deaf": false, "mute": false, "flags": 0, "pending": false})
            })
            .collect()
    }
    pub fn channels(&self, guild_id: u64) -> Vec<Value> {
        vec![
            json!({"id": (guild_id + 1).to_string(), "type": 0, "name": "general"}),
            json!({"id": (guild_id + 2).to_string(), "type": 2, "name": "Voice"}),
        ]
    }
    pub fn guild_create(&self, guild_id: u64, opts: &GuildCreateOptions) -> Value {
        let members = self.members(guild_id);
        let large = members.len() as u64 > opts.large_threshold;
        json!({"id": guild_id.to_string(), "name": "Stub guild", "large": large, "unavailable": false,
               "member_count": members.len(), "members": if opts.presences_intent { members } else { vec![] },
               "channels": self.channels(guild_id), "presences": [], "voice_states": [], "threads": []})
    }
}

pub struct Generated {
    pub t: &'static str,
    pub guild_id: Option<u64>,
    pub d: Value,
}

pub struct EventGenerator {
    guilds: Vec<u64>,
    n: u64,
}

impl EventGenerator {
    pub fn new(world: &World, seed: u64) -> Self {
        Self {
            guilds: world.guilds.clone(),
            n: seed,
        }
    }
    pub fn next_event(&mut self) -> Generated {
        self.n += 1;
        let g = self.guilds[(self.n as usize) % self.guilds.len()];
        Generated {
            t: "MESSAGE_CREATE",
            guild_id: Some(g),
            d: json!({"id": self.n.to_string(), "guild_id": g.to_string(), "channel_id": (g + 1).to_string(),
                      "content": format!("message {}", self.n), "embeds": [], "attachments": [],
                      "components": [], "mentions": [], "author": {"id": "1"}}),
        }
    }
}

pub fn shard_for_guild(guild_id: u64, num_shards: u64) -> u64 {
    (guild_id >> 22) % num_shards.max(1)
}

pub fn gating_intent(t: &str, in_guild: bool) -> Option<u64> {
    match t {
        "GUILD_CREATE" => Some(intents::GUILDS),
        "MESSAGE_CREATE" if in_guild => Some(intents::GUILD_MESSAGES),
        "MESSAGE_CREATE" => Some(intents::DIRECT_MESSAGES),
        "VOICE_STATE_UPDATE" => Some(intents::GUILD_VOICE_STATES),
        "PRESENCE_UPDATE" => Some(intents::GUILD_PRESENCES),
        _ => None,
    }
}

pub fn apply_message_content_rule(t: &str, d: &mut Value, intents: u64, _bot_user_id: u64) {
    if t == "MESSAGE_CREATE" && intents & intents::MESSAGE_CONTENT == 0 {
        d["content"] = json!("");
    }
}

pub fn deliver_to(g: &Generated, shard: u64, num_shards: u64, intents: u64) -> bool {
    let routed = match g.guild_id {
        Some(id) => shard_for_guild(id, num_shards) == shard,
        None => shard == 0,
    };
    routed && gating_intent(g.t, g.guild_id.is_some()).is_none_or(|i| intents & i != 0)
}
