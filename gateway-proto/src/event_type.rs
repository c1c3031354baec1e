//! Dispatch event names, their flags, and which intents gate them (protocol.md §10, §12).
//!
//! This file owns one table: every dispatch name `t` of protocol.md §12, with its
//! [`EventType`] variant, its bit in [`EventTypeFlags`] and the intents that gate it. Everything
//! else here (`from_name`, `name`, `flag`, `gating_intents`, [`EventType::KNOWN`], the
//! per-intent flag sets) is generated from that table, so a name cannot be added in one place
//! and forgotten in another. It knows nothing about payloads, which stay raw here.
use crate::intents::Intents;
use bitflags::bitflags;
use std::{convert::Infallible, fmt, str::FromStr};

/// Builds the enum, the flags and the lookup functions from one table.
///
/// Each row: doc comment, `Variant = DISCORD_NAME, bit N, gated_by [INTENT, …];`. The flag is
/// named after Discord's name, and `stringify!` of it is the wire name, so the three cannot drift.
/// Bits are written out (not counted by the macro) so they stay stable when rows are added; the
/// `flags_are_distinct_bits` test proves no two rows share one.
macro_rules! event_types {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $flag:ident, bit $bit:literal, gated_by [$($intent:ident),*];
    )*) => {
        /// The `t` of a dispatch (protocol.md §12), or a name this library does not know.
        ///
        /// Variants follow protocol.md §12's grouping: session, guilds, channels and threads,
        /// messages, presence/users/voice, apps and monetization.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventType {
            $(
                $(#[doc = $doc])*
                $variant,
            )*
            /// A name this library does not know, kept as Discord sent it.
            Unknown(Box<str>),
        }

        impl EventType {
            /// Every dispatch name of protocol.md §12, in the table's order.
            pub const KNOWN: &'static [EventType] = &[$(Self::$variant),*];

            /// Parses a dispatch name; unknown names are kept as text.
            ///
            /// Runs once per received dispatch, so it is a single `match` on the string.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $(stringify!($flag) => Self::$variant,)*
                    other => Self::Unknown(other.into()),
                }
            }

            /// The name as Discord spells it (the `t` field).
            pub fn name(&self) -> &str {
                match self {
                    $(Self::$variant => stringify!($flag),)*
                    Self::Unknown(name) => name,
                }
            }

            /// The flag of this event type (`UNKNOWN` for unknown names).
            pub const fn flag(&self) -> EventTypeFlags {
                match self {
                    $(Self::$variant => EventTypeFlags::$flag,)*
                    Self::Unknown(_) => EventTypeFlags::UNKNOWN,
                }
            }

            /// The intents that gate this event (protocol.md §10, §12): Discord sends it when
            /// *any* of them is set. Empty means it is always sent (READY,
            /// GUILD_MEMBERS_CHUNK, INTERACTION_CREATE, …), and also for unknown names, whose
            /// gating this library cannot know.
            ///
            /// MESSAGE_CREATE gives `GUILD_MESSAGES | DIRECT_MESSAGES`: the first for guild
            /// messages, the second for DMs. GUILD_MEMBER_UPDATE gives GUILD_MEMBERS, although
            /// the bot's own member update is sent without it (see
            /// [`EventTypeFlags::for_intents`]).
            pub const fn gating_intents(&self) -> Intents {
                match self {
                    $(Self::$variant => Intents::empty()$(.union(Intents::$intent))*,)*
                    Self::Unknown(_) => Intents::empty(),
                }
            }
        }

        bitflags! {
            /// A set of event kinds: the gateway lifecycle (opcodes 7, 9, 10, 11 and the
            /// socket closing) and one distinct bit per dispatch name of protocol.md §12, named
            /// as Discord names the dispatch.
            ///
            /// Used to choose which events a shard hands out; events left out are still counted
            /// for the sequence number.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct EventTypeFlags: u128 {
                /// Hello (op 10).
                const GATEWAY_HELLO = 1;
                /// Heartbeat ACK (op 11).
                const GATEWAY_HEARTBEAT_ACK = 1 << 1;
                /// Invalid session (op 9).
                const GATEWAY_INVALIDATE_SESSION = 1 << 2;
                /// Reconnect (op 7).
                const GATEWAY_RECONNECT = 1 << 3;
                /// The connection closed.
                const GATEWAY_CLOSE = 1 << 4;
                /// A dispatch whose name is unknown.
                const UNKNOWN = 1 << 5;
                $(
                    $(#[doc = $doc])*
                    const $flag = 1 << $bit;
                )*
            }
        }

        /// Each known dispatch's flag with the intents gating it, for the const set builders.
        const GATING: &[(EventTypeFlags, Intents)] = &[
            $((EventTypeFlags::$flag, Intents::empty()$(.union(Intents::$intent))*),)*
        ];
    };
}

event_types! {
    // Connection / session (protocol.md §12): always sent.
    /// `READY`: a new session started (protocol.md §4.2). Always sent.
    Ready = READY, bit 6, gated_by [];
    /// `RESUMED`: the replay after a Resume has ended (protocol.md §5.2). Always sent.
    Resumed = RESUMED, bit 7, gated_by [];
    /// `RATE_LIMITED`: a gateway command (op 8 today) was rate-limited (protocol.md §11.1).
    /// Always sent.
    RateLimited = RATE_LIMITED, bit 8, gated_by [];

    // Guilds.
    /// `GUILD_CREATE`: a guild became available or the bot joined one. GUILDS.
    GuildCreate = GUILD_CREATE, bit 9, gated_by [GUILDS];
    /// `GUILD_UPDATE`: a guild changed. GUILDS.
    GuildUpdate = GUILD_UPDATE, bit 10, gated_by [GUILDS];
    /// `GUILD_DELETE`: a guild became unavailable or the bot left it. GUILDS.
    GuildDelete = GUILD_DELETE, bit 11, gated_by [GUILDS];
    /// `GUILD_ROLE_CREATE`: a role was created. GUILDS.
    GuildRoleCreate = GUILD_ROLE_CREATE, bit 12, gated_by [GUILDS];
    /// `GUILD_ROLE_UPDATE`: a role changed. GUILDS.
    GuildRoleUpdate = GUILD_ROLE_UPDATE, bit 13, gated_by [GUILDS];
    /// `GUILD_ROLE_DELETE`: a role was deleted. GUILDS.
    GuildRoleDelete = GUILD_ROLE_DELETE, bit 14, gated_by [GUILDS];
    /// `GUILD_AUDIT_LOG_ENTRY_CREATE`: an audit log entry was added. GUILD_MODERATION.
    GuildAuditLogEntryCreate = GUILD_AUDIT_LOG_ENTRY_CREATE, bit 15, gated_by [GUILD_MODERATION];
    /// `GUILD_BAN_ADD`: a user was banned. GUILD_MODERATION.
    GuildBanAdd = GUILD_BAN_ADD, bit 16, gated_by [GUILD_MODERATION];
    /// `GUILD_BAN_REMOVE`: a user was unbanned. GUILD_MODERATION.
    GuildBanRemove = GUILD_BAN_REMOVE, bit 17, gated_by [GUILD_MODERATION];
    /// `GUILD_EMOJIS_UPDATE`: a guild's emojis changed. GUILD_EXPRESSIONS.
    GuildEmojisUpdate = GUILD_EMOJIS_UPDATE, bit 18, gated_by [GUILD_EXPRESSIONS];
    /// `GUILD_STICKERS_UPDATE`: a guild's stickers changed. GUILD_EXPRESSIONS.
    GuildStickersUpdate = GUILD_STICKERS_UPDATE, bit 19, gated_by [GUILD_EXPRESSIONS];
    /// `GUILD_SOUNDBOARD_SOUND_CREATE`: a soundboard sound was created. GUILD_EXPRESSIONS.
    GuildSoundboardSoundCreate = GUILD_SOUNDBOARD_SOUND_CREATE, bit 20, gated_by [GUILD_EXPRESSIONS];
    /// `GUILD_SOUNDBOARD_SOUND_UPDATE`: a soundboard sound changed. GUILD_EXPRESSIONS.
    GuildSoundboardSoundUpdate = GUILD_SOUNDBOARD_SOUND_UPDATE, bit 21, gated_by [GUILD_EXPRESSIONS];
    /// `GUILD_SOUNDBOARD_SOUND_DELETE`: a soundboard sound was deleted. GUILD_EXPRESSIONS.
    GuildSoundboardSoundDelete = GUILD_SOUNDBOARD_SOUND_DELETE, bit 22, gated_by [GUILD_EXPRESSIONS];
    /// `GUILD_SOUNDBOARD_SOUNDS_UPDATE`: a guild's soundboard sounds changed. GUILD_EXPRESSIONS.
    GuildSoundboardSoundsUpdate = GUILD_SOUNDBOARD_SOUNDS_UPDATE, bit 23, gated_by [GUILD_EXPRESSIONS];
    /// `SOUNDBOARD_SOUNDS`: reply to Request Soundboard Sounds, op 31 (protocol.md §11.2).
    /// Always sent.
    SoundboardSounds = SOUNDBOARD_SOUNDS, bit 24, gated_by [];
    /// `GUILD_INTEGRATIONS_UPDATE`: a guild's integrations changed. GUILD_INTEGRATIONS.
    GuildIntegrationsUpdate = GUILD_INTEGRATIONS_UPDATE, bit 25, gated_by [GUILD_INTEGRATIONS];
    /// `INTEGRATION_CREATE`: an integration was created. GUILD_INTEGRATIONS.
    IntegrationCreate = INTEGRATION_CREATE, bit 26, gated_by [GUILD_INTEGRATIONS];
    /// `INTEGRATION_UPDATE`: an integration changed. GUILD_INTEGRATIONS.
    IntegrationUpdate = INTEGRATION_UPDATE, bit 27, gated_by [GUILD_INTEGRATIONS];
    /// `INTEGRATION_DELETE`: an integration was deleted. GUILD_INTEGRATIONS.
    IntegrationDelete = INTEGRATION_DELETE, bit 28, gated_by [GUILD_INTEGRATIONS];
    /// `GUILD_MEMBER_ADD`: a member joined. GUILD_MEMBERS.
    GuildMemberAdd = GUILD_MEMBER_ADD, bit 29, gated_by [GUILD_MEMBERS];
    /// `GUILD_MEMBER_UPDATE`: a member changed. GUILD_MEMBERS; the bot's own update is always
    /// sent (protocol.md §10 caveats).
    GuildMemberUpdate = GUILD_MEMBER_UPDATE, bit 30, gated_by [GUILD_MEMBERS];
    /// `GUILD_MEMBER_REMOVE`: a member left or was removed. GUILD_MEMBERS.
    GuildMemberRemove = GUILD_MEMBER_REMOVE, bit 31, gated_by [GUILD_MEMBERS];
    /// `GUILD_MEMBERS_CHUNK`: reply to Request Guild Members, op 8 (protocol.md §11.1).
    /// Always sent.
    GuildMembersChunk = GUILD_MEMBERS_CHUNK, bit 32, gated_by [];
    /// `GUILD_SCHEDULED_EVENT_CREATE`: a scheduled event was created. GUILD_SCHEDULED_EVENTS.
    GuildScheduledEventCreate = GUILD_SCHEDULED_EVENT_CREATE, bit 33, gated_by [GUILD_SCHEDULED_EVENTS];
    /// `GUILD_SCHEDULED_EVENT_UPDATE`: a scheduled event changed. GUILD_SCHEDULED_EVENTS.
    GuildScheduledEventUpdate = GUILD_SCHEDULED_EVENT_UPDATE, bit 34, gated_by [GUILD_SCHEDULED_EVENTS];
    /// `GUILD_SCHEDULED_EVENT_DELETE`: a scheduled event was deleted. GUILD_SCHEDULED_EVENTS.
    GuildScheduledEventDelete = GUILD_SCHEDULED_EVENT_DELETE, bit 35, gated_by [GUILD_SCHEDULED_EVENTS];
    /// `GUILD_SCHEDULED_EVENT_USER_ADD`: a user subscribed to a scheduled event.
    /// GUILD_SCHEDULED_EVENTS.
    GuildScheduledEventUserAdd = GUILD_SCHEDULED_EVENT_USER_ADD, bit 36, gated_by [GUILD_SCHEDULED_EVENTS];
    /// `GUILD_SCHEDULED_EVENT_USER_REMOVE`: a user unsubscribed from a scheduled event.
    /// GUILD_SCHEDULED_EVENTS.
    GuildScheduledEventUserRemove = GUILD_SCHEDULED_EVENT_USER_REMOVE, bit 37, gated_by [GUILD_SCHEDULED_EVENTS];

    // Channels and threads.
    /// `CHANNEL_CREATE`: a channel was created. GUILDS.
    ChannelCreate = CHANNEL_CREATE, bit 38, gated_by [GUILDS];
    /// `CHANNEL_UPDATE`: a channel changed. GUILDS.
    ChannelUpdate = CHANNEL_UPDATE, bit 39, gated_by [GUILDS];
    /// `CHANNEL_DELETE`: a channel was deleted. GUILDS.
    ChannelDelete = CHANNEL_DELETE, bit 40, gated_by [GUILDS];
    /// `CHANNEL_PINS_UPDATE`: a message was pinned or unpinned. GUILDS in guilds,
    /// DIRECT_MESSAGES in DMs.
    ChannelPinsUpdate = CHANNEL_PINS_UPDATE, bit 41, gated_by [GUILDS, DIRECT_MESSAGES];
    /// `CHANNEL_INFO`: reply to Request Channel Info, op 43 (protocol.md §11.5). Always sent.
    ChannelInfo = CHANNEL_INFO, bit 42, gated_by [];
    /// `THREAD_CREATE`: a thread was created, or the bot was added to one. GUILDS.
    ThreadCreate = THREAD_CREATE, bit 43, gated_by [GUILDS];
    /// `THREAD_UPDATE`: a thread changed. GUILDS.
    ThreadUpdate = THREAD_UPDATE, bit 44, gated_by [GUILDS];
    /// `THREAD_DELETE`: a thread was deleted. GUILDS.
    ThreadDelete = THREAD_DELETE, bit 45, gated_by [GUILDS];
    /// `THREAD_LIST_SYNC`: the bot gained access to a channel's threads. GUILDS.
    ThreadListSync = THREAD_LIST_SYNC, bit 46, gated_by [GUILDS];
    /// `THREAD_MEMBER_UPDATE`: the bot's thread member changed. GUILDS.
    ThreadMemberUpdate = THREAD_MEMBER_UPDATE, bit 47, gated_by [GUILDS];
    /// `THREAD_MEMBERS_UPDATE`: users were added to or removed from a thread. GUILDS (only for
    /// the bot itself) or GUILD_MEMBERS (for everyone).
    ThreadMembersUpdate = THREAD_MEMBERS_UPDATE, bit 48, gated_by [GUILDS, GUILD_MEMBERS];
    /// `STAGE_INSTANCE_CREATE`: a stage instance was created. GUILDS.
    StageInstanceCreate = STAGE_INSTANCE_CREATE, bit 49, gated_by [GUILDS];
    /// `STAGE_INSTANCE_UPDATE`: a stage instance changed. GUILDS.
    StageInstanceUpdate = STAGE_INSTANCE_UPDATE, bit 50, gated_by [GUILDS];
    /// `STAGE_INSTANCE_DELETE`: a stage instance was deleted. GUILDS.
    StageInstanceDelete = STAGE_INSTANCE_DELETE, bit 51, gated_by [GUILDS];
    /// `VOICE_CHANNEL_STATUS_UPDATE`: a voice channel's status changed (protocol.md §11.5).
    /// GUILDS.
    VoiceChannelStatusUpdate = VOICE_CHANNEL_STATUS_UPDATE, bit 52, gated_by [GUILDS];
    /// `VOICE_CHANNEL_START_TIME_UPDATE`: a voice channel's start time changed
    /// (protocol.md §11.5). GUILDS.
    VoiceChannelStartTimeUpdate = VOICE_CHANNEL_START_TIME_UPDATE, bit 53, gated_by [GUILDS];

    // Messages, reactions, polls, typing.
    /// `MESSAGE_CREATE`: a message was sent. GUILD_MESSAGES in guilds, DIRECT_MESSAGES in DMs.
    MessageCreate = MESSAGE_CREATE, bit 54, gated_by [GUILD_MESSAGES, DIRECT_MESSAGES];
    /// `MESSAGE_UPDATE`: a message was edited. GUILD_MESSAGES in guilds, DIRECT_MESSAGES in DMs.
    MessageUpdate = MESSAGE_UPDATE, bit 55, gated_by [GUILD_MESSAGES, DIRECT_MESSAGES];
    /// `MESSAGE_DELETE`: a message was deleted. GUILD_MESSAGES in guilds, DIRECT_MESSAGES in DMs.
    MessageDelete = MESSAGE_DELETE, bit 56, gated_by [GUILD_MESSAGES, DIRECT_MESSAGES];
    /// `MESSAGE_DELETE_BULK`: messages were deleted at once. GUILD_MESSAGES.
    MessageDeleteBulk = MESSAGE_DELETE_BULK, bit 57, gated_by [GUILD_MESSAGES];
    /// `MESSAGE_REACTION_ADD`: a reaction was added. GUILD_MESSAGE_REACTIONS in guilds,
    /// DIRECT_MESSAGE_REACTIONS in DMs.
    MessageReactionAdd = MESSAGE_REACTION_ADD, bit 58, gated_by [GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS];
    /// `MESSAGE_REACTION_REMOVE`: a reaction was removed. GUILD_MESSAGE_REACTIONS in guilds,
    /// DIRECT_MESSAGE_REACTIONS in DMs.
    MessageReactionRemove = MESSAGE_REACTION_REMOVE, bit 59, gated_by [GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS];
    /// `MESSAGE_REACTION_REMOVE_ALL`: all reactions were removed from a message.
    /// GUILD_MESSAGE_REACTIONS in guilds, DIRECT_MESSAGE_REACTIONS in DMs.
    MessageReactionRemoveAll = MESSAGE_REACTION_REMOVE_ALL, bit 60, gated_by [GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS];
    /// `MESSAGE_REACTION_REMOVE_EMOJI`: all reactions of one emoji were removed.
    /// GUILD_MESSAGE_REACTIONS in guilds, DIRECT_MESSAGE_REACTIONS in DMs.
    MessageReactionRemoveEmoji = MESSAGE_REACTION_REMOVE_EMOJI, bit 61, gated_by [GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS];
    /// `MESSAGE_POLL_VOTE_ADD`: a poll vote was cast. GUILD_MESSAGE_POLLS in guilds,
    /// DIRECT_MESSAGE_POLLS in DMs.
    MessagePollVoteAdd = MESSAGE_POLL_VOTE_ADD, bit 62, gated_by [GUILD_MESSAGE_POLLS, DIRECT_MESSAGE_POLLS];
    /// `MESSAGE_POLL_VOTE_REMOVE`: a poll vote was withdrawn. GUILD_MESSAGE_POLLS in guilds,
    /// DIRECT_MESSAGE_POLLS in DMs.
    MessagePollVoteRemove = MESSAGE_POLL_VOTE_REMOVE, bit 63, gated_by [GUILD_MESSAGE_POLLS, DIRECT_MESSAGE_POLLS];
    /// `TYPING_START`: a user started typing. GUILD_MESSAGE_TYPING in guilds,
    /// DIRECT_MESSAGE_TYPING in DMs.
    TypingStart = TYPING_START, bit 64, gated_by [GUILD_MESSAGE_TYPING, DIRECT_MESSAGE_TYPING];

    // Presence, users, voice.
    /// `PRESENCE_UPDATE`: a user's presence changed. GUILD_PRESENCES.
    PresenceUpdate = PRESENCE_UPDATE, bit 65, gated_by [GUILD_PRESENCES];
    /// `USER_UPDATE`: the bot user changed. Always sent.
    UserUpdate = USER_UPDATE, bit 66, gated_by [];
    /// `VOICE_STATE_UPDATE`: someone joined, left or moved voice (protocol.md §11.3).
    /// GUILD_VOICE_STATES.
    VoiceStateUpdate = VOICE_STATE_UPDATE, bit 67, gated_by [GUILD_VOICE_STATES];
    /// `VOICE_SERVER_UPDATE`: the voice server for the bot's connection (protocol.md §11.3).
    /// Always sent.
    VoiceServerUpdate = VOICE_SERVER_UPDATE, bit 68, gated_by [];
    /// `VOICE_CHANNEL_EFFECT_SEND`: someone sent a voice channel effect. GUILD_VOICE_STATES.
    VoiceChannelEffectSend = VOICE_CHANNEL_EFFECT_SEND, bit 69, gated_by [GUILD_VOICE_STATES];
    /// `WEBHOOKS_UPDATE`: a channel's webhooks changed. GUILD_WEBHOOKS.
    WebhooksUpdate = WEBHOOKS_UPDATE, bit 70, gated_by [GUILD_WEBHOOKS];
    /// `INVITE_CREATE`: an invite was created. GUILD_INVITES.
    InviteCreate = INVITE_CREATE, bit 71, gated_by [GUILD_INVITES];
    /// `INVITE_DELETE`: an invite was deleted. GUILD_INVITES.
    InviteDelete = INVITE_DELETE, bit 72, gated_by [GUILD_INVITES];

    // Apps, moderation, monetization.
    /// `INTERACTION_CREATE`: a user used a command or component, when the app has no
    /// Interactions Endpoint URL. Always sent.
    InteractionCreate = INTERACTION_CREATE, bit 73, gated_by [];
    /// `APPLICATION_COMMAND_PERMISSIONS_UPDATE`: a command's permissions changed. Always sent.
    ApplicationCommandPermissionsUpdate = APPLICATION_COMMAND_PERMISSIONS_UPDATE, bit 74, gated_by [];
    /// `AUTO_MODERATION_RULE_CREATE`: an auto-moderation rule was created.
    /// AUTO_MODERATION_CONFIGURATION.
    AutoModerationRuleCreate = AUTO_MODERATION_RULE_CREATE, bit 75, gated_by [AUTO_MODERATION_CONFIGURATION];
    /// `AUTO_MODERATION_RULE_UPDATE`: an auto-moderation rule changed.
    /// AUTO_MODERATION_CONFIGURATION.
    AutoModerationRuleUpdate = AUTO_MODERATION_RULE_UPDATE, bit 76, gated_by [AUTO_MODERATION_CONFIGURATION];
    /// `AUTO_MODERATION_RULE_DELETE`: an auto-moderation rule was deleted.
    /// AUTO_MODERATION_CONFIGURATION.
    AutoModerationRuleDelete = AUTO_MODERATION_RULE_DELETE, bit 77, gated_by [AUTO_MODERATION_CONFIGURATION];
    /// `AUTO_MODERATION_ACTION_EXECUTION`: an auto-moderation rule acted.
    /// AUTO_MODERATION_EXECUTION.
    AutoModerationActionExecution = AUTO_MODERATION_ACTION_EXECUTION, bit 78, gated_by [AUTO_MODERATION_EXECUTION];
    /// `ENTITLEMENT_CREATE`: an entitlement was created. Always sent, shard 0 only.
    EntitlementCreate = ENTITLEMENT_CREATE, bit 79, gated_by [];
    /// `ENTITLEMENT_UPDATE`: an entitlement changed (for subscriptions: when it ends). Always
    /// sent, shard 0 only.
    EntitlementUpdate = ENTITLEMENT_UPDATE, bit 80, gated_by [];
    /// `ENTITLEMENT_DELETE`: an entitlement was deleted. Always sent, shard 0 only.
    EntitlementDelete = ENTITLEMENT_DELETE, bit 81, gated_by [];
    /// `SUBSCRIPTION_CREATE`: a user subscribed to the app. Always sent, shard 0 only.
    SubscriptionCreate = SUBSCRIPTION_CREATE, bit 82, gated_by [];
    /// `SUBSCRIPTION_UPDATE`: a subscription changed. Always sent, shard 0 only.
    SubscriptionUpdate = SUBSCRIPTION_UPDATE, bit 83, gated_by [];
    /// `SUBSCRIPTION_DELETE`: a subscription was deleted. Always sent, shard 0 only.
    SubscriptionDelete = SUBSCRIPTION_DELETE, bit 84, gated_by [];
}

impl EventType {
    /// Whether this is one of [`EventType::KNOWN`] rather than [`EventType::Unknown`].
    pub const fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Same as [`EventType::from_name`]; never fails.
impl FromStr for EventType {
    type Err = Infallible;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_name(name))
    }
}

/// Serialized as the name string, e.g. `"MESSAGE_CREATE"`.
impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Read from the name string; unknown names become [`EventType::Unknown`].
impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl serde::de::Visitor<'_> for NameVisitor {
            type Value = EventType;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dispatch event name")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<EventType, E> {
                Ok(EventType::from_name(name))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

impl EventTypeFlags {
    /// The gateway lifecycle flags: Hello, Heartbeat ACK, Invalid Session, Reconnect and the
    /// socket closing. Not dispatches, never gated by intents.
    pub const LIFECYCLE: Self = Self::GATEWAY_HELLO
        .union(Self::GATEWAY_HEARTBEAT_ACK)
        .union(Self::GATEWAY_INVALIDATE_SESSION)
        .union(Self::GATEWAY_RECONNECT)
        .union(Self::GATEWAY_CLOSE);

    /// Every known dispatch of protocol.md §12 (not [`Self::UNKNOWN`], not lifecycle).
    pub const DISPATCH: Self = {
        let mut set = Self::empty();
        let mut i = 0;
        while i < GATING.len() {
            set = set.union(GATING[i].0);
            i += 1;
        }
        set
    };

    /// The known dispatches no intent gates: always sent (protocol.md §10 "events not listed
    /// here aren't gated").
    pub const UNGATED: Self = {
        let mut set = Self::empty();
        let mut i = 0;
        while i < GATING.len() {
            if GATING[i].1.is_empty() {
                set = set.union(GATING[i].0);
            }
            i += 1;
        }
        set
    };

    /// The dispatches gated by at least one of `intents` (protocol.md §10), without the
    /// ungated ones. `gated_by(Intents::MESSAGE_CONTENT)` is empty: that intent fills message
    /// fields but gates no event.
    pub const fn gated_by(intents: Intents) -> Self {
        let mut set = Self::empty();
        let mut i = 0;
        while i < GATING.len() {
            if GATING[i].1.intersects(intents) {
                set = set.union(GATING[i].0);
            }
            i += 1;
        }
        set
    }

    /// Every event a shard identified with `intents` can receive: the lifecycle flags,
    /// [`Self::UNKNOWN`] (an unknown name's gating cannot be known), the ungated dispatches,
    /// those gated by any of `intents`, and GUILD_MEMBER_UPDATE, which Discord sends for the
    /// bot's own member even without GUILD_MEMBERS (protocol.md §10 caveats).
    ///
    /// ```
    /// use gateway_proto::event_type::{EventType, EventTypeFlags};
    /// use gateway_proto::intents::Intents;
    ///
    /// let wanted = EventTypeFlags::for_intents(Intents::GUILDS | Intents::GUILD_MESSAGES);
    /// assert!(wanted.contains(EventType::from_name("MESSAGE_CREATE").flag()));
    /// assert!(wanted.contains(EventTypeFlags::READY | EventTypeFlags::GATEWAY_HELLO));
    /// assert!(!wanted.contains(EventTypeFlags::PRESENCE_UPDATE));
    /// ```
    pub const fn for_intents(intents: Intents) -> Self {
        Self::LIFECYCLE
            .union(Self::UNKNOWN)
            .union(Self::UNGATED)
            .union(Self::GUILD_MEMBER_UPDATE)
            .union(Self::gated_by(intents))
    }
}

#[cfg(test)]
mod tests {
    use super::{EventType, EventTypeFlags};
    use crate::intents::Intents;
    use std::collections::HashSet;

    fn names(flags: EventTypeFlags) -> Vec<&'static str> {
        let mut names: Vec<_> = flags.iter_names().map(|(name, _)| name).collect();
        names.sort_unstable();
        names
    }

    fn sorted<'a>(list: &[&'a str]) -> Vec<&'a str> {
        let mut list = list.to_vec();
        list.sort_unstable();
        list
    }

    #[test]
    fn flags_are_distinct_bits() {
        let mut seen = 0u128;
        let mut count = 0;
        for (name, flag) in EventTypeFlags::all().iter_names() {
            assert_eq!(flag.bits().count_ones(), 1, "{name} is not a single bit");
            assert_eq!(seen & flag.bits(), 0, "{name} shares a bit");
            seen |= flag.bits();
            count += 1;
        }
        // Six lifecycle/unknown flags plus one per known dispatch.
        assert_eq!(count, EventType::KNOWN.len() + 6);
        assert_eq!(EventTypeFlags::all().bits().count_ones() as usize, count);
    }

    #[test]
    fn every_known_event_has_its_own_flag_that_maps_back() {
        let mut flags = HashSet::new();
        for event in EventType::KNOWN {
            let flag = event.flag();
            assert_eq!(flag.bits().count_ones(), 1, "{event}");
            assert!(flags.insert(flag.bits()), "{event} shares its flag");
            assert_eq!(
                EventTypeFlags::from_name(event.name()),
                Some(flag),
                "{event}"
            );
            assert_eq!(EventType::from_name(event.name()).flag(), flag);
            assert!(!flag.intersects(EventTypeFlags::LIFECYCLE | EventTypeFlags::UNKNOWN));
        }
        assert_eq!(
            EventTypeFlags::DISPATCH.bits().count_ones() as usize,
            EventType::KNOWN.len()
        );
    }

    #[test]
    fn names_round_trip_for_all_known() {
        let mut seen = HashSet::new();
        for event in EventType::KNOWN {
            assert_eq!(&EventType::from_name(event.name()), event);
            assert!(event.is_known());
            assert!(seen.insert(event.name()), "duplicate {event}");
            // Names are Discord's UPPER_SNAKE_CASE.
            assert!(event
                .name()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
    }

    #[test]
    fn protocol_md_section_12_is_complete() {
        // Every row of protocol.md §12 with the `/_UPDATE` shorthands expanded.
        let expected = [
            "READY",
            "RESUMED",
            "RATE_LIMITED",
            "GUILD_CREATE",
            "GUILD_UPDATE",
            "GUILD_DELETE",
            "GUILD_ROLE_CREATE",
            "GUILD_ROLE_UPDATE",
            "GUILD_ROLE_DELETE",
            "GUILD_AUDIT_LOG_ENTRY_CREATE",
            "GUILD_BAN_ADD",
            "GUILD_BAN_REMOVE",
            "GUILD_EMOJIS_UPDATE",
            "GUILD_STICKERS_UPDATE",
            "GUILD_SOUNDBOARD_SOUND_CREATE",
            "GUILD_SOUNDBOARD_SOUND_UPDATE",
            "GUILD_SOUNDBOARD_SOUND_DELETE",
            "GUILD_SOUNDBOARD_SOUNDS_UPDATE",
            "SOUNDBOARD_SOUNDS",
            "GUILD_INTEGRATIONS_UPDATE",
            "INTEGRATION_CREATE",
            "INTEGRATION_UPDATE",
            "INTEGRATION_DELETE",
            "GUILD_MEMBER_ADD",
            "GUILD_MEMBER_UPDATE",
            "GUILD_MEMBER_REMOVE",
            "GUILD_MEMBERS_CHUNK",
            "GUILD_SCHEDULED_EVENT_CREATE",
            "GUILD_SCHEDULED_EVENT_UPDATE",
            "GUILD_SCHEDULED_EVENT_DELETE",
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            "GUILD_SCHEDULED_EVENT_USER_REMOVE",
            "CHANNEL_CREATE",
            "CHANNEL_UPDATE",
            "CHANNEL_DELETE",
            "CHANNEL_PINS_UPDATE",
            "CHANNEL_INFO",
            "THREAD_CREATE",
            "THREAD_UPDATE",
            "THREAD_DELETE",
            "THREAD_LIST_SYNC",
            "THREAD_MEMBER_UPDATE",
            "THREAD_MEMBERS_UPDATE",
            "STAGE_INSTANCE_CREATE",
            "STAGE_INSTANCE_UPDATE",
            "STAGE_INSTANCE_DELETE",
            "VOICE_CHANNEL_STATUS_UPDATE",
            "VOICE_CHANNEL_START_TIME_UPDATE",
            "MESSAGE_CREATE",
            "MESSAGE_UPDATE",
            "MESSAGE_DELETE",
            "MESSAGE_DELETE_BULK",
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_REMOVE",
            "MESSAGE_REACTION_REMOVE_ALL",
            "MESSAGE_REACTION_REMOVE_EMOJI",
            "MESSAGE_POLL_VOTE_ADD",
            "MESSAGE_POLL_VOTE_REMOVE",
            "TYPING_START",
            "PRESENCE_UPDATE",
            "USER_UPDATE",
            "VOICE_STATE_UPDATE",
            "VOICE_SERVER_UPDATE",
            "VOICE_CHANNEL_EFFECT_SEND",
            "WEBHOOKS_UPDATE",
            "INVITE_CREATE",
            "INVITE_DELETE",
            "INTERACTION_CREATE",
            "APPLICATION_COMMAND_PERMISSIONS_UPDATE",
            "AUTO_MODERATION_RULE_CREATE",
            "AUTO_MODERATION_RULE_UPDATE",
            "AUTO_MODERATION_RULE_DELETE",
            "AUTO_MODERATION_ACTION_EXECUTION",
            "ENTITLEMENT_CREATE",
            "ENTITLEMENT_UPDATE",
            "ENTITLEMENT_DELETE",
            "SUBSCRIPTION_CREATE",
            "SUBSCRIPTION_UPDATE",
            "SUBSCRIPTION_DELETE",
        ];
        let known: Vec<&str> = EventType::KNOWN.iter().map(EventType::name).collect();
        assert_eq!(known, expected);
    }

    #[test]
    fn unknown_names_are_kept_as_text() {
        let event = EventType::from_name("GUILD_JOIN_REQUEST_CREATE");
        assert_eq!(
            event,
            EventType::Unknown("GUILD_JOIN_REQUEST_CREATE".into())
        );
        assert_eq!(event.name(), "GUILD_JOIN_REQUEST_CREATE");
        assert_eq!(event.flag(), EventTypeFlags::UNKNOWN);
        assert!(event.gating_intents().is_empty());
        assert!(!event.is_known());
        // Matching is exact: Discord's names are upper case.
        assert_eq!(
            EventType::from_name("ready"),
            EventType::Unknown("ready".into())
        );
        assert_eq!(EventType::from_name(""), EventType::Unknown("".into()));
    }

    #[test]
    fn serde_is_the_name_string() {
        let json = serde_json::to_string(&EventType::MessageCreate).unwrap();
        assert_eq!(json, "\"MESSAGE_CREATE\"");
        let back: EventType = serde_json::from_str(&json).unwrap();
        assert_eq!(back, EventType::MessageCreate);
        let unknown: EventType = serde_json::from_str("\"SOMETHING_NEW\"").unwrap();
        assert_eq!(unknown, EventType::Unknown("SOMETHING_NEW".into()));
        assert_eq!(
            serde_json::to_string(&unknown).unwrap(),
            "\"SOMETHING_NEW\""
        );
        assert!(serde_json::from_str::<EventType>("7").is_err());
        for event in EventType::KNOWN {
            let json = serde_json::to_string(event).unwrap();
            assert_eq!(&serde_json::from_str::<EventType>(&json).unwrap(), event);
        }
    }

    #[test]
    fn message_create_is_gated_by_guild_or_direct_messages() {
        assert_eq!(
            EventType::MessageCreate.gating_intents(),
            Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES
        );
        assert_eq!(
            EventType::MessageDeleteBulk.gating_intents(),
            Intents::GUILD_MESSAGES
        );
        assert_eq!(
            EventType::ThreadMembersUpdate.gating_intents(),
            Intents::GUILDS | Intents::GUILD_MEMBERS
        );
        assert_eq!(
            EventType::GuildMemberUpdate.gating_intents(),
            Intents::GUILD_MEMBERS
        );
    }

    #[test]
    fn session_replies_and_apps_are_ungated() {
        for event in [
            EventType::Ready,
            EventType::Resumed,
            EventType::RateLimited,
            EventType::GuildMembersChunk,
            EventType::InteractionCreate,
            EventType::SoundboardSounds,
            EventType::ChannelInfo,
            EventType::UserUpdate,
            EventType::VoiceServerUpdate,
            EventType::ApplicationCommandPermissionsUpdate,
            EventType::EntitlementCreate,
            EventType::EntitlementUpdate,
            EventType::EntitlementDelete,
            EventType::SubscriptionCreate,
            EventType::SubscriptionUpdate,
            EventType::SubscriptionDelete,
        ] {
            assert!(event.gating_intents().is_empty(), "{event}");
            assert!(EventTypeFlags::UNGATED.contains(event.flag()), "{event}");
            assert!(EventTypeFlags::for_intents(Intents::empty()).contains(event.flag()));
        }
        assert_eq!(EventTypeFlags::UNGATED.bits().count_ones(), 16);
        assert!(EventTypeFlags::gated_by(Intents::empty()).is_empty());
    }

    /// protocol.md §10, read intent by intent: the exact dispatches each one gates.
    #[test]
    fn each_intent_gates_what_protocol_md_section_10_lists() {
        let table: &[(Intents, &[&str])] = &[
            (
                Intents::GUILDS,
                &[
                    "GUILD_CREATE",
                    "GUILD_UPDATE",
                    "GUILD_DELETE",
                    "GUILD_ROLE_CREATE",
                    "GUILD_ROLE_UPDATE",
                    "GUILD_ROLE_DELETE",
                    "CHANNEL_CREATE",
                    "CHANNEL_UPDATE",
                    "CHANNEL_DELETE",
                    "CHANNEL_PINS_UPDATE",
                    "THREAD_CREATE",
                    "THREAD_UPDATE",
                    "THREAD_DELETE",
                    "THREAD_LIST_SYNC",
                    "THREAD_MEMBER_UPDATE",
                    "THREAD_MEMBERS_UPDATE",
                    "STAGE_INSTANCE_CREATE",
                    "STAGE_INSTANCE_UPDATE",
                    "STAGE_INSTANCE_DELETE",
                    "VOICE_CHANNEL_STATUS_UPDATE",
                    "VOICE_CHANNEL_START_TIME_UPDATE",
                ],
            ),
            (
                Intents::GUILD_MEMBERS,
                &[
                    "GUILD_MEMBER_ADD",
                    "GUILD_MEMBER_UPDATE",
                    "GUILD_MEMBER_REMOVE",
                    "THREAD_MEMBERS_UPDATE",
                ],
            ),
            (
                Intents::GUILD_MODERATION,
                &[
                    "GUILD_AUDIT_LOG_ENTRY_CREATE",
                    "GUILD_BAN_ADD",
                    "GUILD_BAN_REMOVE",
                ],
            ),
            (
                Intents::GUILD_EXPRESSIONS,
                &[
                    "GUILD_EMOJIS_UPDATE",
                    "GUILD_STICKERS_UPDATE",
                    "GUILD_SOUNDBOARD_SOUND_CREATE",
                    "GUILD_SOUNDBOARD_SOUND_UPDATE",
                    "GUILD_SOUNDBOARD_SOUND_DELETE",
                    "GUILD_SOUNDBOARD_SOUNDS_UPDATE",
                ],
            ),
            (
                Intents::GUILD_INTEGRATIONS,
                &[
                    "GUILD_INTEGRATIONS_UPDATE",
                    "INTEGRATION_CREATE",
                    "INTEGRATION_UPDATE",
                    "INTEGRATION_DELETE",
                ],
            ),
            (Intents::GUILD_WEBHOOKS, &["WEBHOOKS_UPDATE"]),
            (Intents::GUILD_INVITES, &["INVITE_CREATE", "INVITE_DELETE"]),
            (
                Intents::GUILD_VOICE_STATES,
                &["VOICE_CHANNEL_EFFECT_SEND", "VOICE_STATE_UPDATE"],
            ),
            (Intents::GUILD_PRESENCES, &["PRESENCE_UPDATE"]),
            (
                Intents::GUILD_MESSAGES,
                &[
                    "MESSAGE_CREATE",
                    "MESSAGE_UPDATE",
                    "MESSAGE_DELETE",
                    "MESSAGE_DELETE_BULK",
                ],
            ),
            (
                Intents::GUILD_MESSAGE_REACTIONS,
                &[
                    "MESSAGE_REACTION_ADD",
                    "MESSAGE_REACTION_REMOVE",
                    "MESSAGE_REACTION_REMOVE_ALL",
                    "MESSAGE_REACTION_REMOVE_EMOJI",
                ],
            ),
            (Intents::GUILD_MESSAGE_TYPING, &["TYPING_START"]),
            (
                Intents::DIRECT_MESSAGES,
                &[
                    "MESSAGE_CREATE",
                    "MESSAGE_UPDATE",
                    "MESSAGE_DELETE",
                    "CHANNEL_PINS_UPDATE",
                ],
            ),
            (
                Intents::DIRECT_MESSAGE_REACTIONS,
                &[
                    "MESSAGE_REACTION_ADD",
                    "MESSAGE_REACTION_REMOVE",
                    "MESSAGE_REACTION_REMOVE_ALL",
                    "MESSAGE_REACTION_REMOVE_EMOJI",
                ],
            ),
            (Intents::DIRECT_MESSAGE_TYPING, &["TYPING_START"]),
            (Intents::MESSAGE_CONTENT, &[]),
            (
                Intents::GUILD_SCHEDULED_EVENTS,
                &[
                    "GUILD_SCHEDULED_EVENT_CREATE",
                    "GUILD_SCHEDULED_EVENT_UPDATE",
                    "GUILD_SCHEDULED_EVENT_DELETE",
                    "GUILD_SCHEDULED_EVENT_USER_ADD",
                    "GUILD_SCHEDULED_EVENT_USER_REMOVE",
                ],
            ),
            (
                Intents::AUTO_MODERATION_CONFIGURATION,
                &[
                    "AUTO_MODERATION_RULE_CREATE",
                    "AUTO_MODERATION_RULE_UPDATE",
                    "AUTO_MODERATION_RULE_DELETE",
                ],
            ),
            (
                Intents::AUTO_MODERATION_EXECUTION,
                &["AUTO_MODERATION_ACTION_EXECUTION"],
            ),
            (
                Intents::GUILD_MESSAGE_POLLS,
                &["MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"],
            ),
            (
                Intents::DIRECT_MESSAGE_POLLS,
                &["MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"],
            ),
        ];
        // The table covers every documented intent exactly once.
        let covered = table
            .iter()
            .fold(Intents::empty(), |all, (intent, _)| all | *intent);
        assert_eq!(covered, Intents::all());
        assert_eq!(table.len(), Intents::all().iter().count());

        for (intent, expected) in table {
            assert_eq!(
                names(EventTypeFlags::gated_by(*intent)),
                sorted(expected),
                "{intent}"
            );
            // The event-side view agrees: each listed event names this intent.
            for name in *expected {
                assert!(EventType::from_name(name)
                    .gating_intents()
                    .contains(*intent));
            }
        }
        // Everything gated is listed under some intent, and nothing else is gated.
        assert_eq!(
            EventTypeFlags::gated_by(Intents::all()) | EventTypeFlags::UNGATED,
            EventTypeFlags::DISPATCH
        );
        assert!(EventTypeFlags::gated_by(Intents::all())
            .intersection(EventTypeFlags::UNGATED)
            .is_empty());
    }

    #[test]
    fn for_intents_adds_ungated_lifecycle_and_own_member_update() {
        let guilds = EventTypeFlags::for_intents(Intents::GUILDS);
        assert!(guilds.contains(EventTypeFlags::LIFECYCLE | EventTypeFlags::UNKNOWN));
        assert!(guilds.contains(EventTypeFlags::UNGATED));
        assert!(guilds.contains(EventTypeFlags::gated_by(Intents::GUILDS)));
        assert!(guilds.contains(EventTypeFlags::READY | EventTypeFlags::GUILD_MEMBERS_CHUNK));
        assert!(guilds.contains(EventTypeFlags::INTERACTION_CREATE));
        // The bot's own member update comes without GUILD_MEMBERS; the others' joins do not.
        assert!(guilds.contains(EventTypeFlags::GUILD_MEMBER_UPDATE));
        assert!(!guilds.contains(EventTypeFlags::GUILD_MEMBER_ADD));
        // Not asked for, not produced.
        assert!(!guilds.intersects(
            EventTypeFlags::MESSAGE_CREATE
                | EventTypeFlags::PRESENCE_UPDATE
                | EventTypeFlags::TYPING_START
        ));
        // DMs alone bring MESSAGE_CREATE but not the guild-only bulk delete.
        let dms = EventTypeFlags::for_intents(Intents::DIRECT_MESSAGES);
        assert!(dms.contains(EventTypeFlags::MESSAGE_CREATE | EventTypeFlags::CHANNEL_PINS_UPDATE));
        assert!(!dms.contains(EventTypeFlags::MESSAGE_DELETE_BULK));
        // Every intent together produces every event there is.
        assert_eq!(
            EventTypeFlags::for_intents(Intents::all()),
            EventTypeFlags::all()
        );
        // MESSAGE_CONTENT adds nothing.
        assert_eq!(
            EventTypeFlags::for_intents(Intents::MESSAGE_CONTENT),
            EventTypeFlags::for_intents(Intents::empty())
        );
    }
}
