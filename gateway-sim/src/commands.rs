//! Answers to the commands a session may send after Identify/Resume (protocol.md §11): Request
//! Guild Members (op 8) with chunking, nonce echo, `not_found` and the 30 s all-members
//! cooldown; Update Voice State (op 4); Request Soundboard Sounds (op 31); Request Channel
//! Info (op 43). Update Presence (op 3) needs no answer.
//!
//! Each function reads the world and the limiter books and returns the dispatches to send; the
//! caller assigns sequence numbers and applies intent gating.

use std::time::Instant;

use serde_json::{json, Value};

use crate::config::SimConfig;
use crate::state::State;
use crate::validate::{snowflake, MemberQuery, MemberRequest, VoiceState};

/// GUILD_MEMBERS intent bit.
const GUILD_MEMBERS: u64 = 1 << 1;
/// GUILD_PRESENCES intent bit.
const GUILD_PRESENCES: u64 = 1 << 8;
/// Members per GUILD_MEMBERS_CHUNK (§11.1).
const CHUNK_SIZE: usize = 1000;

/// What a command produced.
#[derive(Debug)]
pub(crate) enum Answer {
    /// Dispatches to send, in order.
    Dispatches(Vec<(&'static str, Value)>),
    /// Nothing is sent, for this reason.
    Ignored(String),
}

fn member_user_id(member: &Value) -> Option<u64> {
    member
        .get("user")
        .and_then(|u| u.get("id"))
        .and_then(snowflake)
}

fn name_matches(member: &Value, prefix: &str) -> bool {
    let prefix = prefix.to_lowercase();
    let starts = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&prefix))
    };
    starts(member.get("user").and_then(|u| u.get("username"))) || starts(member.get("nick"))
}

/// Request Guild Members (op 8).
pub(crate) fn request_members(
    st: &mut State,
    cfg: &SimConfig,
    intents: u64,
    req: MemberRequest,
    now: Instant,
) -> Answer {
    if !st.traffic.has_guild(req.guild_id) {
        return Answer::Ignored(format!("op 8 for unknown guild {}", req.guild_id));
    }
    let members = st.traffic.members(req.guild_id);
    let (selected, not_found) = match &req.query {
        MemberQuery::Prefix { query, limit } if query.is_empty() => {
            if intents & GUILD_MEMBERS == 0 {
                return Answer::Ignored(
                    "op 8 for the whole member list needs GUILD_MEMBERS".to_owned(),
                );
            }
            if *limit == 0 {
                if let Err(wait) =
                    st.member_requests
                        .try_take(req.guild_id, cfg.member_request_cooldown, now)
                {
                    let mut meta = json!({"guild_id": req.guild_id.to_string()});
                    if let Some(n) = &req.nonce {
                        meta["nonce"] = json!(n);
                    }
                    return Answer::Dispatches(vec![(
                        "RATE_LIMITED",
                        json!({"opcode": 8, "retry_after": wait.as_secs_f64(), "meta": meta}),
                    )]);
                }
                (members, None)
            } else {
                (members.into_iter().take(*limit as usize).collect(), None)
            }
        }
        MemberQuery::Prefix { query, limit } => {
            let cap = if *limit == 0 {
                100
            } else {
                (*limit as usize).min(100)
            };
            (
                members
                    .into_iter()
                    .filter(|m| name_matches(m, query))
                    .take(cap)
                    .collect(),
                None,
            )
        }
        MemberQuery::Ids(ids) => {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for raw in ids {
                let id = snowflake(raw);
                match members
                    .iter()
                    .find(|m| member_user_id(m) == id && id.is_some())
                {
                    Some(m) => found.push(m.clone()),
                    None => missing.push(raw.clone()),
                }
            }
            (found, Some(missing))
        }
    };
    let presences = (req.presences && intents & GUILD_PRESENCES != 0)
        .then(|| st.traffic.presences(req.guild_id));
    let chunk_count = selected.len().div_ceil(CHUNK_SIZE).max(1);
    let mut out = Vec::with_capacity(chunk_count);
    for index in 0..chunk_count {
        let chunk: Vec<Value> = selected
            .iter()
            .skip(index * CHUNK_SIZE)
            .take(CHUNK_SIZE)
            .cloned()
            .collect();
        let mut d = json!({"guild_id": req.guild_id.to_string(), "chunk_index": index,
                           "chunk_count": chunk_count});
        if let Some(all) = &presences {
            // The presences of this chunk's members that are not offline.
            let ids: Vec<u64> = chunk.iter().filter_map(member_user_id).collect();
            let user_id = |p: &&Value| p.get("user").and_then(|u| u.get("id")).and_then(snowflake);
            let mine = all
                .iter()
                .filter(|p| user_id(p).is_some_and(|id| ids.contains(&id)));
            d["presences"] = mine.cloned().collect();
        }
        d["members"] = Value::Array(chunk);
        if let Some(missing) = &not_found {
            d["not_found"] = Value::Array(missing.clone());
        }
        if let Some(n) = &req.nonce {
            d["nonce"] = json!(n);
        }
        out.push(("GUILD_MEMBERS_CHUNK", d));
    }
    Answer::Dispatches(out)
}

/// Update Voice State (op 4): VOICE_STATE_UPDATE, then VOICE_SERVER_UPDATE when joining.
pub(crate) fn voice_state(st: &mut State, req: VoiceState) -> Answer {
    if !st.traffic.has_guild(req.guild_id) {
        return Answer::Ignored(format!("op 4 for unknown guild {}", req.guild_id));
    }
    if let Some(ch) = req.channel_id {
        let is_voice = st.traffic.channels(req.guild_id).iter().any(|c| {
            c.get("id").and_then(snowflake) == Some(ch)
                && matches!(c.get("type").and_then(Value::as_u64), Some(2 | 13))
        });
        if !is_voice {
            return Answer::Ignored(format!(
                "op 4 for channel {ch}, not a voice channel of the guild"
            ));
        }
    }
    let bot = st.traffic.bot_user_id();
    let member = st
        .traffic
        .members(req.guild_id)
        .into_iter()
        .find(|m| member_user_id(m) == Some(bot))
        .unwrap_or_else(
            || json!({"user": st.traffic.bot_user(), "roles": [], "deaf": false, "mute": false}),
        );
    let session_id = st.hex_id();
    let mut out = vec![(
        "VOICE_STATE_UPDATE",
        json!({"guild_id": req.guild_id.to_string(),
               "channel_id": req.channel_id.map(|c| c.to_string()),
               "user_id": bot.to_string(), "member": member, "session_id": session_id,
               "deaf": false, "mute": false, "self_deaf": req.self_deaf, "self_mute": req.self_mute,
               "self_video": false, "suppress": false, "request_to_speak_timestamp": null}),
    )];
    if req.channel_id.is_some() {
        let token = format!("{:016x}", st.random());
        out.push((
            "VOICE_SERVER_UPDATE",
            json!({"token": token, "guild_id": req.guild_id.to_string(), "endpoint": "sim-voice.invalid:443"}),
        ));
    }
    Answer::Dispatches(out)
}

/// Request Soundboard Sounds (op 31): one SOUNDBOARD_SOUNDS per known guild.
pub(crate) fn soundboard(st: &State, guild_ids: &[u64]) -> Answer {
    let bot_user = st.traffic.bot_user();
    let out: Vec<_> = guild_ids
        .iter()
        .filter(|g| st.traffic.has_guild(**g))
        .map(|&g| {
            let sounds: Vec<Value> = (1..=2u64)
                .map(|i| {
                    json!({"name": format!("sound {i}"), "sound_id": (g + i).to_string(), "volume": 0.5 * i as f64,
                           "emoji_id": null, "emoji_name": "🔔", "guild_id": g.to_string(), "available": true,
                           "user": bot_user})
                })
                .collect();
            ("SOUNDBOARD_SOUNDS", json!({"guild_id": g.to_string(), "soundboard_sounds": sounds}))
        })
        .collect();
    if out.is_empty() {
        Answer::Ignored("op 31 named no known guild".to_owned())
    } else {
        Answer::Dispatches(out)
    }
}

/// Request Channel Info (op 43): CHANNEL_INFO with the requested fields of voice channels.
pub(crate) fn channel_info(st: &State, guild_id: u64, fields: &[String]) -> Answer {
    if !st.traffic.has_guild(guild_id) {
        return Answer::Ignored(format!("op 43 for unknown guild {guild_id}"));
    }
    let channels: Vec<Value> = st
        .traffic
        .channels(guild_id)
        .iter()
        .filter(|c| matches!(c.get("type").and_then(Value::as_u64), Some(2 | 13)))
        .filter_map(|c| c.get("id").cloned())
        .map(|id| {
            let mut ch = json!({"id": id});
            for f in fields {
                ch[f.as_str()] = Value::Null;
            }
            ch
        })
        .collect();
    Answer::Dispatches(vec![(
        "CHANNEL_INFO",
        json!({"guild_id": guild_id.to_string(), "channels": channels}),
    )])
}
