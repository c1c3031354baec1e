//! The gateway's numbers, written out independently from gateway-proto (protocol.md §2.1, §6,
//! §10): opcodes, close codes and the documented intent masks. Tests use these names instead of
//! bare numbers. Nothing here decides behaviour.

/// Gateway opcodes (protocol.md §2.1).
pub mod op {
    /// Dispatch (server → client).
    pub const DISPATCH: u64 = 0;
    /// Heartbeat (both directions).
    pub const HEARTBEAT: u64 = 1;
    /// Identify (client → server).
    pub const IDENTIFY: u64 = 2;
    /// Presence Update (client → server).
    pub const PRESENCE_UPDATE: u64 = 3;
    /// Voice State Update (client → server).
    pub const VOICE_STATE_UPDATE: u64 = 4;
    /// Resume (client → server).
    pub const RESUME: u64 = 6;
    /// Reconnect (server → client).
    pub const RECONNECT: u64 = 7;
    /// Request Guild Members (client → server).
    pub const REQUEST_GUILD_MEMBERS: u64 = 8;
    /// Invalid Session (server → client).
    pub const INVALID_SESSION: u64 = 9;
    /// Hello (server → client).
    pub const HELLO: u64 = 10;
    /// Heartbeat ACK (server → client).
    pub const HEARTBEAT_ACK: u64 = 11;
    /// Request Soundboard Sounds (client → server).
    pub const REQUEST_SOUNDBOARD_SOUNDS: u64 = 31;
    /// Request Channel Info (client → server).
    pub const REQUEST_CHANNEL_INFO: u64 = 43;
}

/// Gateway close codes (protocol.md §6) plus the websocket codes the simulator treats specially.
pub mod close {
    /// Client shutdown: invalidates the session (§5.4).
    pub const NORMAL: u16 = 1000;
    /// Client going away: invalidates the session (§5.4).
    pub const GOING_AWAY: u16 = 1001;
    /// Unknown error.
    pub const UNKNOWN_ERROR: u16 = 4000;
    /// Invalid opcode, or invalid payload for an opcode.
    pub const UNKNOWN_OPCODE: u16 = 4001;
    /// Undecodable payload, or a payload over 4096 bytes.
    pub const DECODE_ERROR: u16 = 4002;
    /// A command before Identify/Resume.
    pub const NOT_AUTHENTICATED: u16 = 4003;
    /// Bad token.
    pub const AUTHENTICATION_FAILED: u16 = 4004;
    /// A second Identify (or Resume) on one connection.
    pub const ALREADY_AUTHENTICATED: u16 = 4005;
    /// Bad `seq` in Resume.
    pub const INVALID_SEQ: u16 = 4007;
    /// More than 120 frames in 60 s.
    pub const RATE_LIMITED: u16 = 4008;
    /// Session timed out.
    pub const SESSION_TIMED_OUT: u16 = 4009;
    /// Bad `shard` array.
    pub const INVALID_SHARD: u16 = 4010;
    /// Too many guilds for one shard.
    pub const SHARDING_REQUIRED: u16 = 4011;
    /// Bad `v` query parameter.
    pub const INVALID_API_VERSION: u16 = 4012;
    /// Undocumented intent bits.
    pub const INVALID_INTENTS: u16 = 4013;
    /// Privileged intents not enabled for the application.
    pub const DISALLOWED_INTENTS: u16 = 4014;
}

/// Sum of every documented intent bit (protocol.md §10).
pub const ALL_INTENTS: u64 = 53_608_447;
/// GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT.
pub const PRIVILEGED_INTENTS: u64 = 33_026;
/// Largest payload a client may send (protocol.md §7).
pub const MAX_CLIENT_PAYLOAD: usize = 4096;

#[cfg(test)]
mod tests {
    #[test]
    fn intent_masks_match_the_table() {
        let bits = [
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 24, 25,
        ];
        assert_eq!(
            bits.iter().map(|b| 1u64 << b).sum::<u64>(),
            super::ALL_INTENTS
        );
        assert_eq!((1 << 1) | (1 << 8) | (1 << 15), super::PRIVILEGED_INTENTS);
    }
}
