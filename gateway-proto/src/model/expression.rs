//! Emojis, stickers and soundboard sounds (GUILD_EXPRESSIONS, protocol.md §10), with their
//! events: GUILD_EMOJIS_UPDATE, GUILD_STICKERS_UPDATE, GUILD_SOUNDBOARD_SOUND_* and
//! SOUNDBOARD_SOUNDS (protocol.md §11.2, §12).

use super::User;
use crate::id::Id;
use serde::{Deserialize, Serialize};

/// An emoji: a guild's custom emoji, or the partial emoji of a reaction, activity or
/// component (`{id, name, animated?}`; a Unicode emoji has a null `id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emoji {
    /// Custom emoji id (nullable: null for Unicode emojis; missing in some partials).
    #[serde(default)]
    pub id: Option<Id>,
    /// Name, or the Unicode character(s) (nullable: null for deleted emojis).
    #[serde(default)]
    pub name: Option<String>,
    /// Roles allowed to use it (`roles?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Id>>,
    /// Who created it (`user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Must be wrapped in colons (`require_colons?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_colons: Option<bool>,
    /// Managed by an integration (`managed?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<bool>,
    /// Animated (`animated?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
    /// Usable now; false when boosts were lost (`available?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
}

int_enum! {
    /// A sticker's kind (`type`).
    pub enum StickerType: u8 {
        /// 1: an official sticker of a pack.
        Standard = 1,
        /// 2: a guild's sticker.
        Guild = 2,
    }
}

int_enum! {
    /// A sticker's file format (`format_type`).
    pub enum StickerFormatType: u8 {
        /// 1: PNG.
        Png = 1,
        /// 2: APNG.
        Apng = 2,
        /// 3: Lottie.
        Lottie = 3,
        /// 4: GIF.
        Gif = 4,
    }
}

/// A sticker (GUILD_STICKERS_UPDATE, GUILD_CREATE `stickers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sticker {
    /// The sticker's id.
    pub id: Id,
    /// Pack of a standard sticker (`pack_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_id: Option<Id>,
    /// Name.
    pub name: String,
    /// Description (nullable).
    #[serde(default)]
    pub description: Option<String>,
    /// Autocomplete tags, comma-separated.
    #[serde(default)]
    pub tags: String,
    /// Standard or guild.
    #[serde(rename = "type")]
    pub kind: StickerType,
    /// File format.
    pub format_type: StickerFormatType,
    /// Usable now (`available?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
    /// The guild of a guild sticker (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Who uploaded it (`user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Order within its pack (`sort_value?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_value: Option<u32>,
}

/// The small sticker form in messages (`sticker_items`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StickerItem {
    /// The sticker's id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// File format.
    pub format_type: StickerFormatType,
}

/// A soundboard sound (protocol.md §11.2); also GUILD_SOUNDBOARD_SOUND_CREATE / _UPDATE.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoundboardSound {
    /// Name.
    pub name: String,
    /// The sound's id.
    pub sound_id: Id,
    /// Volume, 0 to 1.
    pub volume: f64,
    /// Custom emoji (nullable).
    pub emoji_id: Option<Id>,
    /// Unicode emoji (nullable).
    pub emoji_name: Option<String>,
    /// The guild; missing for default sounds (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Usable now (false when boosts were lost).
    #[serde(default = "yes")]
    pub available: bool,
    /// Who uploaded it (`user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

fn yes() -> bool {
    true
}

/// GUILD_EMOJIS_UPDATE (protocol.md §12): the guild's whole emoji list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildEmojisUpdate {
    /// The guild.
    pub guild_id: Id,
    /// Every emoji of the guild.
    pub emojis: Vec<Emoji>,
}

/// GUILD_STICKERS_UPDATE (protocol.md §12): the guild's whole sticker list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildStickersUpdate {
    /// The guild.
    pub guild_id: Id,
    /// Every sticker of the guild.
    pub stickers: Vec<Sticker>,
}

/// GUILD_SOUNDBOARD_SOUND_DELETE (protocol.md §12): `{sound_id, guild_id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoundboardSoundDelete {
    /// The deleted sound.
    pub sound_id: Id,
    /// The guild.
    pub guild_id: Id,
}

/// GUILD_SOUNDBOARD_SOUNDS_UPDATE and SOUNDBOARD_SOUNDS, the reply to op 31
/// (protocol.md §11.2, §12): `{guild_id, soundboard_sounds}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoundboardSounds {
    /// The guild.
    pub guild_id: Id,
    /// Its sounds.
    pub soundboard_sounds: Vec<SoundboardSound>,
}
