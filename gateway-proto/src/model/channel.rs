//! Channels, threads and stage instances (protocol.md §13.3 channel types), with the
//! channel and thread events of protocol.md §12 and the voice channel status / start time
//! events and CHANNEL_INFO of protocol.md §11.5.

use super::{common, Member, Presence, Timestamp, User};
use crate::id::Id;
use serde::{Deserialize, Serialize};

int_enum! {
    /// A channel's `type` (protocol.md §13.3).
    pub enum ChannelType: u8 {
        /// 0: a guild text channel.
        GuildText = 0,
        /// 1: a direct message.
        Dm = 1,
        /// 2: a guild voice channel.
        GuildVoice = 2,
        /// 3: a group DM.
        GroupDm = 3,
        /// 4: a category.
        GuildCategory = 4,
        /// 5: an announcement channel.
        GuildAnnouncement = 5,
        /// 10: a thread in an announcement channel.
        AnnouncementThread = 10,
        /// 11: a public thread.
        PublicThread = 11,
        /// 12: a private thread.
        PrivateThread = 12,
        /// 13: a stage channel.
        GuildStageVoice = 13,
        /// 14: a hub directory.
        GuildDirectory = 14,
        /// 15: a forum.
        GuildForum = 15,
        /// 16: a media channel.
        GuildMedia = 16,
    }
}

impl ChannelType {
    /// Whether this is one of the three thread types (10, 11, 12).
    pub const fn is_thread(self) -> bool {
        matches!(
            self,
            Self::AnnouncementThread | Self::PublicThread | Self::PrivateThread
        )
    }
}

int_enum! {
    /// What a permission overwrite applies to.
    pub enum OverwriteType: u8 {
        /// 0: a role.
        Role = 0,
        /// 1: a member.
        Member = 1,
    }
}

/// A channel or thread: CHANNEL_CREATE / _UPDATE / _DELETE, THREAD_CREATE / _UPDATE, and
/// the channels and threads of GUILD_CREATE (protocol.md §12, §13.3).
///
/// Only `id` and `type` are always present; which other fields appear depends on the type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// The channel's id.
    pub id: Id,
    /// The channel type.
    #[serde(rename = "type")]
    pub kind: ChannelType,
    /// The guild (`guild_id?`; missing inside GUILD_CREATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Sort position (`position?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    /// Permission overwrites (`permission_overwrites?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_overwrites: Option<Vec<PermissionOverwrite>>,
    /// Name (`name?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Topic (`topic?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Age-restricted (`nsfw?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsfw: Option<bool>,
    /// Last message sent (`last_message_id?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_id: Option<Id>,
    /// Voice bitrate, bits/s (`bitrate?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitrate: Option<u32>,
    /// Voice user limit, 0 for none (`user_limit?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_limit: Option<u32>,
    /// Slow mode, seconds (`rate_limit_per_user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_user: Option<u32>,
    /// DM recipients (`recipients?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<User>>,
    /// Group DM icon hash (`icon?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Group DM or thread creator (`owner_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Id>,
    /// Creating application of a group DM (`application_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
    /// Group DM managed by an application (`managed?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<bool>,
    /// Category, or a thread's parent channel (`parent_id?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Id>,
    /// When the last message was pinned (`last_pin_timestamp?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pin_timestamp: Option<Timestamp>,
    /// Voice region, null for automatic (`rtc_region?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtc_region: Option<String>,
    /// Camera quality mode, 1 auto or 2 full (`video_quality_mode?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_quality_mode: Option<u8>,
    /// Messages in a thread, less deleted ones (`message_count?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_count: Option<u32>,
    /// Approximate members of a thread, capped at 50 (`member_count?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u32>,
    /// Thread state (`thread_metadata?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_metadata: Option<ThreadMetadata>,
    /// The bot's own thread member (`member?`; THREAD_CREATE when added to a private thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<ThreadMember>,
    /// Default thread archive minutes (`default_auto_archive_duration?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_auto_archive_duration: Option<u32>,
    /// The bot's permissions, in interactions (`permissions?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<common::Permissions>,
    /// Channel flag bits (`flags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// Messages ever sent in a thread (`total_message_sent?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_message_sent: Option<u32>,
    /// Forum or media tags (`available_tags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_tags: Option<Vec<ForumTag>>,
    /// Tags applied to a forum thread (`applied_tags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_tags: Option<Vec<Id>>,
    /// Default reaction of forum posts (`default_reaction_emoji?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_reaction_emoji: Option<DefaultReaction>,
    /// Default slow mode of new threads (`default_thread_rate_limit_per_user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_thread_rate_limit_per_user: Option<u32>,
    /// Forum sort order (`default_sort_order?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_sort_order: Option<u8>,
    /// Forum layout (`default_forum_layout?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_forum_layout: Option<u8>,
    /// THREAD_CREATE only: the thread was just created (`newly_created?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newly_created: Option<bool>,
}

/// A channel permission overwrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionOverwrite {
    /// Role or user id.
    pub id: Id,
    /// Role or member.
    #[serde(rename = "type")]
    pub kind: OverwriteType,
    /// Allowed bits.
    pub allow: common::Permissions,
    /// Denied bits.
    pub deny: common::Permissions,
}

/// A forum tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumTag {
    /// The tag's id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Only moderators may apply it.
    #[serde(default)]
    pub moderated: bool,
    /// Custom emoji (nullable).
    #[serde(default)]
    pub emoji_id: Option<Id>,
    /// Unicode emoji (nullable).
    #[serde(default)]
    pub emoji_name: Option<String>,
}

/// A forum's default reaction: one of the two is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultReaction {
    /// Custom emoji (nullable).
    #[serde(default)]
    pub emoji_id: Option<Id>,
    /// Unicode emoji (nullable).
    #[serde(default)]
    pub emoji_name: Option<String>,
}

/// A thread's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMetadata {
    /// Archived.
    pub archived: bool,
    /// Minutes of inactivity before archiving (60, 1440, 4320, 10080).
    pub auto_archive_duration: u32,
    /// When the archive state last changed.
    pub archive_timestamp: Timestamp,
    /// Only moderators may unarchive.
    #[serde(default)]
    pub locked: bool,
    /// Non-moderators may add others to a private thread (`invitable?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitable: Option<bool>,
    /// When it was created; only for threads after 2022-01-09 (`create_timestamp?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_timestamp: Option<Timestamp>,
}

/// A thread member: THREAD_MEMBER_UPDATE (plus `guild_id`), THREAD_MEMBERS_UPDATE's
/// `added_members` (plus `member` and `presence`), a thread's own `member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMember {
    /// The thread (`id?`: missing inside GUILD_CREATE's threads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The user (`user_id?`: likewise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Id>,
    /// When the user last joined.
    pub join_timestamp: Timestamp,
    /// Notification setting bits.
    #[serde(default)]
    pub flags: u64,
    /// The guild member (`member?`, THREAD_MEMBERS_UPDATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Box<Member>>,
    /// Their presence (`presence?`, nullable, THREAD_MEMBERS_UPDATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<Box<Presence>>,
    /// The guild (THREAD_MEMBER_UPDATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
}

/// CHANNEL_PINS_UPDATE (protocol.md §12): `{guild_id?, channel_id, last_pin_timestamp?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPinsUpdate {
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The channel.
    pub channel_id: Id,
    /// When the latest pin was made (`?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pin_timestamp: Option<Timestamp>,
}

/// CHANNEL_INFO, the reply to Request Channel Info, op 43 (protocol.md §11.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// The guild.
    pub guild_id: Id,
    /// One entry per voice channel.
    pub channels: Vec<ChannelInfoEntry>,
}

/// One channel of CHANNEL_INFO: `{id, status?: ?string, voice_start_time?: ?integer}`.
///
/// Missing (not asked for) is `None`; null (no status, no voice activity) is `Some(None)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInfoEntry {
    /// The channel.
    pub id: Id,
    /// The voice channel status text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "common::present"
    )]
    pub status: Option<Option<String>>,
    /// When voice activity started, Unix seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "common::present"
    )]
    pub voice_start_time: Option<Option<u64>>,
}

/// THREAD_DELETE (protocol.md §12): `{id, guild_id, parent_id, type}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadDelete {
    /// The thread.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Its parent channel.
    pub parent_id: Option<Id>,
    /// The thread type.
    #[serde(rename = "type")]
    pub kind: ChannelType,
}

/// THREAD_LIST_SYNC (protocol.md §12): the active threads of channels the bot gained access
/// to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadListSync {
    /// The guild.
    pub guild_id: Id,
    /// The parent channels synced; missing means the whole guild (`channel_ids?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_ids: Option<Vec<Id>>,
    /// Active threads.
    pub threads: Vec<Channel>,
    /// The bot's thread members for those threads.
    pub members: Vec<ThreadMember>,
}

/// THREAD_MEMBERS_UPDATE (protocol.md §12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMembersUpdate {
    /// The thread.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Approximate member count, capped at 50.
    pub member_count: u32,
    /// Who was added (`added_members?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_members: Vec<ThreadMember>,
    /// Who was removed (`removed_member_ids?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_member_ids: Vec<Id>,
}

/// A stage instance: STAGE_INSTANCE_CREATE / _UPDATE / _DELETE (protocol.md §12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageInstance {
    /// The instance's id.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// The stage channel.
    pub channel_id: Id,
    /// Topic.
    pub topic: String,
    /// Privacy level (2 guild-only; 1 public is deprecated).
    pub privacy_level: u8,
    /// Stage discovery disabled (deprecated).
    #[serde(default)]
    pub discoverable_disabled: bool,
    /// The scheduled event that started it (nullable).
    #[serde(default)]
    pub guild_scheduled_event_id: Option<Id>,
}

/// VOICE_CHANNEL_STATUS_UPDATE (protocol.md §11.5): `{id, guild_id, status}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceChannelStatusUpdate {
    /// The voice channel.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// The new status text (nullable: cleared).
    pub status: Option<String>,
}

/// VOICE_CHANNEL_START_TIME_UPDATE (protocol.md §11.5): `{id, guild_id, voice_start_time?}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceChannelStartTimeUpdate {
    /// The voice channel.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// When voice activity started, Unix seconds; missing or null when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_start_time: Option<u64>,
}
