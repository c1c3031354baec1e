//! Guilds and roles (protocol.md §13.3): GUILD_CREATE with its extras, GUILD_UPDATE,
//! GUILD_DELETE and the role events (protocol.md §12).
//!
//! GUILD_CREATE may carry a full guild or an Unavailable Guild `{id, unavailable:true}`
//! (protocol.md §12). Both are read in one pass into [`Guild`], whose fields other than `id`
//! default when missing; [`GuildCreate`] then tells them apart by `unavailable`.

use super::{
    common, Channel, Emoji, Member, Presence, ScheduledEvent, SoundboardSound, StageInstance,
    Sticker, Timestamp, VoiceState,
};
use crate::id::Id;
use serde::{Deserialize, Deserializer, Serialize};

int_enum! {
    /// Who may talk in a guild (`verification_level`).
    pub enum VerificationLevel: u8 {
        /// 0: unrestricted.
        None = 0,
        /// 1: verified email.
        Low = 1,
        /// 2: registered for over 5 minutes.
        Medium = 2,
        /// 3: member for over 10 minutes.
        High = 3,
        /// 4: verified phone.
        VeryHigh = 4,
    }
}

int_enum! {
    /// Default notification setting (`default_message_notifications`).
    pub enum DefaultMessageNotifications: u8 {
        /// 0: every message.
        AllMessages = 0,
        /// 1: mentions only.
        OnlyMentions = 1,
    }
}

int_enum! {
    /// Media scanning (`explicit_content_filter`).
    pub enum ExplicitContentFilter: u8 {
        /// 0: off.
        Disabled = 0,
        /// 1: members without roles.
        MembersWithoutRoles = 1,
        /// 2: everyone.
        AllMembers = 2,
    }
}

int_enum! {
    /// Two-factor requirement for moderation (`mfa_level`).
    pub enum MfaLevel: u8 {
        /// 0: not required.
        None = 0,
        /// 1: required.
        Elevated = 1,
    }
}

int_enum! {
    /// Age rating (`nsfw_level`).
    pub enum NsfwLevel: u8 {
        /// 0: not rated.
        Default = 0,
        /// 1: explicit.
        Explicit = 1,
        /// 2: safe.
        Safe = 2,
        /// 3: age-restricted.
        AgeRestricted = 3,
    }
}

int_enum! {
    /// Boost level (`premium_tier`).
    pub enum PremiumTier: u8 {
        /// 0: no perks.
        None = 0,
        /// 1: level 1.
        Tier1 = 1,
        /// 2: level 2.
        Tier2 = 2,
        /// 3: level 3.
        Tier3 = 3,
    }
}

macro_rules! default_from_zero {
    ($($name:ident),*) => {$(
        /// The variant of code 0, used when the field is missing.
        impl Default for $name {
            fn default() -> Self {
                Self::from_code(0)
            }
        }
    )*};
}

default_from_zero!(
    VerificationLevel,
    DefaultMessageNotifications,
    ExplicitContentFilter,
    MfaLevel,
    NsfwLevel,
    PremiumTier
);

/// A guild (protocol.md §13.3) with the GUILD_CREATE extras; GUILD_UPDATE carries the same
/// object without the extras (their vectors are then empty).
///
/// Fields other than `id` default when missing (so one struct reads an unavailable guild).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Guild {
    /// The guild's id.
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Icon hash (nullable).
    #[serde(default)]
    pub icon: Option<String>,
    /// Splash hash (nullable).
    #[serde(default)]
    pub splash: Option<String>,
    /// Discovery splash hash (nullable).
    #[serde(default)]
    pub discovery_splash: Option<String>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Id>,
    /// AFK voice channel (nullable).
    #[serde(default)]
    pub afk_channel_id: Option<Id>,
    /// AFK timeout, seconds.
    #[serde(default)]
    pub afk_timeout: u32,
    /// Server widget on (`widget_enabled?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_enabled: Option<bool>,
    /// Widget invite channel (`widget_channel_id?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_channel_id: Option<Id>,
    /// Verification level.
    #[serde(default)]
    pub verification_level: VerificationLevel,
    /// Default notifications.
    #[serde(default)]
    pub default_message_notifications: DefaultMessageNotifications,
    /// Explicit content filter.
    #[serde(default)]
    pub explicit_content_filter: ExplicitContentFilter,
    /// Roles.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Custom emojis.
    #[serde(default)]
    pub emojis: Vec<Emoji>,
    /// Feature names (`COMMUNITY`, …), kept as strings: the list grows often.
    #[serde(default)]
    pub features: Vec<String>,
    /// Two-factor requirement.
    #[serde(default)]
    pub mfa_level: MfaLevel,
    /// Creating application, for bot-created guilds (nullable).
    #[serde(default)]
    pub application_id: Option<Id>,
    /// System messages channel (nullable).
    #[serde(default)]
    pub system_channel_id: Option<Id>,
    /// System channel flag bits.
    #[serde(default)]
    pub system_channel_flags: u64,
    /// Rules channel (nullable).
    #[serde(default)]
    pub rules_channel_id: Option<Id>,
    /// Maximum presences (`max_presences?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_presences: Option<u64>,
    /// Maximum members (`max_members?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_members: Option<u64>,
    /// Vanity invite code (nullable).
    #[serde(default)]
    pub vanity_url_code: Option<String>,
    /// Description (nullable).
    #[serde(default)]
    pub description: Option<String>,
    /// Banner hash (nullable).
    #[serde(default)]
    pub banner: Option<String>,
    /// Boost level.
    #[serde(default)]
    pub premium_tier: PremiumTier,
    /// Boost count (`premium_subscription_count?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_subscription_count: Option<u32>,
    /// Preferred locale of a community guild.
    #[serde(default)]
    pub preferred_locale: String,
    /// Moderator notices channel (nullable).
    #[serde(default)]
    pub public_updates_channel_id: Option<Id>,
    /// Video channel user limit (`max_video_channel_users?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_video_channel_users: Option<u32>,
    /// Stage video user limit (`max_stage_video_channel_users?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stage_video_channel_users: Option<u32>,
    /// Age rating.
    #[serde(default)]
    pub nsfw_level: NsfwLevel,
    /// Custom stickers.
    #[serde(default)]
    pub stickers: Vec<Sticker>,
    /// Boost progress bar shown.
    #[serde(default)]
    pub premium_progress_bar_enabled: bool,
    /// Safety alerts channel (nullable).
    #[serde(default)]
    pub safety_alerts_channel_id: Option<Id>,
    /// Raid and spam incident state (nullable).
    #[serde(default)]
    pub incidents_data: Option<IncidentsData>,

    // GUILD_CREATE extras (protocol.md §13.3).
    /// When the bot joined (GUILD_CREATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<Timestamp>,
    /// Over `large_threshold` members (GUILD_CREATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<bool>,
    /// Unavailable because of an outage (`unavailable?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<bool>,
    /// Total members (GUILD_CREATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u64>,
    /// Voice states, without `guild_id` (GUILD_CREATE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voice_states: Vec<VoiceState>,
    /// Members: all, or only the bot and those in voice (protocol.md §10 caveats).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Channels (may lack `guild_id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Active threads the bot can see.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<Channel>,
    /// Partial presences (only non-offline members in large guilds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presences: Vec<Presence>,
    /// Stage instances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_instances: Vec<StageInstance>,
    /// Scheduled events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guild_scheduled_events: Vec<ScheduledEvent>,
    /// Soundboard sounds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub soundboard_sounds: Vec<SoundboardSound>,
}

/// A guild's incident state; all nullable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentsData {
    /// Invites paused until.
    #[serde(default)]
    pub invites_disabled_until: Option<Timestamp>,
    /// DMs paused until.
    #[serde(default)]
    pub dms_disabled_until: Option<Timestamp>,
    /// DM spam detected at (`dm_spam_detected_at?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dm_spam_detected_at: Option<Timestamp>,
    /// Raid detected at (`raid_detected_at?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raid_detected_at: Option<Timestamp>,
}

/// An Unavailable Guild `{id, unavailable?}` (protocol.md §4.2, §12): READY's guilds,
/// GUILD_DELETE, and GUILD_CREATE during an outage.
///
/// In GUILD_DELETE a missing `unavailable` (`None`) means the bot was removed from the guild;
/// `Some(true)` means an outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableGuild {
    /// The guild.
    pub id: Id,
    /// `true` during an outage; missing when the bot was removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<bool>,
}

impl UnavailableGuild {
    /// GUILD_DELETE without `unavailable`: the bot left or was removed (protocol.md §4.2).
    pub fn is_removal(&self) -> bool {
        self.unavailable != Some(true)
    }
}

/// GUILD_CREATE (protocol.md §12, §13.3): a full guild, or an unavailable one.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum GuildCreate {
    /// The guild with its members, channels, … (lazy load after READY, back from an outage,
    /// or joined).
    Available(Box<Guild>),
    /// `{id, unavailable:true}`: still in an outage.
    Unavailable(UnavailableGuild),
}

impl GuildCreate {
    /// The guild's id.
    pub fn id(&self) -> Id {
        match self {
            Self::Available(guild) => guild.id,
            Self::Unavailable(guild) => guild.id,
        }
    }
}

/// Read as a [`Guild`] in one pass; `unavailable: true` makes it [`GuildCreate::Unavailable`].
impl<'de> Deserialize<'de> for GuildCreate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let guild = Guild::deserialize(deserializer)?;
        Ok(if guild.unavailable == Some(true) {
            Self::Unavailable(UnavailableGuild {
                id: guild.id,
                unavailable: Some(true),
            })
        } else {
            Self::Available(Box::new(guild))
        })
    }
}

/// A role (protocol.md §13.3), with the 2025 `colors` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// The role's id (the @everyone role's equals the guild's).
    pub id: Id,
    /// Name.
    pub name: String,
    /// RGB colour; deprecated for `colors` (2025-07).
    #[serde(default)]
    pub color: u32,
    /// Primary, secondary and tertiary colours (gradients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colors: Option<RoleColors>,
    /// Shown separately in the member list.
    #[serde(default)]
    pub hoist: bool,
    /// Icon hash (`icon?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Unicode emoji icon (`unicode_emoji?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode_emoji: Option<String>,
    /// Position in the role list.
    #[serde(default)]
    pub position: i32,
    /// Permission bits.
    pub permissions: common::Permissions,
    /// Managed by an integration.
    #[serde(default)]
    pub managed: bool,
    /// Mentionable.
    #[serde(default)]
    pub mentionable: bool,
    /// Bot, integration or boost role markers (`tags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<RoleTags>,
    /// Role flag bits.
    #[serde(default)]
    pub flags: u64,
}

/// A role's colours (2025-07): `secondary_color` and `tertiary_color` are nullable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleColors {
    /// Primary RGB colour.
    pub primary_color: u32,
    /// Second gradient stop (nullable).
    #[serde(default)]
    pub secondary_color: Option<u32>,
    /// Third stop, holographic roles only (nullable).
    #[serde(default)]
    pub tertiary_color: Option<u32>,
}

/// What a managed role belongs to. Discord writes the three markers as `"key": null` when
/// true and leaves them out when false; they are `bool` here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTags {
    /// The bot the role belongs to (`bot_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id: Option<Id>,
    /// The integration it belongs to (`integration_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Id>,
    /// The booster role (`premium_subscriber?: null`).
    #[serde(
        default,
        deserialize_with = "null_marker",
        serialize_with = "write_null_marker",
        skip_serializing_if = "common::is_false"
    )]
    pub premium_subscriber: bool,
    /// Subscription listing (`subscription_listing_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_listing_id: Option<Id>,
    /// Purchasable (`available_for_purchase?: null`).
    #[serde(
        default,
        deserialize_with = "null_marker",
        serialize_with = "write_null_marker",
        skip_serializing_if = "common::is_false"
    )]
    pub available_for_purchase: bool,
    /// A linked role (`guild_connections?: null`).
    #[serde(
        default,
        deserialize_with = "null_marker",
        serialize_with = "write_null_marker",
        skip_serializing_if = "common::is_false"
    )]
    pub guild_connections: bool,
}

/// A key that is present means true, whatever its value.
fn null_marker<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

fn write_null_marker<S: serde::Serializer>(_: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_none()
}

/// GUILD_ROLE_CREATE and GUILD_ROLE_UPDATE (protocol.md §12): `{guild_id, role}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildRole {
    /// The guild.
    pub guild_id: Id,
    /// The role as it is now.
    pub role: Role,
}

/// GUILD_ROLE_DELETE (protocol.md §12): `{guild_id, role_id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildRoleDelete {
    /// The guild.
    pub guild_id: Id,
    /// The deleted role.
    pub role_id: Id,
}

/// GUILD_INTEGRATIONS_UPDATE (protocol.md §12): `{guild_id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildIntegrationsUpdate {
    /// The guild whose integrations changed.
    pub guild_id: Id,
}
