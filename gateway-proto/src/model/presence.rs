//! Received presences (protocol.md §12 PRESENCE_UPDATE, §13.5) with their activities
//! (protocol.md §11.4) and per-platform client status, including `vr` (protocol.md §14,
//! 2026-08-03).
//!
//! protocol.md §13.5 warns that any presence field may be missing and only `user.id` is
//! guaranteed, so everything here except that id is optional or defaults when missing.
//! The outbound presence (op 3) lives in [`crate::command`]; [`ActivityType`] is shared.

use super::Emoji;
pub use crate::command::ActivityType;
use crate::id::Id;
use serde::{Deserialize, Serialize};

str_enum! {
    /// A received presence status (protocol.md §13.5, §11.4).
    pub enum Status {
        /// `dnd`: do not disturb.
        DoNotDisturb = "dnd",
        /// `idle`.
        Idle = "idle",
        /// `invisible` (only ever seen for the bot itself; others show as offline).
        Invisible = "invisible",
        /// `offline`.
        Offline = "offline",
        /// `online`.
        Online = "online",
    }
}

/// PRESENCE_UPDATE (protocol.md §12, §13.5), also the partial presences of GUILD_CREATE and
/// GUILD_MEMBERS_CHUNK (which carry no `guild_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The user: only `id` is guaranteed.
    pub user: PresenceUser,
    /// The guild (missing inside GUILD_CREATE and chunks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The status (missing only in malformed presences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The user's activities, first the primary one.
    #[serde(default)]
    pub activities: Vec<Activity>,
    /// Status per platform; an offline platform is left out.
    #[serde(default)]
    pub client_status: ClientStatus,
}

/// The user of a presence: an id, and whichever user fields changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceUser {
    /// The user's id (always present).
    pub id: Id,
    /// User name, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Discriminator, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<String>,
    /// Display name, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_name: Option<String>,
    /// Avatar hash, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Whether the user is a bot, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
}

/// A presence's status per platform (protocol.md §12): `desktop?`, `mobile?`, `web?`, `vr?`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStatus {
    /// Desktop app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop: Option<Status>,
    /// Mobile app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<Status>,
    /// Browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<Status>,
    /// VR headset (added 2026-08-03).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vr: Option<Status>,
}

int_enum! {
    /// Which field a status line shows (`status_display_type`, protocol.md §11.4, 2025).
    pub enum StatusDisplayType: u8 {
        /// 0: the activity's name.
        Name = 0,
        /// 1: its `state`.
        State = 1,
        /// 2: its `details`.
        Details = 2,
    }
}

/// A received activity (protocol.md §11.4 "Received activities also carry …").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The activity's name.
    #[serde(default)]
    pub name: String,
    /// Playing, Streaming, … (Playing when missing).
    #[serde(rename = "type", default = "playing")]
    pub kind: ActivityType,
    /// Stream link (`url?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was added to the session, Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Start and end, Unix ms (`timestamps?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<ActivityTimestamps>,
    /// The game's application (`application_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
    /// Which field the status line shows (`status_display_type?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_display_type: Option<StatusDisplayType>,
    /// What the user is doing (`details?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Link for `details` (`details_url?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_url: Option<String>,
    /// Party status, or a custom status's text (`state?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Link for `state` (`state_url?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_url: Option<String>,
    /// A custom status's emoji (`emoji?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Emoji>,
    /// The party (`party?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<ActivityParty>,
    /// Images and hover texts (`assets?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assets: Option<ActivityAssets>,
    /// Join and spectate secrets (`secrets?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<ActivitySecrets>,
    /// Whether this is an instanced game session (`instance?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<bool>,
    /// Activity flag bits 0–8 (INSTANCE … EMBEDDED) (`flags?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// Button labels: over the gateway, an array of strings (`buttons?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<String>,
}

fn playing() -> ActivityType {
    ActivityType::Playing
}

/// An activity's start and end, Unix milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTimestamps {
    /// Start (`start?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// End (`end?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u64>,
}

/// An activity's party.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityParty {
    /// Party id (`id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `[current, max]` size (`size?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<[u32; 2]>,
}

/// An activity's images and hover texts (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityAssets {
    /// Large image key or URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_image: Option<String>,
    /// Large image hover text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_text: Option<String>,
    /// Link opened from the large image (2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_url: Option<String>,
    /// Small image key or URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_image: Option<String>,
    /// Small image hover text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_text: Option<String>,
    /// Link opened from the small image (2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_url: Option<String>,
    /// Invite cover image (2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_cover_image: Option<String>,
}

/// An activity's secrets (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySecrets {
    /// Secret for joining a party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// Secret for spectating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spectate: Option<String>,
    /// Secret for an instanced match.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "match")]
    pub match_secret: Option<String>,
}
