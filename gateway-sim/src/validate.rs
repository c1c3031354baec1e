//! Checks what clients send against protocol.md, on plain `serde_json::Value`s, and turns each
//! violation into the documented close code. Pure functions: no state, no I/O.
//!
//! The rule for codes the docs leave open: a frame that cannot be decoded at all (not JSON, not an
//! object, over 4096 bytes) is 4002; a decodable frame whose `op` is unknown, or whose `d` lacks a
//! required field or has a field of the wrong JSON type, is 4001 ("invalid payload for an
//! opcode"). Token, intents and shard problems get their own codes (4004, 4013/4014, 4010).

use serde_json::Value;

use crate::protocol::{close, op, ALL_INTENTS, MAX_CLIENT_PAYLOAD, PRIVILEGED_INTENTS};

/// A rejected frame: the close code and a short reason for the close frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reject(pub u16, pub String);

fn reject<T>(code: u16, reason: impl Into<String>) -> Result<T, Reject> {
    Err(Reject(code, reason.into()))
}

/// A decoded client frame: its opcode and `d`.
#[derive(Debug)]
pub(crate) struct Frame {
    pub op: u64,
    pub d: Value,
}

/// Opcodes a client may send.
const CLIENT_OPS: [u64; 8] = [
    op::HEARTBEAT,
    op::IDENTIFY,
    op::PRESENCE_UPDATE,
    op::VOICE_STATE_UPDATE,
    op::RESUME,
    op::REQUEST_GUILD_MEMBERS,
    op::REQUEST_SOUNDBOARD_SOUNDS,
    op::REQUEST_CHANNEL_INFO,
];

/// Size check before parsing (§7: payloads over 4096 bytes get 4002).
pub(crate) fn size(len: usize) -> Result<(), Reject> {
    if len > MAX_CLIENT_PAYLOAD {
        return reject(
            close::DECODE_ERROR,
            format!("payload of {len} bytes exceeds 4096"),
        );
    }
    Ok(())
}

/// Parses the JSON text of a frame (4002 when it is not JSON).
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, Reject> {
    serde_json::from_slice(bytes).or_else(|_| reject(close::DECODE_ERROR, "invalid JSON"))
}

/// Checks the envelope: an object (4002) with a known client `op` (4001).
pub(crate) fn envelope(v: &Value) -> Result<Frame, Reject> {
    let Some(obj) = v.as_object() else {
        return reject(close::DECODE_ERROR, "payload is not a JSON object");
    };
    let Some(code) = obj.get("op").and_then(Value::as_u64) else {
        return reject(close::UNKNOWN_OPCODE, "missing or non-integer op");
    };
    if !CLIENT_OPS.contains(&code) {
        return reject(close::UNKNOWN_OPCODE, format!("unknown opcode {code}"));
    }
    Ok(Frame {
        op: code,
        d: obj.get("d").cloned().unwrap_or(Value::Null),
    })
}

/// A snowflake as a decimal string or a non-negative integer (§9.1).
pub(crate) fn snowflake(v: &Value) -> Option<u64> {
    match v {
        Value::String(s)
            if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn field<'a>(d: &'a Value, name: &str) -> Option<&'a Value> {
    d.get(name).filter(|v| !v.is_null())
}

fn invalid<T>(what: &str) -> Result<T, Reject> {
    reject(close::UNKNOWN_OPCODE, format!("invalid payload: {what}"))
}

/// Heartbeat `d`: the last sequence or null.
pub(crate) fn heartbeat(d: &Value) -> Result<Option<u64>, Reject> {
    match d {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .map(Some)
            .map_or_else(|| invalid("heartbeat d must be an integer or null"), Ok),
    }
}

/// A valid Identify.
#[derive(Debug)]
pub(crate) struct Identify {
    pub intents: u64,
    pub shard: Option<[u32; 2]>,
    pub large_threshold: u64,
}

/// Identify (§4.1): shape (4001), token (4004), intents (4013, 4014), shard (4010).
pub(crate) fn identify(
    d: &Value,
    token: &str,
    enabled_privileged: u64,
) -> Result<Identify, Reject> {
    if !d.is_object() {
        return invalid("identify d must be an object");
    }
    let Some(sent_token) = d.get("token").and_then(Value::as_str) else {
        return invalid("identify token must be a string");
    };
    let props = d.get("properties");
    let Some(props) = props.and_then(Value::as_object) else {
        return invalid("identify properties must be an object");
    };
    for key in ["os", "browser", "device"] {
        let v = props.get(key).or_else(|| props.get(&format!("${key}")));
        if !v.is_some_and(Value::is_string) {
            return invalid(&format!("properties.{key} must be a string"));
        }
    }
    if let Some(c) = field(d, "compress") {
        if !c.is_boolean() {
            return invalid("compress must be a boolean");
        }
    }
    let large_threshold = match field(d, "large_threshold") {
        None => 50,
        Some(v) => match v.as_u64() {
            Some(n) if (50..=250).contains(&n) => n,
            _ => return invalid("large_threshold must be an integer in 50..=250"),
        },
    };
    if let Some(p) = field(d, "presence") {
        presence(p)?;
    }
    if sent_token != token {
        return reject(close::AUTHENTICATION_FAILED, "authentication failed");
    }
    let Some(intents) = d.get("intents").and_then(Value::as_u64) else {
        return reject(
            close::INVALID_INTENTS,
            "intents must be a non-negative integer",
        );
    };
    if intents & !ALL_INTENTS != 0 {
        return reject(
            close::INVALID_INTENTS,
            format!("undocumented intent bits {:#x}", intents & !ALL_INTENTS),
        );
    }
    if intents & PRIVILEGED_INTENTS & !enabled_privileged != 0 {
        return reject(close::DISALLOWED_INTENTS, "disallowed intent(s)");
    }
    let shard = match field(d, "shard") {
        None => None,
        Some(v) => Some(shard(v)?),
    };
    Ok(Identify {
        intents,
        shard,
        large_threshold,
    })
}

/// `[shard_id, num_shards]` with `0 <= shard_id < num_shards` (4010 otherwise).
fn shard(v: &Value) -> Result<[u32; 2], Reject> {
    let pair = v.as_array().filter(|a| a.len() == 2).and_then(|a| {
        let id = u32::try_from(a[0].as_u64()?).ok()?;
        let n = u32::try_from(a[1].as_u64()?).ok()?;
        Some([id, n])
    });
    match pair {
        Some([id, n]) if n >= 1 && id < n => Ok([id, n]),
        _ => reject(close::INVALID_SHARD, "invalid shard"),
    }
}

/// A Resume request (§5.2).
#[derive(Debug)]
pub(crate) struct Resume {
    pub token: String,
    pub session_id: String,
    pub seq: u64,
}

/// Resume shape (4001 on a bad shape; the token and session are checked against state later).
pub(crate) fn resume(d: &Value) -> Result<Resume, Reject> {
    let token = d.get("token").and_then(Value::as_str);
    let session_id = d.get("session_id").and_then(Value::as_str);
    let seq = d.get("seq").and_then(Value::as_u64);
    match (token, session_id, seq) {
        (Some(t), Some(s), Some(q)) => Ok(Resume {
            token: t.to_owned(),
            session_id: s.to_owned(),
            seq: q,
        }),
        _ => invalid("resume needs token (string), session_id (string) and seq (integer)"),
    }
}

/// Presence Update (§11.4), also Identify's `presence`.
pub(crate) fn presence(d: &Value) -> Result<(), Reject> {
    let since_ok = d.get("since").is_some_and(|v| v.is_null() || v.is_u64());
    let status_ok = d
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| ["online", "dnd", "idle", "invisible", "offline"].contains(&s));
    let activities_ok = d
        .get("activities")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().all(|act| {
                act.get("name").is_some_and(Value::is_string)
                    && act.get("type").is_some_and(Value::is_u64)
            })
        });
    let afk_ok = d.get("afk").is_some_and(Value::is_boolean);
    if since_ok && status_ok && activities_ok && afk_ok {
        Ok(())
    } else {
        invalid("presence needs since, activities[{name,type}], status and afk")
    }
}

/// Update Voice State (§11.3).
#[derive(Debug)]
pub(crate) struct VoiceState {
    pub guild_id: u64,
    pub channel_id: Option<u64>,
    pub self_mute: bool,
    pub self_deaf: bool,
}

pub(crate) fn voice_state(d: &Value) -> Result<VoiceState, Reject> {
    let guild_id = d.get("guild_id").and_then(snowflake);
    let channel_id = match d.get("channel_id") {
        None | Some(Value::Null) => Some(None),
        Some(v) => snowflake(v).map(Some),
    };
    let mute = d.get("self_mute").and_then(Value::as_bool);
    let deaf = d.get("self_deaf").and_then(Value::as_bool);
    match (guild_id, channel_id, mute, deaf) {
        (Some(guild_id), Some(channel_id), Some(self_mute), Some(self_deaf)) => Ok(VoiceState {
            guild_id,
            channel_id,
            self_mute,
            self_deaf,
        }),
        _ => invalid("voice state needs guild_id, channel_id, self_mute and self_deaf"),
    }
}

/// Which members an op 8 asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum MemberQuery {
    /// Username prefix with a limit (`""` + 0 = everyone).
    Prefix { query: String, limit: u64 },
    /// Explicit ids, as the client wrote them (strings or numbers, echoed in `not_found`).
    Ids(Vec<Value>),
}

/// Request Guild Members (§11.1).
#[derive(Debug)]
pub(crate) struct MemberRequest {
    pub guild_id: u64,
    pub query: MemberQuery,
    pub presences: bool,
    /// The nonce, already dropped when longer than 32 bytes.
    pub nonce: Option<String>,
}

pub(crate) fn request_members(d: &Value) -> Result<MemberRequest, Reject> {
    let Some(guild_id) = d.get("guild_id").and_then(snowflake) else {
        return invalid("guild_id must be one snowflake");
    };
    let query = match (field(d, "query"), field(d, "user_ids")) {
        (Some(q), None) => {
            let (Some(query), Some(limit)) = (q.as_str(), d.get("limit").and_then(Value::as_u64))
            else {
                return invalid("query needs a string query and an integer limit");
            };
            MemberQuery::Prefix {
                query: query.to_owned(),
                limit,
            }
        }
        (None, Some(ids)) => {
            let ids = match ids {
                Value::Array(a) => a.clone(),
                single => vec![single.clone()],
            };
            if ids.is_empty() || ids.len() > 100 || !ids.iter().all(|v| snowflake(v).is_some()) {
                return invalid("user_ids must hold 1 to 100 snowflakes");
            }
            MemberQuery::Ids(ids)
        }
        _ => return invalid("exactly one of query and user_ids is required"),
    };
    let presences = match field(d, "presences") {
        None => false,
        Some(v) => match v.as_bool() {
            Some(b) => b,
            None => return invalid("presences must be a boolean"),
        },
    };
    let nonce = field(d, "nonce")
        .and_then(Value::as_str)
        .filter(|n| n.len() <= 32)
        .map(str::to_owned);
    Ok(MemberRequest {
        guild_id,
        query,
        presences,
        nonce,
    })
}

/// Request Soundboard Sounds (§11.2): the guild ids.
pub(crate) fn soundboard(d: &Value) -> Result<Vec<u64>, Reject> {
    d.get("guild_ids")
        .and_then(Value::as_array)
        .and_then(|ids| ids.iter().map(snowflake).collect::<Option<Vec<_>>>())
        .map_or_else(|| invalid("guild_ids must be an array of snowflakes"), Ok)
}

/// Request Channel Info (§11.5): the guild id and requested fields.
pub(crate) fn channel_info(d: &Value) -> Result<(u64, Vec<String>), Reject> {
    let guild_id = d.get("guild_id").and_then(snowflake);
    let fields = d.get("fields").and_then(Value::as_array).and_then(|f| {
        f.iter()
            .map(|v| {
                v.as_str()
                    .filter(|s| *s == "status" || *s == "voice_start_time")
                    .map(str::to_owned)
            })
            .collect::<Option<Vec<_>>>()
    });
    match (guild_id, fields) {
        (Some(g), Some(f)) => Ok((g, f)),
        _ => invalid("channel info needs guild_id and fields from [status, voice_start_time]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ident(extra: Value) -> Value {
        let mut d = json!({"token": "t", "intents": 513, "properties": {"os": "l", "browser": "b", "device": "d"}});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    }

    fn code<T: std::fmt::Debug>(r: Result<T, Reject>) -> u16 {
        r.unwrap_err().0
    }

    #[test]
    fn envelope_codes() {
        assert_eq!(code(envelope(&json!([1]))), 4002);
        assert_eq!(code(envelope(&json!({"d": 1}))), 4001);
        assert_eq!(code(envelope(&json!({"op": 5}))), 4001);
        assert_eq!(code(envelope(&json!({"op": 11}))), 4001, "server-only op");
        assert_eq!(envelope(&json!({"op": 43, "d": {}})).unwrap().op, 43);
        assert_eq!(code(size(4097)), 4002);
        assert!(size(4096).is_ok());
    }

    #[test]
    fn identify_codes() {
        let all = PRIVILEGED_INTENTS;
        assert!(identify(&ident(json!({})), "t", all).is_ok());
        assert!(identify(
            &ident(json!({"properties": {"$os": "l", "$browser": "b", "$device": "d"}})),
            "t",
            all
        )
        .is_ok());
        assert_eq!(
            code(identify(&ident(json!({"token": "x"})), "t", all)),
            4004
        );
        assert_eq!(
            code(identify(&ident(json!({"intents": 1 << 17})), "t", all)),
            4013
        );
        assert_eq!(
            code(identify(&ident(json!({"intents": -1})), "t", all)),
            4013
        );
        assert_eq!(
            code(identify(&ident(json!({"intents": 1 << 15})), "t", 0)),
            4014
        );
        assert_eq!(
            code(identify(&ident(json!({"shard": [2, 2]})), "t", all)),
            4010
        );
        assert_eq!(
            code(identify(&ident(json!({"shard": [0, 0]})), "t", all)),
            4010
        );
        assert_eq!(
            code(identify(&ident(json!({"shard": [0]})), "t", all)),
            4010
        );
        assert_eq!(
            identify(&ident(json!({"shard": [1, 2]})), "t", all)
                .unwrap()
                .shard,
            Some([1, 2])
        );
        assert_eq!(
            code(identify(&ident(json!({"properties": 1})), "t", all)),
            4001
        );
        assert_eq!(
            code(identify(&ident(json!({"large_threshold": 251})), "t", all)),
            4001
        );
        assert_eq!(code(identify(&json!(null), "t", all)), 4001);
    }

    #[test]
    fn member_request_shapes() {
        let r = request_members(&json!({"guild_id": "1", "query": "", "limit": 0, "nonce": "n"}))
            .unwrap();
        assert_eq!(
            r.query,
            MemberQuery::Prefix {
                query: String::new(),
                limit: 0
            }
        );
        assert_eq!(r.nonce.as_deref(), Some("n"));
        let long = "x".repeat(33);
        assert_eq!(
            request_members(&json!({"guild_id": 1, "user_ids": "5", "nonce": long}))
                .unwrap()
                .nonce,
            None
        );
        assert_eq!(code(request_members(&json!({"guild_id": "1"}))), 4001);
        assert_eq!(
            code(request_members(
                &json!({"guild_id": "1", "query": "", "limit": 0, "user_ids": ["2"]})
            )),
            4001
        );
        assert_eq!(
            code(request_members(&json!({"guild_id": "1", "query": "a"}))),
            4001
        );
    }

    #[test]
    fn other_commands() {
        assert!(presence(
            &json!({"since": null, "activities": [], "status": "online", "afk": false})
        )
        .is_ok());
        assert_eq!(code(presence(&json!({"status": "busy"}))), 4001);
        assert_eq!(
            voice_state(
                &json!({"guild_id": "1", "channel_id": null, "self_mute": false, "self_deaf": true})
            )
            .unwrap()
            .channel_id,
            None
        );
        assert_eq!(
            soundboard(&json!({"guild_ids": ["1", 2]})).unwrap(),
            vec![1, 2]
        );
        assert_eq!(
            code(channel_info(&json!({"guild_id": "1", "fields": ["topic"]}))),
            4001
        );
        assert_eq!(code(heartbeat(&json!("x"))), 4001);
        assert_eq!(
            code(resume(
                &json!({"token": "t", "session_id": "s", "seq": null})
            )),
            4001
        );
    }
}
