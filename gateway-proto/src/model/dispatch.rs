//! From a [`Dispatch`] to a [`DispatchEvent`]: the table of dispatch names and payload types,
//! the parsers (serde_json, and simd-json behind its feature) and [`ParseError`].
//!
//! This file owns the mapping name → payload type, written once as a table; the `match` it
//! generates over [`EventType`] is exhaustive, so a name added to `event_type.rs` without a
//! payload here does not compile. It knows nothing about the payloads' fields.

use super::*;
use crate::event::Dispatch;
use crate::event_type::{EventType, EventTypeFlags};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// The most bytes of the payload a [`ParseError`] quotes.
pub const EXCERPT_BYTES: usize = 200;

/// Builds [`DispatchEvent`] and the parse function from one table.
///
/// Each row: `Variant(PayloadType) = WIRE_NAME`. `Variant` is also the [`EventType`] variant.
macro_rules! dispatch_events {
    ($( $variant:ident($payload:ty) = $name:ident, )*) => {
        /// A dispatch with its typed payload (protocol.md §12): one variant per dispatch name,
        /// named like its [`EventType`], plus [`DispatchEvent::Unknown`].
        ///
        /// Serializes as the payload alone (`d`), so `serde_json::to_string(&event)` gives
        /// Discord's JSON back.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum DispatchEvent {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                $variant($payload),
            )*
            /// A dispatch whose name this library does not know, as received.
            #[serde(serialize_with = "unknown_data")]
            Unknown(Box<Dispatch>),
        }

        impl DispatchEvent {
            /// The dispatch name.
            pub fn event_type(&self) -> EventType {
                match self {
                    $(Self::$variant(_) => EventType::$variant,)*
                    Self::Unknown(dispatch) => dispatch.event_type.clone(),
                }
            }
        }

        /// Reads `dispatch`'s `d` as the payload of its name with `parser`.
        fn parse_with<P: Parser>(
            dispatch: &Dispatch,
            parser: &mut P,
        ) -> Result<DispatchEvent, ParseError> {
            let data = dispatch.data();
            let event = match &dispatch.event_type {
                $(EventType::$variant => parser.read::<$payload>(data).map(DispatchEvent::$variant),)*
                EventType::Unknown(_) => return Ok(DispatchEvent::Unknown(Box::new(dispatch.clone()))),
            };
            event.map_err(|failure| ParseError::new(dispatch.event_type.clone(), data, failure))
        }
    };
}

dispatch_events! {
    // Connection / session.
    Ready(Box<Ready>) = READY,
    Resumed(Resumed) = RESUMED,
    RateLimited(Box<RateLimited>) = RATE_LIMITED,

    // Guilds.
    GuildCreate(GuildCreate) = GUILD_CREATE,
    GuildUpdate(Box<Guild>) = GUILD_UPDATE,
    GuildDelete(UnavailableGuild) = GUILD_DELETE,
    GuildRoleCreate(Box<GuildRole>) = GUILD_ROLE_CREATE,
    GuildRoleUpdate(Box<GuildRole>) = GUILD_ROLE_UPDATE,
    GuildRoleDelete(GuildRoleDelete) = GUILD_ROLE_DELETE,
    GuildAuditLogEntryCreate(Box<AuditLogEntry>) = GUILD_AUDIT_LOG_ENTRY_CREATE,
    GuildBanAdd(Box<GuildUser>) = GUILD_BAN_ADD,
    GuildBanRemove(Box<GuildUser>) = GUILD_BAN_REMOVE,
    GuildEmojisUpdate(Box<GuildEmojisUpdate>) = GUILD_EMOJIS_UPDATE,
    GuildStickersUpdate(Box<GuildStickersUpdate>) = GUILD_STICKERS_UPDATE,
    GuildSoundboardSoundCreate(Box<SoundboardSound>) = GUILD_SOUNDBOARD_SOUND_CREATE,
    GuildSoundboardSoundUpdate(Box<SoundboardSound>) = GUILD_SOUNDBOARD_SOUND_UPDATE,
    GuildSoundboardSoundDelete(SoundboardSoundDelete) = GUILD_SOUNDBOARD_SOUND_DELETE,
    GuildSoundboardSoundsUpdate(Box<SoundboardSounds>) = GUILD_SOUNDBOARD_SOUNDS_UPDATE,
    SoundboardSounds(Box<SoundboardSounds>) = SOUNDBOARD_SOUNDS,
    GuildIntegrationsUpdate(GuildIntegrationsUpdate) = GUILD_INTEGRATIONS_UPDATE,
    IntegrationCreate(Box<Integration>) = INTEGRATION_CREATE,
    IntegrationUpdate(Box<Integration>) = INTEGRATION_UPDATE,
    IntegrationDelete(Box<IntegrationDelete>) = INTEGRATION_DELETE,
    GuildMemberAdd(Box<GuildMember>) = GUILD_MEMBER_ADD,
    GuildMemberUpdate(Box<GuildMember>) = GUILD_MEMBER_UPDATE,
    GuildMemberRemove(Box<GuildUser>) = GUILD_MEMBER_REMOVE,
    GuildMembersChunk(Box<GuildMembersChunk>) = GUILD_MEMBERS_CHUNK,
    GuildScheduledEventCreate(Box<ScheduledEvent>) = GUILD_SCHEDULED_EVENT_CREATE,
    GuildScheduledEventUpdate(Box<ScheduledEvent>) = GUILD_SCHEDULED_EVENT_UPDATE,
    GuildScheduledEventDelete(Box<ScheduledEvent>) = GUILD_SCHEDULED_EVENT_DELETE,
    GuildScheduledEventUserAdd(Box<ScheduledEventUser>) = GUILD_SCHEDULED_EVENT_USER_ADD,
    GuildScheduledEventUserRemove(Box<ScheduledEventUser>) = GUILD_SCHEDULED_EVENT_USER_REMOVE,

    // Channels and threads.
    ChannelCreate(Box<Channel>) = CHANNEL_CREATE,
    ChannelUpdate(Box<Channel>) = CHANNEL_UPDATE,
    ChannelDelete(Box<Channel>) = CHANNEL_DELETE,
    ChannelPinsUpdate(Box<ChannelPinsUpdate>) = CHANNEL_PINS_UPDATE,
    ChannelInfo(Box<ChannelInfo>) = CHANNEL_INFO,
    ThreadCreate(Box<Channel>) = THREAD_CREATE,
    ThreadUpdate(Box<Channel>) = THREAD_UPDATE,
    ThreadDelete(Box<ThreadDelete>) = THREAD_DELETE,
    ThreadListSync(Box<ThreadListSync>) = THREAD_LIST_SYNC,
    ThreadMemberUpdate(Box<ThreadMember>) = THREAD_MEMBER_UPDATE,
    ThreadMembersUpdate(Box<ThreadMembersUpdate>) = THREAD_MEMBERS_UPDATE,
    StageInstanceCreate(Box<StageInstance>) = STAGE_INSTANCE_CREATE,
    StageInstanceUpdate(Box<StageInstance>) = STAGE_INSTANCE_UPDATE,
    StageInstanceDelete(Box<StageInstance>) = STAGE_INSTANCE_DELETE,
    VoiceChannelStatusUpdate(Box<VoiceChannelStatusUpdate>) = VOICE_CHANNEL_STATUS_UPDATE,
    VoiceChannelStartTimeUpdate(Box<VoiceChannelStartTimeUpdate>) = VOICE_CHANNEL_START_TIME_UPDATE,

    // Messages, reactions, polls, typing.
    MessageCreate(Box<Message>) = MESSAGE_CREATE,
    MessageUpdate(Box<Message>) = MESSAGE_UPDATE,
    MessageDelete(Box<MessageDelete>) = MESSAGE_DELETE,
    MessageDeleteBulk(Box<MessageDeleteBulk>) = MESSAGE_DELETE_BULK,
    MessageReactionAdd(Box<ReactionAdd>) = MESSAGE_REACTION_ADD,
    MessageReactionRemove(Box<ReactionRemove>) = MESSAGE_REACTION_REMOVE,
    MessageReactionRemoveAll(Box<ReactionRemoveAll>) = MESSAGE_REACTION_REMOVE_ALL,
    MessageReactionRemoveEmoji(Box<ReactionRemoveEmoji>) = MESSAGE_REACTION_REMOVE_EMOJI,
    MessagePollVoteAdd(Box<PollVote>) = MESSAGE_POLL_VOTE_ADD,
    MessagePollVoteRemove(Box<PollVote>) = MESSAGE_POLL_VOTE_REMOVE,
    TypingStart(Box<TypingStart>) = TYPING_START,

    // Presence, users, voice.
    PresenceUpdate(Box<Presence>) = PRESENCE_UPDATE,
    UserUpdate(Box<User>) = USER_UPDATE,
    VoiceStateUpdate(Box<VoiceState>) = VOICE_STATE_UPDATE,
    VoiceServerUpdate(Box<VoiceServerUpdate>) = VOICE_SERVER_UPDATE,
    VoiceChannelEffectSend(Box<VoiceChannelEffectSend>) = VOICE_CHANNEL_EFFECT_SEND,
    WebhooksUpdate(WebhooksUpdate) = WEBHOOKS_UPDATE,
    InviteCreate(Box<InviteCreate>) = INVITE_CREATE,
    InviteDelete(Box<InviteDelete>) = INVITE_DELETE,

    // Apps, moderation, monetization.
    InteractionCreate(Box<Interaction>) = INTERACTION_CREATE,
    ApplicationCommandPermissionsUpdate(Box<CommandPermissions>) = APPLICATION_COMMAND_PERMISSIONS_UPDATE,
    AutoModerationRuleCreate(Box<AutoModerationRule>) = AUTO_MODERATION_RULE_CREATE,
    AutoModerationRuleUpdate(Box<AutoModerationRule>) = AUTO_MODERATION_RULE_UPDATE,
    AutoModerationRuleDelete(Box<AutoModerationRule>) = AUTO_MODERATION_RULE_DELETE,
    AutoModerationActionExecution(Box<AutoModerationActionExecution>) = AUTO_MODERATION_ACTION_EXECUTION,
    EntitlementCreate(Box<Entitlement>) = ENTITLEMENT_CREATE,
    EntitlementUpdate(Box<Entitlement>) = ENTITLEMENT_UPDATE,
    EntitlementDelete(Box<Entitlement>) = ENTITLEMENT_DELETE,
    SubscriptionCreate(Box<Subscription>) = SUBSCRIPTION_CREATE,
    SubscriptionUpdate(Box<Subscription>) = SUBSCRIPTION_UPDATE,
    SubscriptionDelete(Box<Subscription>) = SUBSCRIPTION_DELETE,
}

/// An unknown dispatch serializes as its raw `d`.
#[allow(clippy::borrowed_box)] // serde hands the variant's field as it is declared.
fn unknown_data<S: serde::Serializer>(
    dispatch: &Box<Dispatch>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error;
    let raw: &serde_json::value::RawValue =
        serde_json::from_str(dispatch.data()).map_err(S::Error::custom)?;
    raw.serialize(serializer)
}

/// Parses `dispatch` with serde_json; the same as [`Dispatch::parse`].
pub fn parse(dispatch: &Dispatch) -> Result<DispatchEvent, ParseError> {
    parse_with(dispatch, &mut SerdeJson)
}

/// Builds a [`Dispatch`] from the text of one dispatch frame (op 0 with `t` and `s`), as the
/// shard machine does: for tests, benchmarks and replaying recorded traffic. `None` when the
/// text is not a well-formed dispatch frame.
///
/// ```
/// use gateway_proto::model::{dispatch_from_frame, DispatchEvent};
///
/// let frame = r#"{"op":0,"s":7,"t":"WEBHOOKS_UPDATE","d":{"guild_id":"1","channel_id":"2"}}"#;
/// let dispatch = dispatch_from_frame(frame.to_owned()).unwrap();
/// let DispatchEvent::WebhooksUpdate(update) = dispatch.parse().unwrap() else { panic!() };
/// assert_eq!(update.channel_id.get(), 2);
/// ```
pub fn dispatch_from_frame(text: String) -> Option<Dispatch> {
    let envelope = crate::envelope::scan(&text).ok()?;
    if envelope.op != 0 {
        return None;
    }
    let (seq, event_type) = (envelope.seq?, EventType::from_name(&envelope.event_type?));
    let data = envelope.data;
    Some(Dispatch {
        event_type,
        seq,
        payload: crate::event::Payload::new(text, data),
    })
}

/// Parses `dispatch` if its kind is in `wanted`, else `None` (nothing is read).
///
/// The shard machine already applies its configured [`EventTypeFlags`], so adapters can call
/// [`Dispatch::parse`] directly; this is for loops that narrow the set further.
pub fn parse_wanted(
    dispatch: &Dispatch,
    wanted: EventTypeFlags,
) -> Option<Result<DispatchEvent, ParseError>> {
    wanted
        .intersects(dispatch.event_type.flag())
        .then(|| parse(dispatch))
}

/// What a parser reports when `d` does not fit: a message and, if known, the byte offset in
/// `d` where it stopped.
struct Failure {
    message: String,
    offset: Option<usize>,
}

/// One JSON parser: reads a whole text into `T` in one pass.
trait Parser {
    fn read<T: DeserializeOwned>(&mut self, data: &str) -> Result<T, Failure>;
}

struct SerdeJson;

impl Parser for SerdeJson {
    fn read<T: DeserializeOwned>(&mut self, data: &str) -> Result<T, Failure> {
        serde_json::from_str(data).map_err(|error| Failure {
            offset: offset_of(data, error.line(), error.column()),
            message: error.to_string(),
        })
    }
}

/// serde_json reports 1-based lines and the column (bytes into the line) where it stopped.
fn offset_of(data: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        data.match_indices('\n').nth(line - 2)?.0 + 1
    };
    Some((line_start + column).min(data.len()))
}

/// Parses dispatches with simd-json (the `simd-json` feature), reusing its buffers between
/// calls.
///
/// simd-json parses in place, so `d` is first copied into a buffer owned by the parser. Keep
/// one `SimdParser` per shard loop. Whether it beats serde_json depends on the payloads: see
/// the crate README for measured numbers.
#[cfg(feature = "simd-json")]
#[derive(Default)]
pub struct SimdParser {
    copy: Vec<u8>,
    buffers: Option<simd_json::Buffers>,
}

#[cfg(feature = "simd-json")]
impl fmt::Debug for SimdParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimdParser")
            .field("capacity", &self.copy.capacity())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "simd-json")]
impl SimdParser {
    /// A parser with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `dispatch` with simd-json into the same types as [`Dispatch::parse`].
    pub fn parse(&mut self, dispatch: &Dispatch) -> Result<DispatchEvent, ParseError> {
        parse_with(dispatch, self)
    }
}

#[cfg(feature = "simd-json")]
impl Parser for SimdParser {
    fn read<T: DeserializeOwned>(&mut self, data: &str) -> Result<T, Failure> {
        self.copy.clear();
        self.copy.extend_from_slice(data.as_bytes());
        let buffers = self
            .buffers
            .get_or_insert_with(|| simd_json::Buffers::new(data.len()));
        simd_json::serde::from_slice_with_buffers(&mut self.copy, buffers).map_err(|error| {
            // Errors raised by serde (a missing field, a wrong type) carry no position.
            let index = error.index();
            Failure {
                offset: (index > 0).then_some(index.min(data.len())),
                message: error.to_string(),
            }
        })
    }
}

/// A known dispatch whose `d` does not fit its payload type.
///
/// Carries the name, the parser's message and at most [`EXCERPT_BYTES`] bytes of `d` around
/// where parsing stopped (the start of `d` when the parser gave no position).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// The dispatch name.
    pub event_type: EventType,
    /// What the parser said, cut to [`EXCERPT_BYTES`] bytes (and an ellipsis).
    pub message: String,
    /// Byte offset in `d` where parsing stopped, if the parser knew.
    pub offset: Option<usize>,
    /// Byte offset in `d` where [`ParseError::excerpt`] starts.
    pub excerpt_start: usize,
    /// Up to [`EXCERPT_BYTES`] bytes of `d` around `offset`.
    pub excerpt: String,
    /// Length of `d` in bytes.
    pub data_len: usize,
}

impl ParseError {
    fn new(event_type: EventType, data: &str, failure: Failure) -> Self {
        let at = failure.offset.unwrap_or(0).min(data.len());
        let mut start = at.saturating_sub(EXCERPT_BYTES / 2);
        let mut end = (start + EXCERPT_BYTES).min(data.len());
        start = start.min(end.saturating_sub(EXCERPT_BYTES));
        while !data.is_char_boundary(start) {
            start += 1;
        }
        while !data.is_char_boundary(end) {
            end -= 1;
        }
        // serde's messages quote the offending value, which may be huge: cap them too.
        let mut message = failure.message;
        if message.len() > EXCERPT_BYTES {
            let mut cut = EXCERPT_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        Self {
            event_type,
            message,
            offset: failure.offset,
            excerpt_start: start,
            // The loops above moved both ends onto char boundaries within `data`.
            excerpt: data[start..end].to_owned(),
            data_len: data.len(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot parse {} ({} bytes): {}; near byte {}: {:?}",
            self.event_type.name(),
            self.data_len,
            self.message,
            self.excerpt_start,
            self.excerpt
        )
    }
}

impl std::error::Error for ParseError {}
