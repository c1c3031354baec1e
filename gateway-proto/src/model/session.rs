//! The session dispatches of protocol.md §12: READY (§4.2), RESUMED (§5.2) and
//! RATE_LIMITED (§11.1).
//!
//! The shard machine reads the few READY fields it needs itself ([`crate::event::Ready`]);
//! these are the full payloads for the bot.

use super::{PartialApplication, UnavailableGuild, User};
use crate::id::Id;
use serde::{Deserialize, Serialize};

/// READY's `d` (protocol.md §4.2, §13.2). Undocumented extras (`_trace`, `private_channels`,
/// …) are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// API version.
    pub v: u8,
    /// The bot user.
    pub user: User,
    /// The guilds routed to this shard, all unavailable until their GUILD_CREATE.
    pub guilds: Vec<UnavailableGuild>,
    /// The session id, for Resume.
    pub session_id: String,
    /// Where to resume (protocol.md §5.2).
    pub resume_gateway_url: String,
    /// `[shard_id, num_shards]`, echoed when sent in Identify (`shard?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<[u32; 2]>,
    /// The application: `{id, flags}`.
    pub application: PartialApplication,
}

/// RESUMED's `d`: no documented fields (protocol.md §5.2). Written as `{}`; read from any
/// value (protocol.md §13.8 sends `{}`, real frames carry only `_trace`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resumed {}

impl<'de> Deserialize<'de> for Resumed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Self {})
    }
}

/// RATE_LIMITED (protocol.md §11.1, §14 2025-08-14): a gateway command was rate-limited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateLimited {
    /// The rate-limited opcode (8 today).
    pub opcode: u8,
    /// Seconds to wait before retrying.
    pub retry_after: f64,
    /// What was limited; for op 8 `{guild_id, nonce?}`.
    #[serde(default)]
    pub meta: RateLimitMeta,
}

impl RateLimited {
    /// `retry_after` as a duration (negative or non-finite values count as zero).
    pub fn retry_after(&self) -> std::time::Duration {
        std::time::Duration::try_from_secs_f64(self.retry_after).unwrap_or_default()
    }
}

/// RATE_LIMITED's `meta`. Only op 8's shape is defined so far; other keys are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitMeta {
    /// The guild of a Request Guild Members (op 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The request's nonce (`nonce?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}
