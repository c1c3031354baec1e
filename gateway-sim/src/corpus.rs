//! Seeded, deterministic generator of realistic Discord gateway traffic, data only (no
//! I/O, no async), plus the routing and intent filtering a gateway applies per session.
//!
//! * [`World`] (from a [`WorldConfig`]): guilds, roles, channels, members, presences and
//!   voice states; answers GUILD_CREATE ([`World::guild_create`]) and member requests.
//! * [`EventGenerator`]: an endless stream of [`Generated`] dispatches with the mix of
//!   issue 10 (PRESENCE_UPDATE 35%, MESSAGE_CREATE 25%, TYPING_START 15%, …).
//! * Per session: [`shard_for_guild`] (§8), [`gating_intent`] (§10),
//!   [`apply_message_content_rule`] (§10) and [`deliver_to`] which combines them.
//! * For benchmarks: [`payloads`] / [`payloads_with`] give complete dispatch frames.
//!
//! Every payload follows protocol.md §12/§13 (snowflakes as strings, ISO 8601
//! timestamps with microseconds) and carries what twilight-model 0.17 requires, so the
//! same corpus can be fed to other gateway libraries. The module is independent of
//! gateway-proto on purpose: a mistake there is caught rather than mirrored.
//!
//! ```
//! use gateway_sim::corpus::{deliver_to, intents, EventGenerator, World, WorldConfig};
//!
//! let world = World::new(&WorldConfig::default());
//! let mut events = EventGenerator::new(&world, 42);
//! let event = events.next_event();
//! let for_shard_0_of_2 = deliver_to(&event, 0, 2, intents::ALL);
//! # let _ = for_shard_0_of_2;
//! ```
#![warn(missing_docs)]

mod events;
pub mod intents;
mod text;
mod world;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use events::{event_mix, EventGenerator, Generated};
pub use text::{iso_timestamp, snowflake, snowflake_ms, DISCORD_EPOCH_MS};
pub use world::{GuildCreateOptions, World, WorldConfig, WORLD_NOW_MS};

/// The shard a guild's events go to: `(guild_id >> 22) % num_shards` (§8).
/// A `num_shards` of 0 is treated as 1.
pub fn shard_for_guild(guild_id: u64, num_shards: u32) -> u32 {
    // The remainder is below num_shards, which fits in u32.
    ((guild_id >> 22) % u64::from(num_shards.max(1))) as u32
}

/// The intent bit that gates dispatch `t` in a guild (`in_guild`) or in a DM (§10, §12);
/// None when the event is always sent (READY, GUILD_MEMBERS_CHUNK, USER_UPDATE, unknown
/// events, …).
///
/// GUILD_MEMBER_UPDATE is gated by GUILD_MEMBERS except for the bot's own member, which
/// this function cannot see: use [`deliver_to_bot`] for that exception.
/// THREAD_MEMBERS_UPDATE reports GUILDS (with only GUILDS it is sent just for the bot).
pub fn gating_intent(t: &str, in_guild: bool) -> Option<u64> {
    use intents::*;
    let pick = |guild: u64, dm: u64| Some(if in_guild { guild } else { dm });
    match t {
        "GUILD_CREATE"
        | "GUILD_UPDATE"
        | "GUILD_DELETE"
        | "GUILD_ROLE_CREATE"
        | "GUILD_ROLE_UPDATE"
        | "GUILD_ROLE_DELETE"
        | "CHANNEL_CREATE"
        | "CHANNEL_UPDATE"
        | "CHANNEL_DELETE"
        | "THREAD_CREATE"
        | "THREAD_UPDATE"
        | "THREAD_DELETE"
        | "THREAD_LIST_SYNC"
        | "THREAD_MEMBER_UPDATE"
        | "THREAD_MEMBERS_UPDATE"
        | "STAGE_INSTANCE_CREATE"
        | "STAGE_INSTANCE_UPDATE"
        | "STAGE_INSTANCE_DELETE"
        | "VOICE_CHANNEL_STATUS_UPDATE"
        | "VOICE_CHANNEL_START_TIME_UPDATE" => Some(GUILDS),
        "CHANNEL_PINS_UPDATE" => pick(GUILDS, DIRECT_MESSAGES),
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_REMOVE" => Some(GUILD_MEMBERS),
        "GUILD_AUDIT_LOG_ENTRY_CREATE" | "GUILD_BAN_ADD" | "GUILD_BAN_REMOVE" => {
            Some(GUILD_MODERATION)
        }
        "GUILD_EMOJIS_UPDATE"
        | "GUILD_STICKERS_UPDATE"
        | "GUILD_SOUNDBOARD_SOUND_CREATE"
        | "GUILD_SOUNDBOARD_SOUND_UPDATE"
        | "GUILD_SOUNDBOARD_SOUND_DELETE"
        | "GUILD_SOUNDBOARD_SOUNDS_UPDATE" => Some(GUILD_EXPRESSIONS),
        "GUILD_INTEGRATIONS_UPDATE"
        | "INTEGRATION_CREATE"
        | "INTEGRATION_UPDATE"
        | "INTEGRATION_DELETE" => Some(GUILD_INTEGRATIONS),
        "WEBHOOKS_UPDATE" => Some(GUILD_WEBHOOKS),
        "INVITE_CREATE" | "INVITE_DELETE" => Some(GUILD_INVITES),
        "VOICE_STATE_UPDATE" | "VOICE_CHANNEL_EFFECT_SEND" => Some(GUILD_VOICE_STATES),
        "PRESENCE_UPDATE" => Some(GUILD_PRESENCES),
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE" | "MESSAGE_DELETE_BULK" => {
            pick(GUILD_MESSAGES, DIRECT_MESSAGES)
        }
        "MESSAGE_REACTION_ADD"
        | "MESSAGE_REACTION_REMOVE"
        | "MESSAGE_REACTION_REMOVE_ALL"
        | "MESSAGE_REACTION_REMOVE_EMOJI" => {
            pick(GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS)
        }
        "TYPING_START" => pick(GUILD_MESSAGE_TYPING, DIRECT_MESSAGE_TYPING),
        "GUILD_SCHEDULED_EVENT_CREATE"
        | "GUILD_SCHEDULED_EVENT_UPDATE"
        | "GUILD_SCHEDULED_EVENT_DELETE"
        | "GUILD_SCHEDULED_EVENT_USER_ADD"
        | "GUILD_SCHEDULED_EVENT_USER_REMOVE" => Some(GUILD_SCHEDULED_EVENTS),
        "AUTO_MODERATION_RULE_CREATE"
        | "AUTO_MODERATION_RULE_UPDATE"
        | "AUTO_MODERATION_RULE_DELETE" => Some(AUTO_MODERATION_CONFIGURATION),
        "AUTO_MODERATION_ACTION_EXECUTION" => Some(AUTO_MODERATION_EXECUTION),
        "MESSAGE_POLL_VOTE_ADD" | "MESSAGE_POLL_VOTE_REMOVE" => {
            pick(GUILD_MESSAGE_POLLS, DIRECT_MESSAGE_POLLS)
        }
        _ => None,
    }
}

/// Applies the MESSAGE_CONTENT rule of §10 to dispatch `t` with data `d` for a session
/// with `intents`, in place.
///
/// Without MESSAGE_CONTENT, a MESSAGE_CREATE/MESSAGE_UPDATE gets `content:""`,
/// `embeds:[]`, `attachments:[]`, `components:[]` and loses `poll` — unless the bot
/// wrote it, it is a DM (no `guild_id`), or it mentions the bot (`mentions` holds
/// `bot_user_id`; a reply to the bot with "ping on reply" mentions it too). A
/// `referenced_message` is judged on its own. AUTO_MODERATION_ACTION_EXECUTION gets
/// empty `content` and `matched_content`. Other events are left alone.
pub fn apply_message_content_rule(t: &str, d: &mut Value, intents: u64, bot_user_id: u64) {
    if intents & intents::MESSAGE_CONTENT != 0 {
        return;
    }
    match t {
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" => {
            let dm = d.get("guild_id").is_none_or(Value::is_null);
            blank_message(d, dm, bot_user_id);
        }
        "AUTO_MODERATION_ACTION_EXECUTION" => {
            if let Value::Object(o) = d {
                for key in ["content", "matched_content"] {
                    if o.contains_key(key) {
                        o.insert(key.into(), Value::String(String::new()));
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether a message object is readable without MESSAGE_CONTENT (§10 exceptions).
fn content_exempt(d: &Value, dm: bool, bot_user_id: u64) -> bool {
    let is_bot = |v: &Value| snowflake_value(v) == Some(bot_user_id);
    dm || d
        .get("author")
        .and_then(|a| a.get("id"))
        .is_some_and(is_bot)
        || d.get("mentions")
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().any(|u| u.get("id").is_some_and(is_bot)))
}

fn blank_message(d: &mut Value, dm: bool, bot_user_id: u64) {
    if let Some(r) = d.get_mut("referenced_message") {
        if r.is_object() {
            blank_message(r, dm, bot_user_id);
        }
    }
    if content_exempt(d, dm, bot_user_id) {
        return;
    }
    if let Value::Object(o) = d {
        o.insert("content".into(), Value::String(String::new()));
        o.insert("embeds".into(), Value::Array(Vec::new()));
        o.insert("attachments".into(), Value::Array(Vec::new()));
        o.insert("components".into(), Value::Array(Vec::new()));
        o.remove("poll");
    }
}

/// A snowflake given as a string or a number (§9.1).
fn snowflake_value(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// Whether `generated` goes to shard `shard` of `num_shards` for a session with
/// `intents`: events of a guild go to its shard (§8), events without a guild only to
/// shard 0, and gated events need their intent ([`gating_intent`]).
///
/// The MESSAGE_CONTENT rule is separate: call [`apply_message_content_rule`] on the
/// delivered copy. The generator never emits the bot's own GUILD_MEMBER_UPDATE, so the
/// only exception this function cannot apply never comes up for generated events; see
/// [`deliver_to_bot`].
pub fn deliver_to(generated: &Generated, shard: u32, num_shards: u32, intents: u64) -> bool {
    let routed = match generated.guild_id {
        Some(g) => shard_for_guild(g, num_shards) == shard,
        None => shard == 0,
    };
    routed
        && gating_intent(generated.t, generated.guild_id.is_some())
            .is_none_or(|bit| intents & bit != 0)
}

/// [`deliver_to`] plus the §10 caveat that GUILD_MEMBER_UPDATE for the bot's own member
/// (`d.user.id == bot_user_id`) is sent even without GUILD_MEMBERS.
pub fn deliver_to_bot(
    generated: &Generated,
    shard: u32,
    num_shards: u32,
    intents: u64,
    bot_user_id: u64,
) -> bool {
    if generated.t == "GUILD_MEMBER_UPDATE"
        && generated
            .d
            .get("user")
            .and_then(|u| u.get("id"))
            .and_then(snowflake_value)
            == Some(bot_user_id)
    {
        let routed = match generated.guild_id {
            Some(g) => shard_for_guild(g, num_shards) == shard,
            None => shard == 0,
        };
        return routed;
    }
    deliver_to(generated, shard, num_shards, intents)
}

/// Serializes one dispatch frame `{"op":0,"s":seq,"t":…,"d":…}` compactly.
pub fn dispatch_frame(seq: u64, generated: &Generated) -> String {
    frame_with_data(seq, generated.t, &generated.d.to_string())
}

/// A dispatch frame around already serialized data.
fn frame_with_data(seq: u64, t: &str, d: &str) -> String {
    let mut s = String::with_capacity(d.len() + t.len() + 40);
    s.push_str("{\"op\":0,\"s\":");
    s.push_str(&seq.to_string());
    s.push_str(",\"t\":\"");
    s.push_str(t);
    s.push_str("\",\"d\":");
    s.push_str(d);
    s.push('}');
    s
}

/// `count` dispatch frames (`s` from 1) from the default world
/// ([`WorldConfig::default`] with `seed`) as a session with every intent sees them.
pub fn payloads(seed: u64, count: usize) -> Vec<String> {
    let world = World::new(&WorldConfig {
        seed,
        ..WorldConfig::default()
    });
    payloads_with(&world, seed, count)
}

/// `count` dispatch frames (`s` from 1) generated over `world` with `seed`, for a
/// session with every intent.
pub fn payloads_with(world: &World, seed: u64, count: usize) -> Vec<String> {
    let mut generator = EventGenerator::new(world, seed);
    (1..=count as u64)
        .map(|seq| generator.next_frame(seq))
        .collect()
}
