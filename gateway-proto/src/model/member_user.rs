//! Users and guild members (protocol.md §13.3), and the member events of protocol.md §12:
//! GUILD_MEMBER_ADD / _UPDATE / _REMOVE, GUILD_MEMBERS_CHUNK, GUILD_BAN_ADD / _REMOVE and
//! USER_UPDATE.
//!
//! The user and member field lists are each written once, in a macro, because Discord embeds
//! them in other objects with a few extra keys (a mention's `member`, a member event's
//! `guild_id`); repeating the fields keeps deserialization one pass (no `#[serde(flatten)]`,
//! which buffers).

use super::{common, presence::Presence, Timestamp};
use crate::id::Id;
use serde::{Deserialize, Serialize};

int_enum! {
    /// A user's Nitro level (`premium_type`).
    pub enum PremiumType: u8 {
        /// 0: none.
        None = 0,
        /// 1: Nitro Classic.
        NitroClassic = 1,
        /// 2: Nitro.
        Nitro = 2,
        /// 3: Nitro Basic.
        NitroBasic = 3,
    }
}

/// Defines a struct with the user fields of protocol.md §13.3, after any extra fields given.
macro_rules! user_struct {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident { $($extra:tt)* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// The user's id.
            pub id: Id,
            /// The user name (unique on the new username system).
            pub username: String,
            /// The old 4-digit tag; `"0"` on the new username system.
            pub discriminator: String,
            /// The display name (nullable).
            pub global_name: Option<String>,
            /// Avatar hash (nullable).
            pub avatar: Option<String>,
            /// Whether the user is a bot (`bot?`).
            #[serde(default, skip_serializing_if = "common::is_false")]
            pub bot: bool,
            /// Whether the user is an official Discord system user (`system?`).
            #[serde(default, skip_serializing_if = "common::is_false")]
            pub system: bool,
            /// Whether two-factor authentication is on (`mfa_enabled?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub mfa_enabled: Option<bool>,
            /// Banner hash (`banner?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub banner: Option<String>,
            /// Banner colour as an RGB integer (`accent_color?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub accent_color: Option<u32>,
            /// Chosen language (`locale?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub locale: Option<String>,
            /// Whether the email is verified (`verified?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub verified: Option<bool>,
            /// Email (`email?`, nullable; null for bots).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub email: Option<String>,
            /// User flag bits (`flags?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub flags: Option<u64>,
            /// Nitro level (`premium_type?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub premium_type: Option<PremiumType>,
            /// Public user flag bits (`public_flags?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub public_flags: Option<u64>,
            /// Avatar decoration (`avatar_decoration_data?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub avatar_decoration_data: Option<AvatarDecorationData>,
            /// Collectibles (`collectibles?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub collectibles: Option<Collectibles>,
            /// Guild tag (`primary_guild?`, nullable; 2025).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub primary_guild: Option<PrimaryGuild>,
            $($extra)*
        }
    };
}

user_struct! {
    /// A user (protocol.md §13.3): READY's bot user, USER_UPDATE, authors, members' `user`.
    pub struct User {}
}

user_struct! {
    /// A user mentioned in a message, with their partial guild member (protocol.md §12
    /// MESSAGE_CREATE: "users with optional partial `member`").
    pub struct Mention {
        /// The mentioned user's member in the message's guild (`member?`, no `user`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub member: Option<Box<Member>>,
    }
}

/// A user's avatar decoration (protocol.md §13.3 `avatar_decoration_data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarDecorationData {
    /// The decoration's asset hash.
    pub asset: String,
    /// The SKU it came from.
    pub sku_id: Id,
}

/// A user's collectibles (protocol.md §13.3 `collectibles`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collectibles {
    /// The nameplate (`nameplate?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nameplate: Option<Nameplate>,
}

/// A nameplate collectible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nameplate {
    /// The SKU it came from.
    pub sku_id: Id,
    /// Asset path.
    pub asset: String,
    /// Label.
    pub label: String,
    /// Background colour name.
    pub palette: String,
}

/// A user's guild tag (protocol.md §14 2025-07 `primary_guild`); every field nullable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryGuild {
    /// The tag's guild.
    pub identity_guild_id: Option<Id>,
    /// Whether the user shows the tag.
    pub identity_enabled: Option<bool>,
    /// The tag text.
    pub tag: Option<String>,
    /// The badge hash.
    pub badge: Option<String>,
}

/// Defines a struct with the member fields of protocol.md §13.3 (less `user`), after any
/// extra fields given.
macro_rules! member_struct {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident { $($extra:tt)* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            $($extra)*
            /// Guild nickname (`nick?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub nick: Option<String>,
            /// Guild avatar hash (`avatar?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub avatar: Option<String>,
            /// Guild banner hash (`banner?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub banner: Option<String>,
            /// Role ids.
            #[serde(default)]
            pub roles: Vec<Id>,
            /// When the user joined (nullable for guest members).
            pub joined_at: Option<Timestamp>,
            /// When the user started boosting (`premium_since?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub premium_since: Option<Timestamp>,
            /// Server-deafened (false when missing).
            #[serde(default)]
            pub deaf: bool,
            /// Server-muted (false when missing).
            #[serde(default)]
            pub mute: bool,
            /// Member flag bits (default 0).
            #[serde(default)]
            pub flags: u64,
            /// Has not yet passed membership screening (`pending?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub pending: Option<bool>,
            /// Permissions in the channel, in interactions (`permissions?`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub permissions: Option<common::Permissions>,
            /// Timed out until (`communication_disabled_until?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub communication_disabled_until: Option<Timestamp>,
            /// Guild avatar decoration (`avatar_decoration_data?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub avatar_decoration_data: Option<AvatarDecorationData>,
            /// Guild collectibles (`collectibles?`, nullable).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub collectibles: Option<Collectibles>,
        }
    };
}

member_struct! {
    /// A guild member (protocol.md §13.3). Partial (no `user`) inside MESSAGE_CREATE and
    /// mentions.
    pub struct Member {
        /// The user (`user?`: missing in messages' `member`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub user: Option<User>,
    }
}

member_struct! {
    /// GUILD_MEMBER_ADD and GUILD_MEMBER_UPDATE (protocol.md §12): a member with its
    /// `guild_id`. UPDATE's optional fields are missing when unchanged.
    pub struct GuildMember {
        /// The guild.
        pub guild_id: Id,
        /// The user.
        pub user: User,
    }
}

/// GUILD_MEMBER_REMOVE, GUILD_BAN_ADD and GUILD_BAN_REMOVE (protocol.md §12):
/// `{guild_id, user}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildUser {
    /// The guild.
    pub guild_id: Id,
    /// The user who left, was banned or unbanned.
    pub user: User,
}

/// GUILD_MEMBERS_CHUNK: one reply chunk to Request Guild Members, op 8 (protocol.md §11.1,
/// §13.7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuildMembersChunk {
    /// The guild.
    pub guild_id: Id,
    /// Up to 1000 members.
    pub members: Vec<Member>,
    /// This chunk's index, `0..chunk_count`.
    pub chunk_index: u32,
    /// How many chunks answer the request.
    pub chunk_count: u32,
    /// Requested ids not found (`not_found?`; may arrive as integers, protocol.md §9.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_found: Option<Vec<Id>>,
    /// The members' presences, when asked for (`presences?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presences: Option<Vec<Presence>>,
    /// The request's nonce (`nonce?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}
