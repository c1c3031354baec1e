//! Interactions and command permissions (protocol.md §12 "Apps"): INTERACTION_CREATE and
//! APPLICATION_COMMAND_PERMISSIONS_UPDATE.
//!
//! An interaction's `data` depends on its type and on the command's options tree (nested
//! subcommands, resolved users, roles, channels and attachments, modal components), so it is
//! kept as a [`serde_json::Value`]; everything around it is typed. Replies go over HTTP,
//! never over the gateway (protocol.md §12).

use super::{common, Channel, Entitlement, Member, Message, User};
use crate::id::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

int_enum! {
    /// An interaction's `type`.
    pub enum InteractionType: u8 {
        /// 1: a ping (HTTP endpoints only).
        Ping = 1,
        /// 2: a slash, user or message command.
        ApplicationCommand = 2,
        /// 3: a button or select.
        MessageComponent = 3,
        /// 4: an autocomplete request.
        ApplicationCommandAutocomplete = 4,
        /// 5: a modal submit.
        ModalSubmit = 5,
    }
}

/// INTERACTION_CREATE (protocol.md §12): sent only when the app has no Interactions Endpoint
/// URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// The interaction's id.
    pub id: Id,
    /// The application.
    pub application_id: Id,
    /// The interaction type.
    #[serde(rename = "type")]
    pub kind: InteractionType,
    /// The command, component or modal data (`data?`), as JSON; see the module docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// The guild, partially (`guild?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild: Option<InteractionGuild>,
    /// The guild's id (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The channel, partially (`channel?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Box<Channel>>,
    /// The channel's id (`channel_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    /// The invoking member, in guilds (`member?`, with `permissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Box<Member>>,
    /// The invoking user, in DMs (`user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Box<User>>,
    /// Token for the HTTP reply (valid 15 minutes).
    pub token: String,
    /// Always 1.
    pub version: u8,
    /// The message of a component interaction (`message?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Box<Message>>,
    /// The app's permissions in the channel.
    #[serde(default)]
    pub app_permissions: common::Permissions,
    /// The user's language (`locale?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The guild's language (`guild_locale?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_locale: Option<String>,
    /// The user's and guild's entitlements for the app.
    #[serde(default)]
    pub entitlements: Vec<Entitlement>,
    /// Installation contexts that authorized it, keyed by integration type (`"0"` guild,
    /// `"1"` user).
    #[serde(default)]
    pub authorizing_integration_owners: BTreeMap<String, Id>,
    /// Where it was triggered: 0 guild, 1 bot DM, 2 private channel (`context?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u8>,
    /// Maximum attachment size in a reply, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_size_limit: Option<u64>,
}

/// The partial guild of an interaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionGuild {
    /// The guild's id.
    pub id: Id,
    /// Its preferred locale (`locale?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Its feature names.
    #[serde(default)]
    pub features: Vec<String>,
}

int_enum! {
    /// What a command permission applies to.
    pub enum CommandPermissionType: u8 {
        /// 1: a role (the guild id means @everyone).
        Role = 1,
        /// 2: a user.
        User = 2,
        /// 3: a channel (guild id − 1 means all channels).
        Channel = 3,
    }
}

/// APPLICATION_COMMAND_PERMISSIONS_UPDATE (protocol.md §12): a command's permissions in a
/// guild.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandPermissions {
    /// The command, or the application id for app-wide permissions.
    pub id: Id,
    /// The application.
    pub application_id: Id,
    /// The guild.
    pub guild_id: Id,
    /// The permissions (up to 100).
    pub permissions: Vec<CommandPermission>,
}

/// One role, user or channel permission of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandPermission {
    /// The role, user or channel.
    pub id: Id,
    /// Which of the three.
    #[serde(rename = "type")]
    pub kind: CommandPermissionType,
    /// Allowed (`true`) or denied.
    pub permission: bool,
}
