//! One realistic payload per dispatch name of protocol.md §12 (tests/fixtures/NAME.json,
//! written from protocol.md's shapes; READY, GUILD_CREATE, MESSAGE_CREATE, PRESENCE_UPDATE,
//! TYPING_START and GUILD_MEMBERS_CHUNK are §13's examples verbatim), each parsed through
//! `Dispatch::parse` with its key fields asserted and round-tripped (parse → serialize →
//! parse gives an equal value).
#![cfg(feature = "model")]

use gateway_proto::model::*;
use gateway_proto::{Dispatch, EventType, Id};
use std::path::PathBuf;

const GUILD_G: Id = Id::new(820_627_323_903_672_320);
const GUILD_H: Id = Id::new(981_346_340_065_902_592);
const BOT: Id = Id::new(1_194_566_300_643_491_842);
const ALICE: Id = Id::new(646_771_746_908_798_983);
const BOB: Id = Id::new(673_347_365_826_068_488);
const GENERAL: Id = Id::new(820_627_324_218_245_123);
const VOICE: Id = Id::new(820_627_324_398_600_196);
const MOD_ROLE: Id = Id::new(820_959_526_340_657_158);
const MESSAGE: Id = Id::new(1_533_128_192_024_510_473);
const THREAD: Id = Id::new(1_533_128_199_999_115_264);

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"))
}

fn dispatch(name: &str) -> Dispatch {
    let text = std::fs::read_to_string(fixture_path(name)).expect("fixture exists");
    let dispatch = dispatch_from_frame(text).expect("fixture is a dispatch frame");
    assert_eq!(dispatch.event_type.name(), name);
    dispatch
}

/// Parses the fixture, checks the round trip, and returns the typed event.
fn event(name: &str) -> DispatchEvent {
    let dispatch = dispatch(name);
    let event = dispatch
        .parse()
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    assert_eq!(event.event_type().name(), name);
    assert_round_trip(name, &event);
    event
}

fn assert_round_trip(name: &str, event: &DispatchEvent) {
    let data = serde_json::to_string(event).unwrap();
    let frame = format!(r#"{{"op":0,"s":1,"t":"{name}","d":{data}}}"#);
    let again = dispatch_from_frame(frame).unwrap().parse().unwrap();
    assert_eq!(&again, event, "{name} round trip via {data}");
}

macro_rules! typed {
    ($name:literal, $variant:ident) => {{
        match event($name) {
            DispatchEvent::$variant(payload) => payload,
            other => panic!("{} parsed as {:?}", $name, other.event_type()),
        }
    }};
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn every_known_event_type_has_a_fixture_and_a_typed_variant() {
    assert_eq!(EventType::KNOWN.len(), 79);
    for event_type in EventType::KNOWN {
        let name = event_type.name();
        assert!(fixture_path(name).exists(), "no fixture for {name}");
        let event = event(name);
        assert!(!matches!(event, DispatchEvent::Unknown(_)), "{name}");
        assert_eq!(&event.event_type(), event_type);
    }
    let fixtures = std::fs::read_dir(fixture_path("x").parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(fixtures, EventType::KNOWN.len(), "a fixture with no name");
}

#[test]
fn enum_stays_small() {
    assert!(std::mem::size_of::<DispatchEvent>() <= 24);
}

#[test]
fn session_events() {
    let ready = typed!("READY", Ready);
    assert_eq!(ready.v, 10);
    assert_eq!(ready.user.id, BOT);
    assert!(ready.user.bot);
    assert_eq!(ready.user.email, None);
    assert_eq!(ready.guilds.len(), 2);
    assert_eq!(ready.guilds[1].id, GUILD_H);
    assert_eq!(ready.guilds[1].unavailable, Some(true));
    assert_eq!(ready.session_id, "9f1c2e7a4b8d4c0f8e3a6b5d2c1f0e97");
    assert_eq!(
        ready.resume_gateway_url,
        "wss://gateway-us-east1-b.discord.gg"
    );
    assert_eq!(ready.shard, Some([1, 2]));
    assert_eq!(ready.application.id, BOT);
    assert_eq!(ready.application.flags, Some(565_248));

    assert_eq!(typed!("RESUMED", Resumed), Resumed {});

    let limited = typed!("RATE_LIMITED", RateLimited);
    assert_eq!(limited.opcode, 8);
    assert_eq!(limited.retry_after, 27.4);
    assert_eq!(limited.retry_after().as_millis(), 27_400);
    assert_eq!(limited.meta.guild_id, Some(GUILD_G));
    assert_eq!(limited.meta.nonce.as_deref(), Some("req-1"));
}

#[test]
fn guild_create_of_protocol_md_13_3() {
    let GuildCreate::Available(guild) = typed!("GUILD_CREATE", GuildCreate) else {
        panic!("available guild");
    };
    assert_eq!(guild.id, GUILD_G);
    assert_eq!(guild.name, "Sim Test Guild");
    assert_eq!(guild.owner_id, Some(ALICE));
    assert_eq!(guild.verification_level, VerificationLevel::Low);
    assert_eq!(
        guild.explicit_content_filter,
        ExplicitContentFilter::AllMembers
    );
    assert_eq!(guild.roles.len(), 2);
    assert_eq!(guild.roles[0].id, GUILD_G, "@everyone shares the guild id");
    assert_eq!(guild.roles[1].colors.unwrap().primary_color, 3_447_003);
    assert_eq!(guild.roles[1].permissions, Permissions(1_099_511_627_775));
    assert_eq!(
        guild.joined_at,
        Some(ts("2024-01-10T09:05:12.345000+00:00"))
    );
    assert_eq!(guild.member_count, Some(3));
    assert_eq!(guild.channels[0].kind, ChannelType::GuildText);
    assert_eq!(guild.channels[0].guild_id, None, "may lack guild_id");
    assert_eq!(guild.channels[1].kind, ChannelType::GuildVoice);
    assert_eq!(guild.channels[1].bitrate, Some(64_000));
    assert_eq!(guild.voice_states[0].user_id, BOB);
    assert_eq!(guild.voice_states[0].channel_id, Some(VOICE));
    assert!(guild.voice_states[0].self_mute);
    assert_eq!(guild.members.len(), 2);
    assert_eq!(guild.members[1].user.as_ref().unwrap().id, BOB);
    assert_eq!(guild.members[1].pending, Some(false));
    assert_eq!(guild.presences[0].status, Some(Status::Online));
    assert_eq!(
        guild.presences[0].client_status.desktop,
        Some(Status::Online)
    );

    let update = typed!("GUILD_UPDATE", GuildUpdate);
    assert_eq!(update.name, "Sim Test Guild (renamed)");
    assert_eq!(update.features, ["COMMUNITY", "NEWS"]);
    assert_eq!(update.premium_tier, PremiumTier::Tier1);
    assert_eq!(update.mfa_level, MfaLevel::Elevated);
    let incidents = update.incidents_data.as_ref().unwrap();
    assert_eq!(
        incidents.invites_disabled_until,
        Some(ts("2026-08-02T00:00:00Z"))
    );
    assert!(update.members.is_empty());

    let deleted = typed!("GUILD_DELETE", GuildDelete);
    assert_eq!(deleted.id, GUILD_H);
    assert!(!deleted.is_removal());
}

#[test]
fn guild_create_for_an_unavailable_guild() {
    let frame =
        r#"{"op":0,"s":3,"t":"GUILD_CREATE","d":{"id":"981346340065902592","unavailable":true}}"#;
    let event = dispatch_from_frame(frame.into()).unwrap().parse().unwrap();
    let DispatchEvent::GuildCreate(GuildCreate::Unavailable(guild)) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(guild.id, GUILD_H);
    assert_round_trip("GUILD_CREATE", &event);
    // GUILD_DELETE without `unavailable`: the bot was removed (protocol.md §4.2).
    let frame = r#"{"op":0,"s":4,"t":"GUILD_DELETE","d":{"id":"981346340065902592"}}"#;
    let DispatchEvent::GuildDelete(guild) =
        dispatch_from_frame(frame.into()).unwrap().parse().unwrap()
    else {
        panic!();
    };
    assert!(guild.is_removal());
}

#[test]
fn role_and_moderation_events() {
    assert_eq!(
        typed!("GUILD_ROLE_CREATE", GuildRoleCreate).role.name,
        "Mod"
    );
    let update = typed!("GUILD_ROLE_UPDATE", GuildRoleUpdate);
    assert_eq!(
        update.role.colors.unwrap().secondary_color,
        Some(15_844_367)
    );
    let tags = update.role.tags.as_ref().unwrap();
    assert_eq!(tags.bot_id, Some(BOT));
    assert!(tags.premium_subscriber, "a null-valued key means true");
    assert!(!tags.guild_connections);
    assert_eq!(
        typed!("GUILD_ROLE_DELETE", GuildRoleDelete).role_id,
        MOD_ROLE
    );

    let entry = typed!("GUILD_AUDIT_LOG_ENTRY_CREATE", GuildAuditLogEntryCreate);
    assert_eq!(entry.guild_id, Some(GUILD_G));
    assert_eq!(entry.action_type, 24);
    assert_eq!(entry.target_id.as_deref(), Some("673347365826068488"));
    let change = &entry.changes.as_ref().unwrap()[0];
    assert_eq!(change.key, "nick");
    assert_eq!(change.new_value, Some(serde_json::json!("bobby")));
    assert_eq!(change.old_value, None, "null reads as absent");

    assert_eq!(typed!("GUILD_BAN_ADD", GuildBanAdd).user.id, BOB);
    assert_eq!(typed!("GUILD_BAN_REMOVE", GuildBanRemove).guild_id, GUILD_G);

    let rule = typed!("AUTO_MODERATION_RULE_CREATE", AutoModerationRuleCreate);
    assert_eq!(rule.trigger_type, AutoModerationTriggerType::Keyword);
    assert_eq!(rule.event_type, AutoModerationEventType::MessageSend);
    assert_eq!(
        rule.trigger_metadata.keyword_filter.as_deref(),
        Some(&["discord.gg/*".to_owned()][..])
    );
    assert_eq!(rule.actions.len(), 3);
    assert_eq!(rule.actions[2].kind, AutoModerationActionType::Timeout);
    assert_eq!(
        rule.actions[2].metadata.as_ref().unwrap().duration_seconds,
        Some(60)
    );
    assert!(!typed!("AUTO_MODERATION_RULE_UPDATE", AutoModerationRuleUpdate).enabled);
    assert_eq!(
        typed!("AUTO_MODERATION_RULE_DELETE", AutoModerationRuleDelete).exempt_roles,
        [MOD_ROLE]
    );
    let execution = typed!(
        "AUTO_MODERATION_ACTION_EXECUTION",
        AutoModerationActionExecution
    );
    assert_eq!(execution.user_id, BOB);
    assert_eq!(execution.message_id, None);
    assert_eq!(
        execution.matched_content.as_deref(),
        Some("discord.gg/spam")
    );
    assert_eq!(
        execution.action.kind,
        AutoModerationActionType::BlockMessage
    );
}

#[test]
fn expression_events() {
    let emojis = typed!("GUILD_EMOJIS_UPDATE", GuildEmojisUpdate);
    assert_eq!(emojis.emojis[0].name.as_deref(), Some("simparrot"));
    assert_eq!(emojis.emojis[0].animated, Some(true));
    let stickers = typed!("GUILD_STICKERS_UPDATE", GuildStickersUpdate);
    assert_eq!(stickers.stickers[0].kind, StickerType::Guild);
    assert_eq!(stickers.stickers[0].format_type, StickerFormatType::Png);

    let created = typed!("GUILD_SOUNDBOARD_SOUND_CREATE", GuildSoundboardSoundCreate);
    assert_eq!(created.name, "airhorn");
    assert_eq!(created.volume, 0.8);
    assert_eq!(created.emoji_name.as_deref(), Some("📯"));
    let updated = typed!("GUILD_SOUNDBOARD_SOUND_UPDATE", GuildSoundboardSoundUpdate);
    assert_eq!(updated.volume, 1.0);
    let deleted = typed!("GUILD_SOUNDBOARD_SOUND_DELETE", GuildSoundboardSoundDelete);
    assert_eq!(deleted.sound_id, created.sound_id);
    let sounds = typed!(
        "GUILD_SOUNDBOARD_SOUNDS_UPDATE",
        GuildSoundboardSoundsUpdate
    );
    assert_eq!(sounds.soundboard_sounds.len(), 1);
    let reply = typed!("SOUNDBOARD_SOUNDS", SoundboardSounds);
    assert_eq!(reply.guild_id, GUILD_G);
    assert_eq!(reply.soundboard_sounds[1].emoji_name, None);
}

#[test]
fn integration_webhook_and_invite_events() {
    assert_eq!(
        typed!("GUILD_INTEGRATIONS_UPDATE", GuildIntegrationsUpdate).guild_id,
        GUILD_G
    );
    let created = typed!("INTEGRATION_CREATE", IntegrationCreate);
    assert_eq!(created.kind, "twitch");
    assert_eq!(created.account.name, "simstreamer");
    assert_eq!(created.guild_id, Some(GUILD_G));
    assert_eq!(
        typed!("INTEGRATION_UPDATE", IntegrationUpdate).subscriber_count,
        Some(18)
    );
    assert_eq!(
        typed!("INTEGRATION_DELETE", IntegrationDelete).application_id,
        Some(BOT)
    );
    assert_eq!(
        typed!("WEBHOOKS_UPDATE", WebhooksUpdate).channel_id,
        GENERAL
    );

    let invite = typed!("INVITE_CREATE", InviteCreate);
    assert_eq!(invite.code, "simGuild");
    assert_eq!(invite.max_age, 86_400);
    assert_eq!(invite.inviter.as_ref().unwrap().id, ALICE);
    assert_eq!(
        invite.expires_at.unwrap().unix_micros() - invite.created_at.unix_micros(),
        86_400_000_000
    );
    assert_eq!(typed!("INVITE_DELETE", InviteDelete).code, "simGuild");
}

#[test]
fn member_events() {
    let added = typed!("GUILD_MEMBER_ADD", GuildMemberAdd);
    assert_eq!((added.guild_id, added.user.id), (GUILD_G, BOB));
    assert_eq!(added.pending, Some(true));
    let updated = typed!("GUILD_MEMBER_UPDATE", GuildMemberUpdate);
    assert_eq!(updated.nick.as_deref(), Some("ali"));
    assert_eq!(updated.roles, [MOD_ROLE]);
    assert_eq!(
        updated.communication_disabled_until,
        Some(ts("2026-08-01T16:00:00Z"))
    );
    assert_eq!(
        typed!("GUILD_MEMBER_REMOVE", GuildMemberRemove).user.id,
        BOB
    );

    let chunk = typed!("GUILD_MEMBERS_CHUNK", GuildMembersChunk);
    assert_eq!((chunk.chunk_index, chunk.chunk_count), (0, 1));
    assert_eq!(chunk.nonce.as_deref(), Some("req-1"));
    assert_eq!(chunk.members[0].nick.as_deref(), Some("ali"));
    assert_eq!(
        chunk.members[1]
            .user
            .as_ref()
            .unwrap()
            .global_name
            .as_deref(),
        Some("Bob")
    );
    assert_eq!(chunk.presences.as_ref().unwrap()[0].user.id, BOB);
    assert_eq!(chunk.not_found.as_deref(), Some(&[][..]));

    let user = typed!("USER_UPDATE", UserUpdate);
    assert_eq!(user.id, BOT);
    assert_eq!(user.discriminator, "4821");
    assert_eq!(
        user.primary_guild.as_ref().unwrap().tag.as_deref(),
        Some("SIM")
    );
}

#[test]
fn scheduled_event_and_stage_events() {
    let created = typed!("GUILD_SCHEDULED_EVENT_CREATE", GuildScheduledEventCreate);
    assert_eq!(created.name, "Game night");
    assert_eq!(created.status, ScheduledEventStatus::Scheduled);
    assert_eq!(created.entity_type, ScheduledEventEntityType::Voice);
    assert_eq!(created.channel_id, Some(VOICE));
    assert_eq!(
        typed!("GUILD_SCHEDULED_EVENT_UPDATE", GuildScheduledEventUpdate).status,
        ScheduledEventStatus::Active
    );
    assert_eq!(
        typed!("GUILD_SCHEDULED_EVENT_DELETE", GuildScheduledEventDelete).status,
        ScheduledEventStatus::Canceled
    );
    let add = typed!("GUILD_SCHEDULED_EVENT_USER_ADD", GuildScheduledEventUserAdd);
    assert_eq!(
        (add.user_id, add.guild_scheduled_event_id),
        (BOB, created.id)
    );
    assert_eq!(
        typed!(
            "GUILD_SCHEDULED_EVENT_USER_REMOVE",
            GuildScheduledEventUserRemove
        )
        .user_id,
        BOB
    );

    assert_eq!(
        typed!("STAGE_INSTANCE_CREATE", StageInstanceCreate).topic,
        "Town hall"
    );
    assert_eq!(
        typed!("STAGE_INSTANCE_UPDATE", StageInstanceUpdate).topic,
        "Town hall: Q&A"
    );
    assert_eq!(
        typed!("STAGE_INSTANCE_DELETE", StageInstanceDelete).privacy_level,
        2
    );
}

#[test]
fn channel_and_thread_events() {
    let created = typed!("CHANNEL_CREATE", ChannelCreate);
    assert_eq!(created.id, GENERAL);
    assert_eq!(created.guild_id, Some(GUILD_G));
    let overwrites = created.permission_overwrites.as_ref().unwrap();
    assert_eq!(overwrites[0].kind, OverwriteType::Role);
    assert_eq!(overwrites[1].kind, OverwriteType::Member);
    assert_eq!(overwrites[1].deny, Permissions(2048));
    assert_eq!(
        typed!("CHANNEL_UPDATE", ChannelUpdate).rate_limit_per_user,
        Some(5)
    );
    assert_eq!(
        typed!("CHANNEL_DELETE", ChannelDelete).kind,
        ChannelType::GuildVoice
    );
    let pins = typed!("CHANNEL_PINS_UPDATE", ChannelPinsUpdate);
    assert_eq!(pins.last_pin_timestamp, Some(ts("2026-08-01T15:05:00Z")));

    let info = typed!("CHANNEL_INFO", ChannelInfo);
    assert_eq!(
        info.channels[0].status,
        Some(Some("Playing chess".to_owned()))
    );
    assert_eq!(info.channels[0].voice_start_time, Some(Some(1_785_596_400)));
    assert_eq!(info.channels[1].status, Some(None), "null is not missing");

    let thread = typed!("THREAD_CREATE", ThreadCreate);
    assert!(thread.kind.is_thread());
    assert_eq!(thread.newly_created, Some(true));
    assert_eq!(thread.parent_id, Some(GENERAL));
    assert_eq!(thread.member.as_ref().unwrap().user_id, Some(BOT));
    assert_eq!(
        thread
            .thread_metadata
            .as_ref()
            .unwrap()
            .auto_archive_duration,
        1440
    );
    let updated = typed!("THREAD_UPDATE", ThreadUpdate);
    assert!(updated.thread_metadata.as_ref().unwrap().archived);
    let deleted = typed!("THREAD_DELETE", ThreadDelete);
    assert_eq!(
        (deleted.id, deleted.kind),
        (THREAD, ChannelType::PublicThread)
    );
    let sync = typed!("THREAD_LIST_SYNC", ThreadListSync);
    assert_eq!(sync.channel_ids.as_deref(), Some(&[GENERAL][..]));
    assert_eq!(sync.threads[0].id, THREAD);
    assert_eq!(sync.members[0].flags, 1);
    let member = typed!("THREAD_MEMBER_UPDATE", ThreadMemberUpdate);
    assert_eq!(member.guild_id, Some(GUILD_G));
    let members = typed!("THREAD_MEMBERS_UPDATE", ThreadMembersUpdate);
    assert_eq!(members.member_count, 3);
    assert_eq!(
        members.added_members[0]
            .member
            .as_ref()
            .unwrap()
            .user
            .as_ref()
            .unwrap()
            .id,
        BOB
    );
    assert_eq!(members.removed_member_ids, [ALICE]);

    let status = typed!("VOICE_CHANNEL_STATUS_UPDATE", VoiceChannelStatusUpdate);
    assert_eq!(status.status.as_deref(), Some("Playing chess"));
    let start = typed!(
        "VOICE_CHANNEL_START_TIME_UPDATE",
        VoiceChannelStartTimeUpdate
    );
    assert_eq!(
        (start.id, start.voice_start_time),
        (VOICE, Some(1_785_596_400))
    );
}

#[test]
fn message_create_of_protocol_md_13_4() {
    let message = typed!("MESSAGE_CREATE", MessageCreate);
    assert_eq!(message.id, MESSAGE);
    assert_eq!(message.channel_id, GENERAL);
    assert_eq!(message.guild_id, Some(GUILD_G));
    assert_eq!(message.author.id, ALICE);
    assert_eq!(message.author.public_flags, Some(0));
    let member = message.member.as_ref().unwrap();
    assert!(member.user.is_none(), "the message member has no user");
    assert_eq!(member.roles, [MOD_ROLE]);
    assert_eq!(message.content, "hello <@1194566300643491842>");
    assert_eq!(message.timestamp.unix_millis(), 1_785_596_645_123);
    assert_eq!(
        message.timestamp.unix_millis() as u64,
        MESSAGE.timestamp_ms()
    );
    assert_eq!(message.edited_timestamp, None);
    assert_eq!(message.mentions[0].id, BOT);
    assert!(message.mentions[0].bot);
    assert!(message.mentions[0].member.is_some());
    assert_eq!(message.kind, MessageType::Default);
    assert_eq!(
        message.nonce,
        Some(Nonce::String("1533128190000000000".into()))
    );
    assert_eq!(message.channel_type, Some(ChannelType::GuildText));
    assert_eq!(message.components.as_deref(), Some(&[][..]));
}

#[test]
fn message_update_with_embeds_attachments_components_and_poll() {
    let message = typed!("MESSAGE_UPDATE", MessageUpdate);
    assert_eq!(message.kind, MessageType::Reply);
    assert_eq!(message.nonce, Some(Nonce::Integer(42)));
    assert_eq!(
        message.edited_timestamp.unwrap().unix_micros() % 1_000_000,
        250_000
    );
    let attachment = &message.attachments[0];
    assert_eq!(
        (attachment.filename.as_str(), attachment.size),
        ("plan.png", 48_213)
    );
    assert_eq!(
        (attachment.width, attachment.height),
        (Some(800), Some(600))
    );
    let embed = &message.embeds[0];
    assert_eq!(embed.kind.as_deref(), Some("rich"));
    assert_eq!(embed.color, Some(5_814_783));
    assert!(embed.fields[0].inline);
    assert_eq!(embed.thumbnail.as_ref().unwrap().width, Some(64));

    let components = message.components.as_ref().unwrap();
    assert_eq!(components[0].kind, ComponentType::ActionRow);
    let button = &components[0].components[0];
    assert_eq!(button.kind, ComponentType::Button);
    assert_eq!(button.custom_id.as_deref(), Some("vote"));
    assert_eq!(
        components[0].components[1].url.as_deref(),
        Some("https://example.com/docs")
    );
    let select = &components[1].components[0];
    assert_eq!(select.kind, ComponentType::StringSelect);
    let options = select.options.as_ref().unwrap();
    assert!(options[0].default);
    assert_eq!(
        options[1].emoji.as_ref().unwrap().name.as_deref(),
        Some("🅱️")
    );

    let reference = message.message_reference.as_ref().unwrap();
    assert_eq!(reference.message_id, Some(MESSAGE));
    assert_eq!(message.referenced_message, None, "null: deleted");
    assert_eq!(message.reactions.as_ref().unwrap()[0].count, 2);
    assert_eq!(message.sticker_items.as_ref().unwrap()[0].name, "wave");

    let poll = message.poll.as_ref().unwrap();
    assert_eq!(poll.question.text.as_deref(), Some("Ship it?"));
    assert_eq!(poll.answers[1].answer_id, 2);
    assert_eq!(poll.results.as_ref().unwrap().answer_counts[0].count, 3);
}

#[test]
fn message_delete_reaction_poll_and_typing_events() {
    assert_eq!(typed!("MESSAGE_DELETE", MessageDelete).id, MESSAGE);
    assert_eq!(
        typed!("MESSAGE_DELETE_BULK", MessageDeleteBulk).ids.len(),
        2
    );

    let add = typed!("MESSAGE_REACTION_ADD", MessageReactionAdd);
    assert_eq!(add.user_id, ALICE);
    assert_eq!(add.kind, ReactionType::Burst);
    assert!(add.burst);
    assert_eq!(add.burst_colors, ["#ff0000", "#00ff00"]);
    assert_eq!(add.message_author_id, Some(BOB));
    assert_eq!(
        add.member.as_ref().unwrap().user.as_ref().unwrap().id,
        ALICE
    );
    let remove = typed!("MESSAGE_REACTION_REMOVE", MessageReactionRemove);
    assert_eq!(remove.emoji.id, None);
    assert_eq!(remove.emoji.name.as_deref(), Some("👍"));
    assert_eq!(
        typed!("MESSAGE_REACTION_REMOVE_ALL", MessageReactionRemoveAll).message_id,
        MESSAGE
    );
    assert_eq!(
        typed!("MESSAGE_REACTION_REMOVE_EMOJI", MessageReactionRemoveEmoji)
            .emoji
            .name
            .as_deref(),
        Some("👍")
    );
    assert_eq!(
        typed!("MESSAGE_POLL_VOTE_ADD", MessagePollVoteAdd).answer_id,
        1
    );
    assert_eq!(
        typed!("MESSAGE_POLL_VOTE_REMOVE", MessagePollVoteRemove).answer_id,
        2
    );

    let typing = typed!("TYPING_START", TypingStart);
    assert_eq!(typing.user_id, ALICE);
    assert_eq!(typing.timestamp, 1_785_596_645, "unix seconds");
    assert_eq!(
        typing
            .member
            .as_ref()
            .unwrap()
            .user
            .as_ref()
            .unwrap()
            .username,
        "alice"
    );
}

#[test]
fn presence_and_voice_events() {
    let presence = typed!("PRESENCE_UPDATE", PresenceUpdate);
    assert_eq!(presence.user.id, ALICE);
    assert_eq!(presence.guild_id, Some(GUILD_G));
    assert_eq!(presence.status, Some(Status::Idle));
    let activity = &presence.activities[0];
    assert_eq!(activity.name, "Rocket League");
    assert_eq!(activity.kind, ActivityType::Playing);
    assert_eq!(activity.created_at, Some(1_785_596_700_000));
    assert_eq!(
        activity.timestamps.as_ref().unwrap().start,
        Some(1_785_596_000_000)
    );
    assert_eq!(
        activity.application_id,
        Some(Id::new(379_286_085_710_381_999))
    );
    assert_eq!(presence.client_status.desktop, Some(Status::Idle));
    assert_eq!(presence.client_status.mobile, Some(Status::Online));
    assert_eq!(presence.client_status.vr, None);

    let voice = typed!("VOICE_STATE_UPDATE", VoiceStateUpdate);
    assert_eq!((voice.user_id, voice.channel_id), (BOT, Some(VOICE)));
    assert_eq!(voice.session_id, "90326bd25d71d39b9ef95b299e3872ff");
    assert!(voice.self_deaf);
    let server = typed!("VOICE_SERVER_UPDATE", VoiceServerUpdate);
    assert_eq!(server.token, "abc123");
    assert_eq!(
        server.endpoint.as_deref(),
        Some("sweetwater-12345.discord.media:2048")
    );
    let effect = typed!("VOICE_CHANNEL_EFFECT_SEND", VoiceChannelEffectSend);
    assert_eq!(effect.animation_type, Some(AnimationType::Basic));
    assert_eq!(effect.sound_id.unwrap().get(), 1_090_000_000_000_400_003);
    assert_eq!(effect.sound_volume, Some(0.5));
}

#[test]
fn app_and_monetization_events() {
    let interaction = typed!("INTERACTION_CREATE", InteractionCreate);
    assert_eq!(interaction.kind, InteractionType::ApplicationCommand);
    assert_eq!(interaction.data.as_ref().unwrap()["name"], "roll");
    assert_eq!(interaction.guild.as_ref().unwrap().id, GUILD_G);
    assert_eq!(interaction.channel.as_ref().unwrap().id, GENERAL);
    let member = interaction.member.as_ref().unwrap();
    assert_eq!(member.permissions, Some(Permissions(2_248_473_465_835_073)));
    assert_eq!(
        interaction.app_permissions,
        Permissions(2_248_473_465_835_073)
    );
    assert_eq!(interaction.authorizing_integration_owners["0"], GUILD_G);
    assert_eq!(interaction.version, 1);

    let permissions = typed!(
        "APPLICATION_COMMAND_PERMISSIONS_UPDATE",
        ApplicationCommandPermissionsUpdate
    );
    assert_eq!(permissions.permissions.len(), 3);
    assert_eq!(
        permissions.permissions[2].kind,
        CommandPermissionType::Channel
    );
    assert!(!permissions.permissions[1].permission);

    let entitlement = typed!("ENTITLEMENT_CREATE", EntitlementCreate);
    assert_eq!(entitlement.kind, EntitlementType::ApplicationSubscription);
    assert_eq!(entitlement.user_id, Some(ALICE));
    assert!(typed!("ENTITLEMENT_UPDATE", EntitlementUpdate)
        .ends_at
        .is_some());
    assert!(typed!("ENTITLEMENT_DELETE", EntitlementDelete).deleted);

    let subscription = typed!("SUBSCRIPTION_CREATE", SubscriptionCreate);
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert_eq!(subscription.country.as_deref(), Some("DE"));
    assert_eq!(
        typed!("SUBSCRIPTION_UPDATE", SubscriptionUpdate).status,
        SubscriptionStatus::Ending
    );
    assert_eq!(
        typed!("SUBSCRIPTION_DELETE", SubscriptionDelete).status,
        SubscriptionStatus::Inactive
    );
}
