//! Messages (protocol.md §13.4) with attachments, embeds, polls, references and stickers, and
//! the MESSAGE_CREATE / _UPDATE / _DELETE / _DELETE_BULK events (protocol.md §12).
//!
//! Without MESSAGE_CONTENT, `content`, `embeds`, `attachments` and `components` arrive empty
//! and `poll` is left out (protocol.md §10); the types read both forms the same way.
//! Components are in [`super::component`]; reactions, poll votes and typing in
//! [`super::reaction`].

use super::{
    common, Channel, ChannelType, Component, Emoji, Member, Mention, StickerItem, Timestamp, User,
};
use crate::id::Id;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

int_enum! {
    /// A message's `type` (protocol.md §13.4 lists the common ones).
    pub enum MessageType: u8 {
        /// 0: an ordinary message.
        Default = 0,
        /// 1: recipient added to a group DM.
        RecipientAdd = 1,
        /// 2: recipient removed from a group DM.
        RecipientRemove = 2,
        /// 3: a call.
        Call = 3,
        /// 4: channel name changed.
        ChannelNameChange = 4,
        /// 5: channel icon changed.
        ChannelIconChange = 5,
        /// 6: a message was pinned.
        ChannelPinnedMessage = 6,
        /// 7: a member joined.
        UserJoin = 7,
        /// 8: a boost.
        GuildBoost = 8,
        /// 9: boost level 1 reached.
        GuildBoostTier1 = 9,
        /// 10: boost level 2 reached.
        GuildBoostTier2 = 10,
        /// 11: boost level 3 reached.
        GuildBoostTier3 = 11,
        /// 12: an announcement channel was followed.
        ChannelFollowAdd = 12,
        /// 19: a reply.
        Reply = 19,
        /// 20: a slash command.
        ChatInputCommand = 20,
        /// 21: the first message of a thread.
        ThreadStarterMessage = 21,
        /// 22: a guild invite reminder.
        GuildInviteReminder = 22,
        /// 23: a context menu command.
        ContextMenuCommand = 23,
        /// 24: an auto-moderation action.
        AutoModerationAction = 24,
    }
}

/// A message's `nonce`: Discord echoes what the sender gave, an integer or a string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Nonce {
    /// An integer nonce.
    Integer(i64),
    /// A string nonce.
    String(String),
}

impl Serialize for Nonce {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Integer(value) => serializer.serialize_i64(*value),
            Self::String(value) => serializer.serialize_str(value),
        }
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NonceVisitor;

        impl de::Visitor<'_> for NonceVisitor {
            type Value = Nonce;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Nonce, E> {
                Ok(Nonce::Integer(value))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Nonce, E> {
                i64::try_from(value)
                    .map(Nonce::Integer)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Nonce, E> {
                Ok(Nonce::String(value.to_owned()))
            }
        }

        deserializer.deserialize_any(NonceVisitor)
    }
}

/// MESSAGE_CREATE and MESSAGE_UPDATE (protocol.md §12, §13.4): a message plus the gateway's
/// `guild_id?`, `member?` and `channel_type?`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id.
    pub id: Id,
    /// The channel.
    pub channel_id: Id,
    /// The guild (gateway extra; missing in DMs and ephemeral messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The author (a webhook's name and avatar for webhook messages).
    pub author: User,
    /// The author's partial member, without `user` (gateway extra, guilds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Member>,
    /// Text; empty without MESSAGE_CONTENT.
    #[serde(default)]
    pub content: String,
    /// When it was sent.
    pub timestamp: Timestamp,
    /// When it was last edited (nullable).
    #[serde(default)]
    pub edited_timestamp: Option<Timestamp>,
    /// Text-to-speech (always false in MESSAGE_UPDATE).
    #[serde(default)]
    pub tts: bool,
    /// Mentions @everyone or @here.
    #[serde(default)]
    pub mention_everyone: bool,
    /// Mentioned users, each with an optional partial member.
    #[serde(default)]
    pub mentions: Vec<Mention>,
    /// Mentioned roles.
    #[serde(default)]
    pub mention_roles: Vec<Id>,
    /// Channels mentioned in crossposts (`mention_channels?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_channels: Option<Vec<ChannelMention>>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Embeds.
    #[serde(default)]
    pub embeds: Vec<Embed>,
    /// Reactions (`reactions?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactions: Option<Vec<Reaction>>,
    /// Sender's nonce (`nonce?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<Nonce>,
    /// Pinned.
    #[serde(default)]
    pub pinned: bool,
    /// The webhook that sent it (`webhook_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<Id>,
    /// The message type.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// The application of an interaction or webhook message (`application_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
    /// Message flag bits (`flags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// What it replies to or forwards (`message_reference?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
    /// Forwarded message contents (`message_snapshots?`): kept as JSON values, since each
    /// holds a partial message whose field set Discord keeps extending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_snapshots: Option<Vec<serde_json::Value>>,
    /// The message replied to (`referenced_message?`, nullable: deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_message: Option<Box<Message>>,
    /// The interaction this answers (`interaction_metadata?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_metadata: Option<Box<InteractionMetadata>>,
    /// The thread started from this message (`thread?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Box<Channel>>,
    /// Buttons, selects and layout components (`components?`); see [`Component`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Component>>,
    /// Stickers (`sticker_items?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker_items: Option<Vec<StickerItem>>,
    /// Approximate position in a thread (`position?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// A poll (`poll?`; left out without MESSAGE_CONTENT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Box<Poll>>,
    /// The channel's type (gateway extra, `channel_type?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
}

/// A channel mentioned in a crossposted message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelMention {
    /// The channel.
    pub id: Id,
    /// Its guild.
    pub guild_id: Id,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ChannelType,
    /// Its name.
    pub name: String,
}

/// An attached file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The attachment's id.
    pub id: Id,
    /// File name.
    pub filename: String,
    /// Title (`title?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Alt text (`description?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// MIME type (`content_type?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Source URL.
    pub url: String,
    /// Proxied URL.
    pub proxy_url: String,
    /// Image height (`height?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Image width (`width?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Ephemeral (`ephemeral?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<bool>,
    /// Voice message length, seconds (`duration_secs?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<serde_json::Number>,
    /// Voice message waveform, base64 (`waveform?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waveform: Option<String>,
    /// Attachment flag bits (`flags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
}

/// An embed; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embed {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Kind: `rich`, `image`, `video`, `gifv`, `article`, `link`, `poll_result`, ….
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Link of the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Footer time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// Side colour, RGB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    /// Footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<EmbedFooter>,
    /// Image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<EmbedMedia>,
    /// Thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<EmbedMedia>,
    /// Video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<EmbedMedia>,
    /// Provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<EmbedProvider>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<EmbedAuthor>,
    /// Fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<EmbedField>,
}

/// An embed's footer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedFooter {
    /// Text.
    pub text: String,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Proxied icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_icon_url: Option<String>,
}

/// An embed's image, thumbnail or video.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedMedia {
    /// Source URL (always set for images and thumbnails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Proxied URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// Height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
}

/// An embed's provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedProvider {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An embed's author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedAuthor {
    /// Name.
    pub name: String,
    /// Link of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Proxied icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_icon_url: Option<String>,
}

/// An embed field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedField {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Shown inline.
    #[serde(default, skip_serializing_if = "common::is_false")]
    pub inline: bool,
}

/// A reaction on a message (`reactions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// Total count, normal and super.
    pub count: u32,
    /// Normal and super counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_details: Option<ReactionCountDetails>,
    /// The bot reacted.
    #[serde(default)]
    pub me: bool,
    /// The bot super-reacted.
    #[serde(default)]
    pub me_burst: bool,
    /// The emoji.
    pub emoji: Emoji,
    /// Super reaction colours, hex.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub burst_colors: Vec<String>,
}

/// A reaction's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionCountDetails {
    /// Super reactions.
    pub burst: u32,
    /// Normal reactions.
    pub normal: u32,
}

/// What a message replies to, forwards or crossposts (`message_reference`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReference {
    /// 0 default (reply), 1 forward (`type?`).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<u8>,
    /// The referenced message (`message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Id>,
    /// Its channel (`channel_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    /// Its guild (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Fail if it does not exist (`fail_if_not_exists?`, sending only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_if_not_exists: Option<bool>,
}

/// The interaction a message answers (`interaction_metadata`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionMetadata {
    /// The interaction's id.
    pub id: Id,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: super::InteractionType,
    /// Who triggered it.
    pub user: User,
    /// Installation contexts that authorized it, keyed by integration type.
    #[serde(default)]
    pub authorizing_integration_owners: std::collections::BTreeMap<String, Id>,
    /// The original response, for follow-ups (`original_response_message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_response_message_id: Option<Id>,
    /// User command target (`target_user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<User>,
    /// Message command target (`target_message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_message_id: Option<Id>,
    /// The message holding the component (`interacted_message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interacted_message_id: Option<Id>,
}

/// A poll (protocol.md §14, 2024-04).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    /// The question (text only).
    pub question: PollMedia,
    /// The answers.
    pub answers: Vec<PollAnswer>,
    /// When it closes (nullable: never).
    #[serde(default)]
    pub expiry: Option<Timestamp>,
    /// Several answers may be chosen.
    #[serde(default)]
    pub allow_multiselect: bool,
    /// Layout, 1 default.
    #[serde(default = "default_layout")]
    pub layout_type: u8,
    /// Vote counts (`results?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<PollResults>,
}

fn default_layout() -> u8 {
    1
}

/// A poll question or answer's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollMedia {
    /// Text (`text?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Emoji of an answer (`emoji?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Emoji>,
}

/// A poll answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollAnswer {
    /// The answer's id (1, 2, …).
    pub answer_id: u32,
    /// Its content.
    pub poll_media: PollMedia,
}

/// A poll's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResults {
    /// Counting is final.
    pub is_finalized: bool,
    /// Counts per answer.
    pub answer_counts: Vec<PollAnswerCount>,
}

/// One answer's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollAnswerCount {
    /// The answer.
    pub id: u32,
    /// Votes.
    pub count: u32,
    /// The bot voted for it.
    pub me_voted: bool,
}

/// MESSAGE_DELETE (protocol.md §12): `{id, channel_id, guild_id?}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDelete {
    /// The deleted message.
    pub id: Id,
    /// Its channel.
    pub channel_id: Id,
    /// Its guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
}

/// MESSAGE_DELETE_BULK (protocol.md §12): `{ids, channel_id, guild_id?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDeleteBulk {
    /// The deleted messages.
    pub ids: Vec<Id>,
    /// Their channel.
    pub channel_id: Id,
    /// Their guild.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
}
