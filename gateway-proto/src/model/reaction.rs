//! Reaction, poll vote and typing events (protocol.md §12 "Messages, reactions, polls,
//! typing"). The message object itself is in [`super::message`].

use super::{Emoji, Member};
use crate::id::Id;
use serde::{Deserialize, Serialize};

int_enum! {
    /// A reaction's `type`.
    pub enum ReactionType: u8 {
        /// 0: a normal reaction.
        Normal = 0,
        /// 1: a super reaction.
        Burst = 1,
    }
}

/// MESSAGE_REACTION_ADD (protocol.md §12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionAdd {
    /// Who reacted.
    pub user_id: Id,
    /// The channel.
    pub channel_id: Id,
    /// The message.
    pub message_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Who reacted, as a member (guilds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Box<Member>>,
    /// The emoji (partial: `id`, `name`, `animated?`).
    pub emoji: Emoji,
    /// The message's author (`message_author_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_author_id: Option<Id>,
    /// A super reaction.
    #[serde(default)]
    pub burst: bool,
    /// Super reaction colours, hex (`burst_colors?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub burst_colors: Vec<String>,
    /// Normal or super.
    #[serde(rename = "type", default = "normal")]
    pub kind: ReactionType,
}

fn normal() -> ReactionType {
    ReactionType::Normal
}

/// MESSAGE_REACTION_REMOVE (protocol.md §12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionRemove {
    /// Whose reaction.
    pub user_id: Id,
    /// The channel.
    pub channel_id: Id,
    /// The message.
    pub message_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The emoji.
    pub emoji: Emoji,
    /// A super reaction.
    #[serde(default)]
    pub burst: bool,
    /// Normal or super.
    #[serde(rename = "type", default = "normal")]
    pub kind: ReactionType,
}

/// MESSAGE_REACTION_REMOVE_ALL (protocol.md §12): `{channel_id, message_id, guild_id?}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionRemoveAll {
    /// The channel.
    pub channel_id: Id,
    /// The message.
    pub message_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
}

/// MESSAGE_REACTION_REMOVE_EMOJI (protocol.md §12): `{channel_id, guild_id?, message_id,
/// emoji}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionRemoveEmoji {
    /// The channel.
    pub channel_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The message.
    pub message_id: Id,
    /// The emoji whose reactions were removed.
    pub emoji: Emoji,
}

/// MESSAGE_POLL_VOTE_ADD and MESSAGE_POLL_VOTE_REMOVE (protocol.md §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollVote {
    /// The voter.
    pub user_id: Id,
    /// The channel.
    pub channel_id: Id,
    /// The poll's message.
    pub message_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The answer voted for or withdrawn.
    pub answer_id: u32,
}

/// TYPING_START (protocol.md §12, §13.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingStart {
    /// The channel.
    pub channel_id: Id,
    /// The guild (missing in DMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Who is typing.
    pub user_id: Id,
    /// When typing started, Unix **seconds**.
    pub timestamp: u64,
    /// Who is typing, as a member (guilds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Box<Member>>,
}
