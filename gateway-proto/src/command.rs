//! Commands the client sends (protocol.md §4, §5, §11).
//!
//! This file owns the typed payloads of every client command, their exact JSON, the rules
//! protocol.md states for each one (checked by [`Command::validate`]) and the 4096-byte limit
//! ([`to_frame`]). It does not know when a command may be sent (that is the session's state) nor
//! how often: the 120-per-60 s budget and the 5-per-20 s presence limit (protocol.md §7) belong to
//! the rate limiter.
//!
//! Every error is raised in one place: the per-command rules in that command's `validate`, the
//! size and serialization errors in [`to_frame`].
use crate::{id::Id, intents::Intents, opcode::OpCode};
use serde::{ser::SerializeStruct, Deserialize, Serialize};
use std::{fmt, ops::RangeInclusive};

/// Discord closes the connection (4002) for payloads over this many bytes (protocol.md §7).
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// The longest Request Guild Members nonce, in bytes (protocol.md §11.1).
pub const MAX_NONCE_BYTES: usize = 32;

/// The most `user_ids` one Request Guild Members may name (protocol.md §11.1).
pub const MAX_USER_IDS: usize = 100;

/// The values Identify's `large_threshold` may take (protocol.md §4.1).
pub const LARGE_THRESHOLD: RangeInclusive<u8> = 50..=250;

/// Why a command was refused before sending. Nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The serialized payload is over [`MAX_PAYLOAD_BYTES`] (protocol.md §7; Discord would close
    /// with 4002).
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// A Request Guild Members nonce is over [`MAX_NONCE_BYTES`] (protocol.md §11.1; Discord
    /// would drop it silently).
    NonceTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A Request Guild Members by `user_ids` names no user (protocol.md §11.1).
    NoUserIds,
    /// A Request Guild Members names more than [`MAX_USER_IDS`] users (protocol.md §11.1).
    TooManyUserIds {
        /// How many it names.
        count: usize,
    },
    /// A Request Guild Members needs intents the shard did not identify with
    /// (protocol.md §10 caveats): GUILD_PRESENCES for `presences:true`, GUILD_MEMBERS for the
    /// whole member list. Raised by [`RequestGuildMembers::check_intents`].
    MissingIntents {
        /// The intents that are needed and missing.
        missing: Intents,
    },
    /// Identify's `large_threshold` is outside [`LARGE_THRESHOLD`] (protocol.md §4.1).
    LargeThresholdOutOfRange {
        /// The value given.
        value: u8,
    },
    /// Identify's `shard` is not `[id, total]` with `id < total` (protocol.md §4.1; Discord
    /// would close with 4010).
    InvalidShard {
        /// The shard id given.
        id: u32,
        /// The shard count given.
        total: u32,
    },
    /// Identify's intents hold bits protocol.md §10 does not document (Discord would close with
    /// 4013).
    UndocumentedIntents {
        /// The undocumented bits.
        bits: u64,
    },
    /// A Streaming activity's `url` is not a twitch.tv or youtube.com link (protocol.md §11.4).
    StreamingUrlNotAllowed,
    /// The payload could not be serialized to JSON.
    Serialize {
        /// serde_json's message.
        reason: String,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { size } => {
                write!(
                    f,
                    "payload is {size} bytes, over the {MAX_PAYLOAD_BYTES}-byte limit"
                )
            }
            Self::NonceTooLong { len } => {
                write!(f, "nonce is {len} bytes, over {MAX_NONCE_BYTES}")
            }
            Self::NoUserIds => f.write_str("user_ids is empty"),
            Self::TooManyUserIds { count } => {
                write!(f, "{count} user_ids, over {MAX_USER_IDS}")
            }
            Self::MissingIntents { missing } => write!(f, "missing intents {missing}"),
            Self::LargeThresholdOutOfRange { value } => {
                write!(f, "large_threshold {value} is outside 50..=250")
            }
            Self::InvalidShard { id, total } => write!(f, "invalid shard [{id}, {total}]"),
            Self::UndocumentedIntents { bits } => write!(f, "undocumented intent bits {bits:#x}"),
            Self::StreamingUrlNotAllowed => {
                f.write_str("streaming url must be a twitch.tv or youtube.com link")
            }
            Self::Serialize { reason } => write!(f, "cannot serialize command: {reason}"),
        }
    }
}

impl std::error::Error for CommandError {}

/// A gateway command: its payload is `d`, its opcode `op`.
pub trait Command: Serialize {
    /// The opcode sent with this command.
    const OPCODE: OpCode;
    /// Checks rules of protocol.md beyond the types.
    ///
    /// # Errors
    ///
    /// The [`CommandError`] naming the first rule the command breaks.
    fn validate(&self) -> Result<(), CommandError> {
        Ok(())
    }
}

/// Serializes `{"op":…,"d":…}`, refusing payloads over [`MAX_PAYLOAD_BYTES`].
///
/// Runs [`Command::validate`] first. Never panics.
///
/// # Errors
///
/// The error of [`Command::validate`]; [`CommandError::TooLarge`] over the size limit;
/// [`CommandError::Serialize`] if serde_json fails.
///
/// # Example
///
/// ```
/// use gateway_proto::command::{to_frame, CommandError, RequestGuildMembers};
/// use gateway_proto::id::Id;
///
/// let guild = Id::new(820627323903672320);
/// let request = RequestGuildMembers::all(guild).with_nonce("req-1");
/// assert_eq!(
///     to_frame(&request)?,
///     r#"{"op":8,"d":{"guild_id":"820627323903672320","query":"","limit":0,"nonce":"req-1"}}"#
/// );
///
/// let too_long = RequestGuildMembers::all(guild).with_nonce("x".repeat(33));
/// assert_eq!(to_frame(&too_long), Err(CommandError::NonceTooLong { len: 33 }));
/// # Ok::<(), CommandError>(())
/// ```
pub fn to_frame<C: Command>(command: &C) -> Result<String, CommandError> {
    #[derive(Serialize)]
    struct Frame<'a, C> {
        op: u8,
        d: &'a C,
    }

    command.validate()?;
    let frame = Frame {
        op: C::OPCODE.code(),
        d: command,
    };
    let text = serde_json::to_string(&frame).map_err(|err| CommandError::Serialize {
        reason: err.to_string(),
    })?;
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(CommandError::TooLarge { size: text.len() });
    }
    Ok(text)
}

/// Stands in for a secret in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `properties` of Identify (protocol.md §4.1): the OS and the library's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyProperties {
    /// Operating system.
    pub os: String,
    /// Library name.
    pub browser: String,
    /// Library name.
    pub device: String,
}

/// This machine's OS (`std::env::consts::OS`) and `gateway-proto` as browser and device.
impl Default for IdentifyProperties {
    fn default() -> Self {
        Self {
            os: std::env::consts::OS.to_owned(),
            browser: "gateway-proto".to_owned(),
            device: "gateway-proto".to_owned(),
        }
    }
}

/// Identify (op 2): starts a new session (protocol.md §4.1).
///
/// `Debug` shows the token as `<redacted>`.
#[derive(Clone, Copy, Serialize)]
pub struct Identify<'a> {
    /// Bot token, without the `Bot ` prefix.
    pub token: &'a str,
    /// Intents (protocol.md §10), sent as an integer.
    pub intents: Intents,
    /// Properties.
    pub properties: &'a IdentifyProperties,
    /// Payload compression (protocol.md §9.3).
    pub compress: bool,
    /// Member count above which a guild is "large", 50–250.
    pub large_threshold: u8,
    /// `[shard_id, num_shards]`, `shard_id` zero-based.
    pub shard: [u32; 2],
    /// Initial presence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence: Option<&'a UpdatePresence>,
}

impl<'a> Identify<'a> {
    /// An Identify with Discord's defaults: no compression, `large_threshold` 50, shard
    /// `[0, 1]`, no presence.
    pub fn new(token: &'a str, intents: Intents, properties: &'a IdentifyProperties) -> Self {
        Self {
            token,
            intents,
            properties,
            compress: false,
            large_threshold: *LARGE_THRESHOLD.start(),
            shard: [0, 1],
            presence: None,
        }
    }
}

impl fmt::Debug for Identify<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identify")
            .field("token", &Redacted)
            .field("intents", &self.intents)
            .field("properties", &self.properties)
            .field("compress", &self.compress)
            .field("large_threshold", &self.large_threshold)
            .field("shard", &self.shard)
            .field("presence", &self.presence)
            .finish()
    }
}

impl Command for Identify<'_> {
    const OPCODE: OpCode = OpCode::Identify;

    /// protocol.md §4.1: `large_threshold` in 50–250, `shard` `[id, total]` with `id < total`
    /// (else 4010), only documented intent bits (else 4013), and the presence's rules.
    fn validate(&self) -> Result<(), CommandError> {
        if !LARGE_THRESHOLD.contains(&self.large_threshold) {
            return Err(CommandError::LargeThresholdOutOfRange {
                value: self.large_threshold,
            });
        }
        let [id, total] = self.shard;
        if id >= total {
            return Err(CommandError::InvalidShard { id, total });
        }
        let undocumented = self.intents.bits() & !Intents::all().bits();
        if undocumented != 0 {
            return Err(CommandError::UndocumentedIntents { bits: undocumented });
        }
        match self.presence {
            Some(presence) => presence.validate(),
            None => Ok(()),
        }
    }
}

/// Resume (op 6): continues a session after a reconnect (protocol.md §5.2).
///
/// `Debug` shows the token as `<redacted>`.
#[derive(Clone, Copy, Serialize)]
pub struct Resume<'a> {
    /// Bot token.
    pub token: &'a str,
    /// Session id from READY.
    pub session_id: &'a str,
    /// Last sequence received.
    pub seq: u64,
}

impl<'a> Resume<'a> {
    /// A Resume of `session_id` after sequence `seq`.
    pub fn new(token: &'a str, session_id: &'a str, seq: u64) -> Self {
        Self {
            token,
            session_id,
            seq,
        }
    }
}

impl fmt::Debug for Resume<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resume")
            .field("token", &Redacted)
            .field("session_id", &self.session_id)
            .field("seq", &self.seq)
            .finish()
    }
}

impl Command for Resume<'_> {
    const OPCODE: OpCode = OpCode::Resume;
}

/// Heartbeat (op 1): the last sequence received, `null` before any dispatch (protocol.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Heartbeat(pub Option<u64>);

impl Command for Heartbeat {
    const OPCODE: OpCode = OpCode::Heartbeat;
}

/// A presence status (protocol.md §11.4), in protocol.md's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// `online`.
    Online,
    /// `dnd`: do not disturb.
    #[serde(rename = "dnd")]
    DoNotDisturb,
    /// `idle`.
    Idle,
    /// `invisible`: shown as offline.
    Invisible,
    /// `offline`.
    Offline,
}

impl Status {
    /// The name Discord uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::DoNotDisturb => "dnd",
            Self::Idle => "idle",
            Self::Invisible => "invisible",
            Self::Offline => "offline",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An activity's `type` (protocol.md §11.4), serialized as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActivityType {
    /// 0: "Playing {name}".
    Playing,
    /// 1: "Streaming {name}"; `url` must be a twitch.tv or youtube.com link.
    Streaming,
    /// 2: "Listening to {name}".
    Listening,
    /// 3: "Watching {name}".
    Watching,
    /// 4: custom status, shows `{emoji} {state}`; a bot sets the text in `state`.
    Custom,
    /// 5: "Competing in {name}".
    Competing,
    /// A number protocol.md does not list, kept as received.
    Unknown(u8),
}

impl ActivityType {
    /// The number Discord uses.
    pub const fn code(self) -> u8 {
        match self {
            Self::Playing => 0,
            Self::Streaming => 1,
            Self::Listening => 2,
            Self::Watching => 3,
            Self::Custom => 4,
            Self::Competing => 5,
            Self::Unknown(code) => code,
        }
    }

    /// The type for a number; numbers above 5 become [`ActivityType::Unknown`].
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Playing,
            1 => Self::Streaming,
            2 => Self::Listening,
            3 => Self::Watching,
            4 => Self::Custom,
            5 => Self::Competing,
            other => Self::Unknown(other),
        }
    }
}

impl Serialize for ActivityType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for ActivityType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u8::deserialize(deserializer).map(Self::from_code)
    }
}

/// An activity a bot may set: only `name`, `state`, `type` and `url` (protocol.md §11.4).
///
/// Fields are declared in the order of protocol.md's examples, so the JSON matches them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The activity's name.
    pub name: String,
    /// The custom status text (type 4), or extra text under the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The activity type.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Stream link for [`ActivityType::Streaming`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Activity {
    /// An activity of `kind` named `name`, without state or url.
    pub fn new(kind: ActivityType, name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            state: None,
            kind,
            url: None,
        }
    }

    /// A custom status (type 4) showing `state`, named "Custom Status" as in protocol.md §11.4.
    pub fn custom(state: impl Into<String>) -> Self {
        Self {
            name: "Custom Status".to_owned(),
            state: Some(state.into()),
            kind: ActivityType::Custom,
            url: None,
        }
    }

    /// A Streaming activity (type 1) linking to `url`.
    pub fn streaming(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..Self::new(ActivityType::Streaming, name)
        }
    }

    /// protocol.md §11.4: a Streaming activity's `url`, when given, must be a twitch.tv or
    /// youtube.com link.
    fn validate(&self) -> Result<(), CommandError> {
        match (&self.kind, &self.url) {
            (ActivityType::Streaming, Some(url)) if !is_streaming_host(url) => {
                Err(CommandError::StreamingUrlNotAllowed)
            }
            _ => Ok(()),
        }
    }
}

/// Whether `url` is an http(s) link to twitch.tv or youtube.com (or a subdomain of either).
fn is_streaming_host(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // A `user@host` authority would make the visible prefix lie about the real host.
    if authority.contains('@') {
        return false;
    }
    let host = authority.split(':').next().unwrap_or_default();
    ["twitch.tv", "youtube.com"].iter().any(|allowed| {
        host == *allowed
            || host
                .strip_suffix(allowed)
                .is_some_and(|sub| sub.ends_with('.'))
    })
}

/// Update Presence (op 3), also Identify's `presence` (protocol.md §11.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePresence {
    /// Unix ms since the client went idle; `null` if not idle.
    pub since: Option<u64>,
    /// Activities.
    pub activities: Vec<Activity>,
    /// Status.
    pub status: Status,
    /// Whether the client is AFK.
    pub afk: bool,
}

impl UpdatePresence {
    /// A presence with `status` and `activities`, not idle, not AFK.
    pub fn new(status: Status, activities: Vec<Activity>) -> Self {
        Self {
            since: None,
            activities,
            status,
            afk: false,
        }
    }
}

impl Command for UpdatePresence {
    const OPCODE: OpCode = OpCode::PresenceUpdate;

    /// Each activity's rules (protocol.md §11.4).
    fn validate(&self) -> Result<(), CommandError> {
        self.activities.iter().try_for_each(Activity::validate)
    }
}

/// Update Voice State (op 4): join, move between or leave voice channels (protocol.md §11.3).
///
/// On success Discord answers with VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateVoiceState {
    /// The guild.
    pub guild_id: Id,
    /// The channel to join or move to; `None` (sent as `null`) leaves voice.
    pub channel_id: Option<Id>,
    /// Whether the bot is muted.
    pub self_mute: bool,
    /// Whether the bot is deafened.
    pub self_deaf: bool,
}

impl UpdateVoiceState {
    /// Joins (or moves to) `channel_id`, neither muted nor deafened.
    pub const fn join(guild_id: Id, channel_id: Id) -> Self {
        Self {
            guild_id,
            channel_id: Some(channel_id),
            self_mute: false,
            self_deaf: false,
        }
    }

    /// Leaves voice in `guild_id` (`channel_id: null`).
    pub const fn leave(guild_id: Id) -> Self {
        Self {
            guild_id,
            channel_id: None,
            self_mute: false,
            self_deaf: false,
        }
    }
}

impl Command for UpdateVoiceState {
    const OPCODE: OpCode = OpCode::VoiceStateUpdate;
}

/// Which members a Request Guild Members asks for: `query` and `user_ids` exclude each other
/// (protocol.md §11.1), so they are two variants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberFilter {
    /// Members whose username starts with `query`, at most `limit` (a prefix query returns at
    /// most 100). `query: ""` with `limit: 0` asks for every member.
    Query {
        /// Username prefix; `""` matches everyone.
        query: String,
        /// Maximum to return; `0` with `query: ""` means all.
        limit: u32,
    },
    /// These users, 1 to [`MAX_USER_IDS`] of them.
    UserIds(Vec<Id>),
}

/// Request Guild Members (op 8): answered by GUILD_MEMBERS_CHUNK dispatches, or RATE_LIMITED
/// (protocol.md §11.1).
///
/// Build it with [`query`](Self::query), [`all`](Self::all) or
/// [`user_ids`](Self::user_ids); limits are checked by [`Command::validate`] when it is sent,
/// and the intents it needs by [`check_intents`](Self::check_intents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestGuildMembers {
    /// The one guild asked about.
    pub guild_id: Id,
    /// Which members.
    pub members: MemberFilter,
    /// Whether to include presences (needs GUILD_PRESENCES). Sent only when true.
    pub presences: bool,
    /// Echoed back in the chunks; at most [`MAX_NONCE_BYTES`] bytes. Sent only when set.
    pub nonce: Option<String>,
}

impl RequestGuildMembers {
    /// Members of `guild_id` whose username starts with `query`, at most `limit`.
    pub fn query(guild_id: Id, query: impl Into<String>, limit: u32) -> Self {
        Self {
            guild_id,
            members: MemberFilter::Query {
                query: query.into(),
                limit,
            },
            presences: false,
            nonce: None,
        }
    }

    /// Every member of `guild_id` (`query: ""`, `limit: 0`). Needs GUILD_MEMBERS and is limited
    /// to one request per guild per 30 s (protocol.md §7).
    pub fn all(guild_id: Id) -> Self {
        Self::query(guild_id, "", 0)
    }

    /// The members of `guild_id` with these ids (1 to [`MAX_USER_IDS`]).
    pub fn user_ids(guild_id: Id, user_ids: impl IntoIterator<Item = Id>) -> Self {
        Self {
            guild_id,
            members: MemberFilter::UserIds(user_ids.into_iter().collect()),
            presences: false,
            nonce: None,
        }
    }

    /// Sets `presences`.
    pub fn with_presences(mut self, presences: bool) -> Self {
        self.presences = presences;
        self
    }

    /// Sets the nonce echoed back in the chunks.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Whether this asks for the whole member list (`query: ""`, `limit: 0`), the form limited
    /// to one per guild per 30 s (protocol.md §7).
    pub fn is_all_members(&self) -> bool {
        matches!(&self.members, MemberFilter::Query { query, limit: 0 } if query.is_empty())
    }

    /// The intents this request needs (protocol.md §10 caveats): GUILD_PRESENCES for
    /// `presences`, GUILD_MEMBERS for the whole member list.
    pub fn required_intents(&self) -> Intents {
        let mut needed = Intents::empty();
        if self.presences {
            needed |= Intents::GUILD_PRESENCES;
        }
        if self.is_all_members() {
            needed |= Intents::GUILD_MEMBERS;
        }
        needed
    }

    /// Refuses the request if the shard's `intents` lack what it needs. Discord would not fail
    /// loudly: without GUILD_PRESENCES it forces `presences` to false, and protocol.md §10 does
    /// not say what it answers a whole-list request without GUILD_MEMBERS.
    ///
    /// # Errors
    ///
    /// [`CommandError::MissingIntents`] with the missing intents.
    pub fn check_intents(&self, intents: Intents) -> Result<(), CommandError> {
        let missing = self.required_intents().difference(intents);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CommandError::MissingIntents { missing })
        }
    }
}

/// Writes exactly the fields of the chosen form, in protocol.md §11.1's order:
/// `guild_id`, then `query` and `limit` or `user_ids`, then `presences` when true and `nonce`
/// when set.
impl Serialize for RequestGuildMembers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let form_fields = match self.members {
            MemberFilter::Query { .. } => 2,
            MemberFilter::UserIds(_) => 1,
        };
        let len = 1 + form_fields + usize::from(self.presences) + usize::from(self.nonce.is_some());
        let mut state = serializer.serialize_struct("RequestGuildMembers", len)?;
        state.serialize_field("guild_id", &self.guild_id)?;
        match &self.members {
            MemberFilter::Query { query, limit } => {
                state.serialize_field("query", query)?;
                state.serialize_field("limit", limit)?;
            }
            MemberFilter::UserIds(user_ids) => state.serialize_field("user_ids", user_ids)?,
        }
        if self.presences {
            state.serialize_field("presences", &true)?;
        }
        if let Some(nonce) = &self.nonce {
            state.serialize_field("nonce", nonce)?;
        }
        state.end()
    }
}

impl Command for RequestGuildMembers {
    const OPCODE: OpCode = OpCode::RequestGuildMembers;

    /// protocol.md §11.1: the nonce is at most 32 bytes, `user_ids` names 1 to 100 users.
    fn validate(&self) -> Result<(), CommandError> {
        if let Some(nonce) = &self.nonce {
            if nonce.len() > MAX_NONCE_BYTES {
                return Err(CommandError::NonceTooLong { len: nonce.len() });
            }
        }
        if let MemberFilter::UserIds(user_ids) = &self.members {
            if user_ids.is_empty() {
                return Err(CommandError::NoUserIds);
            }
            if user_ids.len() > MAX_USER_IDS {
                return Err(CommandError::TooManyUserIds {
                    count: user_ids.len(),
                });
            }
        }
        Ok(())
    }
}

/// Request Soundboard Sounds (op 31): answered by one SOUNDBOARD_SOUNDS dispatch per guild
/// (protocol.md §11.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestSoundboardSounds {
    /// The guilds whose sounds are wanted.
    pub guild_ids: Vec<Id>,
}

impl RequestSoundboardSounds {
    /// A request for the sounds of these guilds.
    pub fn new(guild_ids: impl IntoIterator<Item = Id>) -> Self {
        Self {
            guild_ids: guild_ids.into_iter().collect(),
        }
    }
}

impl Command for RequestSoundboardSounds {
    const OPCODE: OpCode = OpCode::RequestSoundboardSounds;
}

/// A field Request Channel Info can ask for (protocol.md §11.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelInfoField {
    /// `status`: the voice channel status text.
    Status,
    /// `voice_start_time`: when voice activity started, Unix seconds.
    VoiceStartTime,
}

/// Request Channel Info (op 43): answered by a CHANNEL_INFO dispatch (protocol.md §11.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestChannelInfo {
    /// The guild whose channels are asked about.
    pub guild_id: Id,
    /// Which fields to return.
    pub fields: Vec<ChannelInfoField>,
}

impl RequestChannelInfo {
    /// Asks for both documented fields, `status` and `voice_start_time`.
    pub fn new(guild_id: Id) -> Self {
        Self {
            guild_id,
            fields: vec![ChannelInfoField::Status, ChannelInfoField::VoiceStartTime],
        }
    }
}

impl Command for RequestChannelInfo {
    const OPCODE: OpCode = OpCode::RequestChannelInfo;
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD_G: Id = Id::new(820_627_323_903_672_320);
    const GUILD_H: Id = Id::new(981_346_340_065_902_592);
    const VOICE: Id = Id::new(820_627_324_398_600_196);
    const ALICE: Id = Id::new(646_771_746_908_798_983);

    /// protocol.md's examples are printed with line breaks; the wire has none.
    fn compact(json: &str) -> String {
        json.split('\n').map(str::trim_start).collect()
    }

    fn linux_mylib() -> IdentifyProperties {
        IdentifyProperties {
            os: "linux".into(),
            browser: "mylib".into(),
            device: "mylib".into(),
        }
    }

    #[test]
    fn identify_matches_protocol_md_example() {
        let properties = linux_mylib();
        let presence = UpdatePresence::new(
            Status::Online,
            vec![Activity::new(ActivityType::Playing, "tests")],
        );
        let identify = Identify {
            large_threshold: 250,
            shard: [0, 2],
            presence: Some(&presence),
            ..Identify::new(
                "<bot token>",
                Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
                &properties,
            )
        };
        let expected = compact(
            r#"{"op":2,"d":{"token":"<bot token>","intents":33281,
 "properties":{"os":"linux","browser":"mylib","device":"mylib"},
 "compress":false,"large_threshold":250,"shard":[0,2],
 "presence":{"since":null,"activities":[{"name":"tests","type":0}],"status":"online","afk":false}}}"#,
        );
        assert_eq!(to_frame(&identify).unwrap(), expected);
    }

    #[test]
    fn identify_without_presence_leaves_it_out() {
        let properties = linux_mylib();
        let identify = Identify::new("t", Intents::GUILDS, &properties);
        assert_eq!(
            to_frame(&identify).unwrap(),
            r#"{"op":2,"d":{"token":"t","intents":1,"properties":{"os":"linux","browser":"mylib","device":"mylib"},"compress":false,"large_threshold":50,"shard":[0,1]}}"#
        );
    }

    #[test]
    fn identify_checks_threshold_shard_and_intents() {
        let properties = IdentifyProperties::default();
        let base = Identify::new("t", Intents::GUILDS, &properties);
        for value in [0, 49, 251, 255] {
            let identify = Identify {
                large_threshold: value,
                ..base
            };
            assert_eq!(
                to_frame(&identify),
                Err(CommandError::LargeThresholdOutOfRange { value })
            );
        }
        for value in [50, 250] {
            let identify = Identify {
                large_threshold: value,
                ..base
            };
            assert!(to_frame(&identify).is_ok());
        }
        for [id, total] in [[0, 0], [2, 2], [5, 3]] {
            let identify = Identify {
                shard: [id, total],
                ..base
            };
            assert_eq!(
                identify.validate(),
                Err(CommandError::InvalidShard { id, total })
            );
        }
        let identify = Identify {
            intents: Intents::from_bits_retain(1 | 1 << 17),
            ..base
        };
        assert_eq!(
            identify.validate(),
            Err(CommandError::UndocumentedIntents { bits: 1 << 17 })
        );
        let bad_presence = UpdatePresence::new(
            Status::Online,
            vec![Activity::streaming("x", "https://example.com/live")],
        );
        let identify = Identify {
            presence: Some(&bad_presence),
            ..base
        };
        assert_eq!(
            identify.validate(),
            Err(CommandError::StreamingUrlNotAllowed)
        );
    }

    #[test]
    fn debug_redacts_the_token() {
        let token = "MTE5NDU2NjMwMDY0MzQ5MTg0Mg.secret-part";
        let properties = IdentifyProperties::default();
        let identify = Identify::new(token, Intents::GUILDS, &properties);
        let resume = Resume::new(token, "9f1c2e7a4b8d4c0f8e3a6b5d2c1f0e97", 1337);
        for text in [
            format!("{identify:?}"),
            format!("{identify:#?}"),
            format!("{resume:?}"),
            format!("{resume:#?}"),
        ] {
            assert!(!text.contains("MTE5NDU2"), "{text}");
            assert!(!text.contains("secret-part"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        // The rest is still there to debug with.
        assert!(format!("{resume:?}").contains("1337"));
        assert!(format!("{identify:?}").contains("GUILDS"));
    }

    #[test]
    fn identify_properties_default_names_the_library() {
        let properties = IdentifyProperties::default();
        assert_eq!(properties.os, std::env::consts::OS);
        assert_eq!(properties.browser, "gateway-proto");
        assert_eq!(properties.device, "gateway-proto");
    }

    #[test]
    fn resume_matches_protocol_md_example() {
        let resume = Resume::new("<bot token>", "<from READY>", 1337);
        assert_eq!(
            to_frame(&resume).unwrap(),
            r#"{"op":6,"d":{"token":"<bot token>","session_id":"<from READY>","seq":1337}}"#
        );
    }

    #[test]
    fn heartbeat_sends_last_seq_or_null() {
        assert_eq!(to_frame(&Heartbeat(None)).unwrap(), r#"{"op":1,"d":null}"#);
        assert_eq!(
            to_frame(&Heartbeat(Some(251))).unwrap(),
            r#"{"op":1,"d":251}"#
        );
    }

    #[test]
    fn update_presence_matches_protocol_md_example() {
        let presence = UpdatePresence::new(Status::Online, vec![Activity::custom("Running tests")]);
        assert_eq!(
            to_frame(&presence).unwrap(),
            r#"{"op":3,"d":{"since":null,"activities":[{"name":"Custom Status","state":"Running tests","type":4}],"status":"online","afk":false}}"#
        );
        let idle = UpdatePresence {
            since: Some(1_785_596_645_123),
            afk: true,
            ..UpdatePresence::new(Status::Idle, Vec::new())
        };
        assert_eq!(
            to_frame(&idle).unwrap(),
            r#"{"op":3,"d":{"since":1785596645123,"activities":[],"status":"idle","afk":true}}"#
        );
    }

    #[test]
    fn statuses_and_activity_types_use_discords_values() {
        let statuses = [
            (Status::Online, "online"),
            (Status::DoNotDisturb, "dnd"),
            (Status::Idle, "idle"),
            (Status::Invisible, "invisible"),
            (Status::Offline, "offline"),
        ];
        for (status, name) in statuses {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(status.to_string(), name);
            let back: Status = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(back, status);
        }
        assert!(serde_json::from_str::<Status>("\"away\"").is_err());

        let types = [
            ActivityType::Playing,
            ActivityType::Streaming,
            ActivityType::Listening,
            ActivityType::Watching,
            ActivityType::Custom,
            ActivityType::Competing,
        ];
        for (code, kind) in types.into_iter().enumerate() {
            assert_eq!(serde_json::to_string(&kind).unwrap(), code.to_string());
            assert_eq!(ActivityType::from_code(kind.code()), kind);
        }
        let later: ActivityType = serde_json::from_str("7").unwrap();
        assert_eq!(later, ActivityType::Unknown(7));
        assert_eq!(serde_json::to_string(&later).unwrap(), "7");
    }

    #[test]
    fn activity_reads_received_json_ignoring_extra_fields() {
        let activity: Activity = serde_json::from_str(
            r#"{"name":"Rocket League","type":0,"created_at":1785596700000,"timestamps":{"start":1785596000000}}"#,
        )
        .unwrap();
        assert_eq!(
            activity,
            Activity::new(ActivityType::Playing, "Rocket League")
        );
    }

    #[test]
    fn streaming_url_must_be_twitch_or_youtube() {
        for good in [
            "https://twitch.tv/someone",
            "https://www.twitch.tv/someone",
            "http://TWITCH.TV",
            "https://www.youtube.com/watch?v=abc",
            "https://youtube.com:443/live",
        ] {
            let presence =
                UpdatePresence::new(Status::Online, vec![Activity::streaming("s", good)]);
            assert_eq!(presence.validate(), Ok(()), "{good}");
        }
        for bad in [
            "https://example.com/twitch.tv",
            "https://nottwitch.tv/x",
            "https://twitch.tv.evil.example/x",
            "https://twitch.tv@evil.example/x",
            "twitch.tv/someone",
            "ftp://youtube.com/x",
            "",
        ] {
            let presence = UpdatePresence::new(Status::Online, vec![Activity::streaming("s", bad)]);
            assert_eq!(
                to_frame(&presence),
                Err(CommandError::StreamingUrlNotAllowed),
                "{bad}"
            );
        }
        // The rule is about Streaming; other types' urls are not checked.
        let mut playing = Activity::new(ActivityType::Playing, "p");
        playing.url = Some("https://example.com".into());
        assert_eq!(
            UpdatePresence::new(Status::Online, vec![playing]).validate(),
            Ok(())
        );
        // A Streaming activity without url is not refused.
        let no_url = Activity::new(ActivityType::Streaming, "s");
        assert_eq!(
            UpdatePresence::new(Status::Online, vec![no_url]).validate(),
            Ok(())
        );
    }

    #[test]
    fn update_voice_state_joins_and_leaves() {
        let join = UpdateVoiceState {
            self_deaf: true,
            ..UpdateVoiceState::join(GUILD_G, VOICE)
        };
        assert_eq!(
            to_frame(&join).unwrap(),
            r#"{"op":4,"d":{"guild_id":"820627323903672320","channel_id":"820627324398600196","self_mute":false,"self_deaf":true}}"#
        );
        // channel_id null disconnects (protocol.md §11.3): it is sent, not left out.
        assert_eq!(
            to_frame(&UpdateVoiceState::leave(GUILD_G)).unwrap(),
            r#"{"op":4,"d":{"guild_id":"820627323903672320","channel_id":null,"self_mute":false,"self_deaf":false}}"#
        );
    }

    #[test]
    fn request_guild_members_matches_protocol_md_example() {
        let request = RequestGuildMembers::all(GUILD_G)
            .with_presences(true)
            .with_nonce("req-1");
        assert_eq!(
            to_frame(&request).unwrap(),
            r#"{"op":8,"d":{"guild_id":"820627323903672320","query":"","limit":0,"presences":true,"nonce":"req-1"}}"#
        );
        assert!(request.is_all_members());
    }

    #[test]
    fn request_guild_members_sends_only_its_forms_fields() {
        let by_prefix = RequestGuildMembers::query(GUILD_G, "al", 10);
        assert_eq!(
            to_frame(&by_prefix).unwrap(),
            r#"{"op":8,"d":{"guild_id":"820627323903672320","query":"al","limit":10}}"#
        );
        assert!(!by_prefix.is_all_members());
        assert!(!RequestGuildMembers::query(GUILD_G, "", 5).is_all_members());

        let by_ids = RequestGuildMembers::user_ids(GUILD_G, [ALICE]).with_nonce("n");
        assert_eq!(
            to_frame(&by_ids).unwrap(),
            r#"{"op":8,"d":{"guild_id":"820627323903672320","user_ids":["646771746908798983"],"nonce":"n"}}"#
        );
    }

    #[test]
    fn request_guild_members_nonce_is_at_most_32_bytes() {
        let at_limit = RequestGuildMembers::all(GUILD_G).with_nonce("n".repeat(32));
        assert!(to_frame(&at_limit).is_ok());
        let over = RequestGuildMembers::all(GUILD_G).with_nonce("n".repeat(33));
        assert_eq!(to_frame(&over), Err(CommandError::NonceTooLong { len: 33 }));
        // Bytes, not characters: 11 three-byte characters are 33 bytes.
        let wide = RequestGuildMembers::all(GUILD_G).with_nonce("€".repeat(11));
        assert_eq!(wide.validate(), Err(CommandError::NonceTooLong { len: 33 }));
    }

    #[test]
    fn request_guild_members_user_ids_are_1_to_100() {
        let ids = |n: u64| (1..=n).map(Id::new);
        assert!(RequestGuildMembers::user_ids(GUILD_G, ids(100))
            .validate()
            .is_ok());
        assert_eq!(
            RequestGuildMembers::user_ids(GUILD_G, ids(101)).validate(),
            Err(CommandError::TooManyUserIds { count: 101 })
        );
        assert_eq!(
            to_frame(&RequestGuildMembers::user_ids(GUILD_G, ids(0))),
            Err(CommandError::NoUserIds)
        );
    }

    #[test]
    fn request_guild_members_intent_needs() {
        let all = RequestGuildMembers::all(GUILD_G).with_presences(true);
        assert_eq!(
            all.required_intents(),
            Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES
        );
        assert_eq!(
            all.check_intents(Intents::GUILDS | Intents::GUILD_MEMBERS),
            Err(CommandError::MissingIntents {
                missing: Intents::GUILD_PRESENCES
            })
        );
        assert_eq!(all.check_intents(Intents::all()), Ok(()));
        let prefix = RequestGuildMembers::query(GUILD_G, "al", 10);
        assert!(prefix.required_intents().is_empty());
        assert_eq!(prefix.check_intents(Intents::empty()), Ok(()));
    }

    #[test]
    fn request_soundboard_sounds_is_op_31() {
        let request = RequestSoundboardSounds::new([GUILD_G, GUILD_H]);
        assert_eq!(
            to_frame(&request).unwrap(),
            r#"{"op":31,"d":{"guild_ids":["820627323903672320","981346340065902592"]}}"#
        );
    }

    #[test]
    fn request_channel_info_is_op_43() {
        assert_eq!(
            to_frame(&RequestChannelInfo::new(GUILD_G)).unwrap(),
            r#"{"op":43,"d":{"guild_id":"820627323903672320","fields":["status","voice_start_time"]}}"#
        );
        let status_only = RequestChannelInfo {
            fields: vec![ChannelInfoField::Status],
            ..RequestChannelInfo::new(GUILD_G)
        };
        assert_eq!(
            to_frame(&status_only).unwrap(),
            r#"{"op":43,"d":{"guild_id":"820627323903672320","fields":["status"]}}"#
        );
    }

    #[test]
    fn payloads_over_4096_bytes_are_refused() {
        // The frame's length without a token, then a token that fills it to exactly 4096.
        let overhead = to_frame(&Resume::new("", "s", 1)).unwrap().len();
        let fits = "t".repeat(MAX_PAYLOAD_BYTES - overhead);
        let text = to_frame(&Resume::new(&fits, "s", 1)).unwrap();
        assert_eq!(text.len(), MAX_PAYLOAD_BYTES);
        let over = "t".repeat(fits.len() + 1);
        assert_eq!(
            to_frame(&Resume::new(&over, "s", 1)),
            Err(CommandError::TooLarge {
                size: MAX_PAYLOAD_BYTES + 1
            })
        );
        let huge = UpdatePresence::new(
            Status::Online,
            vec![Activity::new(ActivityType::Playing, "x".repeat(5000))],
        );
        assert!(matches!(
            to_frame(&huge),
            Err(CommandError::TooLarge { size }) if size > 5000
        ));
    }

    #[test]
    fn serializer_failure_is_an_error_not_a_panic() {
        struct Broken;
        impl Serialize for Broken {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("broken payload"))
            }
        }
        impl Command for Broken {
            const OPCODE: OpCode = OpCode::Heartbeat;
        }
        assert_eq!(
            to_frame(&Broken),
            Err(CommandError::Serialize {
                reason: "broken payload".into()
            })
        );
    }

    #[test]
    fn errors_display_short_lower_case() {
        let errors = [
            CommandError::TooLarge { size: 5000 },
            CommandError::NonceTooLong { len: 33 },
            CommandError::NoUserIds,
            CommandError::TooManyUserIds { count: 101 },
            CommandError::MissingIntents {
                missing: Intents::GUILD_MEMBERS,
            },
            CommandError::LargeThresholdOutOfRange { value: 10 },
            CommandError::InvalidShard { id: 2, total: 2 },
            CommandError::UndocumentedIntents { bits: 1 << 17 },
            CommandError::StreamingUrlNotAllowed,
            CommandError::Serialize { reason: "x".into() },
        ];
        for error in errors {
            let text = error.to_string();
            let first = text.chars().next().unwrap();
            assert!(!first.is_uppercase(), "{text}");
            assert!(!text.ends_with('.'), "{text}");
            assert!(text.len() < 80, "{text}");
        }
        assert_eq!(
            CommandError::TooLarge { size: 5000 }.to_string(),
            "payload is 5000 bytes, over the 4096-byte limit"
        );
        assert_eq!(
            CommandError::MissingIntents {
                missing: Intents::GUILD_MEMBERS
            }
            .to_string(),
            "missing intents GUILD_MEMBERS"
        );
    }
}
