//! Commands the client sends (protocol.md §4, §5, §11). STUB: being written.
use crate::{intents::Intents, opcode::OpCode};
use serde::Serialize;

/// Discord closes the connection (4002) for payloads over this many bytes (protocol.md §7).
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// Why a command was refused before sending.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The serialized payload is over [`MAX_PAYLOAD_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
}

/// A gateway command: its payload is `d`, its opcode `op`.
pub trait Command: Serialize {
    /// The opcode sent with this command.
    const OPCODE: OpCode;
    /// Checks rules of protocol.md beyond the types.
    fn validate(&self) -> Result<(), CommandError> {
        Ok(())
    }
}

/// Serializes `{"op":…,"d":…}`, refusing payloads over [`MAX_PAYLOAD_BYTES`].
pub fn to_frame<C: Command>(command: &C) -> Result<String, CommandError> {
    command.validate()?;
    #[derive(Serialize)]
    struct Frame<'a, C> {
        op: u8,
        d: &'a C,
    }
    let text = serde_json::to_string(&Frame { op: C::OPCODE.code(), d: command })
        .expect("stub");
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(CommandError::TooLarge { size: text.len() });
    }
    Ok(text)
}

/// `properties` of Identify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdentifyProperties {
    /// Operating system.
    pub os: String,
    /// Library name.
    pub browser: String,
    /// Library name.
    pub device: String,
}

/// Update Presence (op 3), also Identify's `presence`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UpdatePresence {
    /// Unix ms since idle.
    pub since: Option<u64>,
    /// Activities (stub: names only).
    pub activities: Vec<serde_json::Value>,
    /// Status.
    pub status: String,
    /// AFK.
    pub afk: bool,
}

/// Identify (op 2).
#[derive(Serialize)]
pub struct Identify<'a> {
    /// Bot token.
    pub token: &'a str,
    /// Properties.
    pub properties: &'a IdentifyProperties,
    /// Payload compression (always false here).
    pub compress: bool,
    /// Large threshold.
    pub large_threshold: u8,
    /// `[shard_id, num_shards]`.
    pub shard: [u32; 2],
    /// Initial presence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence: Option<&'a UpdatePresence>,
    /// Intents.
    pub intents: Intents,
}

impl Command for Identify<'_> {
    const OPCODE: OpCode = OpCode::Identify;
}

/// Resume (op 6).
#[derive(Serialize)]
pub struct Resume<'a> {
    /// Bot token.
    pub token: &'a str,
    /// Session id from READY.
    pub session_id: &'a str,
    /// Last sequence received.
    pub seq: u64,
}

impl Command for Resume<'_> {
    const OPCODE: OpCode = OpCode::Resume;
}

/// Heartbeat (op 1): the last sequence received, `null` before any dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Heartbeat(pub Option<u64>);

impl Command for Heartbeat {
    const OPCODE: OpCode = OpCode::Heartbeat;
}
