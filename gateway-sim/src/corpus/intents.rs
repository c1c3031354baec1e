//! Gateway intent bits, written from protocol.md §10 (the simulator deliberately does
//! not share gateway-proto's definitions, so a mistake there is caught, not mirrored).
//!
//! Bits 17–19 and 22–23 are not documented; [`ALL`] is the OR of the 21 documented
//! intents and [`PRIVILEGED`] the three privileged ones.

/// Bit 0: guilds, roles, channels, threads, stage instances, voice channel status.
pub const GUILDS: u64 = 1 << 0;
/// Bit 1 (privileged): GUILD_MEMBER_ADD/UPDATE/REMOVE, THREAD_MEMBERS_UPDATE (others).
pub const GUILD_MEMBERS: u64 = 1 << 1;
/// Bit 2 (was GUILD_BANS): audit log entries, bans.
pub const GUILD_MODERATION: u64 = 1 << 2;
/// Bit 3 (was GUILD_EMOJIS_AND_STICKERS): emojis, stickers, soundboard sounds.
pub const GUILD_EXPRESSIONS: u64 = 1 << 3;
/// Bit 4: integrations.
pub const GUILD_INTEGRATIONS: u64 = 1 << 4;
/// Bit 5: WEBHOOKS_UPDATE.
pub const GUILD_WEBHOOKS: u64 = 1 << 5;
/// Bit 6: INVITE_CREATE/DELETE.
pub const GUILD_INVITES: u64 = 1 << 6;
/// Bit 7: VOICE_STATE_UPDATE, VOICE_CHANNEL_EFFECT_SEND.
pub const GUILD_VOICE_STATES: u64 = 1 << 7;
/// Bit 8 (privileged): PRESENCE_UPDATE, and full member lists in GUILD_CREATE.
pub const GUILD_PRESENCES: u64 = 1 << 8;
/// Bit 9: messages in guilds.
pub const GUILD_MESSAGES: u64 = 1 << 9;
/// Bit 10: reactions in guilds.
pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
/// Bit 11: TYPING_START in guilds.
pub const GUILD_MESSAGE_TYPING: u64 = 1 << 11;
/// Bit 12: messages and CHANNEL_PINS_UPDATE in DMs.
pub const DIRECT_MESSAGES: u64 = 1 << 12;
/// Bit 13: reactions in DMs.
pub const DIRECT_MESSAGE_REACTIONS: u64 = 1 << 13;
/// Bit 14: TYPING_START in DMs.
pub const DIRECT_MESSAGE_TYPING: u64 = 1 << 14;
/// Bit 15 (privileged): no events; controls message content fields (§10 rule).
pub const MESSAGE_CONTENT: u64 = 1 << 15;
/// Bit 16: guild scheduled events.
pub const GUILD_SCHEDULED_EVENTS: u64 = 1 << 16;
/// Bit 20: auto-moderation rule changes.
pub const AUTO_MODERATION_CONFIGURATION: u64 = 1 << 20;
/// Bit 21: AUTO_MODERATION_ACTION_EXECUTION.
pub const AUTO_MODERATION_EXECUTION: u64 = 1 << 21;
/// Bit 24: poll votes in guilds.
pub const GUILD_MESSAGE_POLLS: u64 = 1 << 24;
/// Bit 25: poll votes in DMs.
pub const DIRECT_MESSAGE_POLLS: u64 = 1 << 25;

/// Every documented intent (53608447 per §10).
pub const ALL: u64 = GUILDS
    | GUILD_MEMBERS
    | GUILD_MODERATION
    | GUILD_EXPRESSIONS
    | GUILD_INTEGRATIONS
    | GUILD_WEBHOOKS
    | GUILD_INVITES
    | GUILD_VOICE_STATES
    | GUILD_PRESENCES
    | GUILD_MESSAGES
    | GUILD_MESSAGE_REACTIONS
    | GUILD_MESSAGE_TYPING
    | DIRECT_MESSAGES
    | DIRECT_MESSAGE_REACTIONS
    | DIRECT_MESSAGE_TYPING
    | MESSAGE_CONTENT
    | GUILD_SCHEDULED_EVENTS
    | AUTO_MODERATION_CONFIGURATION
    | AUTO_MODERATION_EXECUTION
    | GUILD_MESSAGE_POLLS
    | DIRECT_MESSAGE_POLLS;

/// The privileged intents: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT (33026).
pub const PRIVILEGED: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;

/// Every documented intent that is not privileged (53575421 per §10).
pub const NON_PRIVILEGED: u64 = ALL & !PRIVILEGED;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_protocol() {
        assert_eq!(ALL, 53_608_447);
        assert_eq!(NON_PRIVILEGED, 53_575_421);
        assert_eq!(PRIVILEGED, 33_026);
        // §10 documents 21 intents (bits 0–16, 20, 21, 24, 25).
        assert_eq!(ALL.count_ones(), 21);
        // The Identify example of §4.1.
        assert_eq!(GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT, 33_281);
    }
}
