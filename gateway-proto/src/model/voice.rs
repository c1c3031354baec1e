//! Voice: VOICE_STATE_UPDATE, VOICE_SERVER_UPDATE (protocol.md §11.3) and
//! VOICE_CHANNEL_EFFECT_SEND (protocol.md §12). The voice channel status and start time
//! events belong to channels ([`super::channel`]).

use super::{Emoji, Member, Timestamp};
use crate::id::Id;
use serde::{de, Deserialize, Deserializer, Serialize};
use std::fmt;

/// A voice state: VOICE_STATE_UPDATE, and GUILD_CREATE's `voice_states` (without
/// `guild_id`) (protocol.md §11.3, §13.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceState {
    /// The guild (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The channel; null when the user left voice.
    pub channel_id: Option<Id>,
    /// The user.
    pub user_id: Id,
    /// The user as a member (`member?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Box<Member>>,
    /// The voice session (for the bot's own state, needed to connect to voice).
    pub session_id: String,
    /// Server-deafened.
    #[serde(default)]
    pub deaf: bool,
    /// Server-muted.
    #[serde(default)]
    pub mute: bool,
    /// Self-deafened.
    #[serde(default)]
    pub self_deaf: bool,
    /// Self-muted.
    #[serde(default)]
    pub self_mute: bool,
    /// Streaming with Go Live (`self_stream?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_stream: Option<bool>,
    /// Camera on.
    #[serde(default)]
    pub self_video: bool,
    /// Muted by the bot's permissions (stage audience).
    #[serde(default)]
    pub suppress: bool,
    /// When the user asked to speak on a stage (nullable).
    #[serde(default)]
    pub request_to_speak_timestamp: Option<Timestamp>,
}

/// VOICE_SERVER_UPDATE (protocol.md §11.3, §13.8): `{token, guild_id, endpoint}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceServerUpdate {
    /// Voice connection token.
    pub token: String,
    /// The guild.
    pub guild_id: Id,
    /// Voice server host (nullable: the server is being reallocated; wait for the next one).
    pub endpoint: Option<String>,
}

int_enum! {
    /// The animation of a voice channel effect.
    pub enum AnimationType: u8 {
        /// 0: a fancy animation (Nitro).
        Premium = 0,
        /// 1: the standard animation.
        Basic = 1,
    }
}

/// VOICE_CHANNEL_EFFECT_SEND (protocol.md §12): an emoji reaction or soundboard sound in a
/// voice channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VoiceChannelEffectSend {
    /// The voice channel.
    pub channel_id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Who sent it.
    pub user_id: Id,
    /// The emoji (`emoji?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Emoji>,
    /// Animation style (`animation_type?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animation_type: Option<AnimationType>,
    /// Animation id (`animation_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animation_id: Option<u64>,
    /// The soundboard sound: a snowflake, or an integer for default sounds (`sound_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sound_id: Option<SoundId>,
    /// Its volume, 0 to 1 (`sound_volume?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sound_volume: Option<f64>,
}

/// A soundboard sound reference in a voice effect: Discord sends a snowflake string for guild
/// sounds and a small integer for default ones. Both are numbers; the form is kept for
/// serialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoundId {
    /// Sent as a string (a snowflake).
    Snowflake(Id),
    /// Sent as an integer.
    Integer(u64),
}

impl SoundId {
    /// The number, whichever form it came in.
    pub const fn get(self) -> u64 {
        match self {
            Self::Snowflake(id) => id.get(),
            Self::Integer(id) => id,
        }
    }
}

impl Serialize for SoundId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Snowflake(id) => id.serialize(serializer),
            Self::Integer(id) => serializer.serialize_u64(*id),
        }
    }
}

impl<'de> Deserialize<'de> for SoundId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SoundIdVisitor;

        impl de::Visitor<'_> for SoundIdVisitor {
            type Value = SoundId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a snowflake string or a non-negative integer")
            }

            fn visit_u64<E: de::Error>(self, id: u64) -> Result<SoundId, E> {
                Ok(SoundId::Integer(id))
            }

            fn visit_i64<E: de::Error>(self, id: i64) -> Result<SoundId, E> {
                u64::try_from(id)
                    .map(SoundId::Integer)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(id), &self))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<SoundId, E> {
                text.parse()
                    .map(SoundId::Snowflake)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
            }
        }

        deserializer.deserialize_any(SoundIdVisitor)
    }
}
