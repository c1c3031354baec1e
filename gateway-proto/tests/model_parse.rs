//! The parsing rules of the typed model (src/model/mod.rs): unknown names are raw, broken
//! known events give a bounded excerpt, new enum values and unknown keys never break parsing,
//! ids come as strings or numbers, and only wanted events are parsed.
#![cfg(feature = "model")]

use gateway_proto::model::*;
use gateway_proto::{Dispatch, EventType, EventTypeFlags, Id};

fn frame(t: &str, d: &str) -> Dispatch {
    dispatch_from_frame(format!(r#"{{"op":0,"s":9,"t":"{t}","d":{d}}}"#)).unwrap()
}

fn parse(t: &str, d: &str) -> Result<DispatchEvent, ParseError> {
    frame(t, d).parse()
}

#[test]
fn unknown_event_name_is_a_raw_dispatch_not_an_error() {
    let dispatch = frame("BRAND_NEW_EVENT", r#"{"x":[1,2,3]}"#);
    let event = dispatch.parse().unwrap();
    let DispatchEvent::Unknown(raw) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(**raw, dispatch);
    assert_eq!(event.event_type(), EventType::from_name("BRAND_NEW_EVENT"));
    // It serializes as its raw `d`.
    assert_eq!(serde_json::to_string(&event).unwrap(), r#"{"x":[1,2,3]}"#);
}

#[test]
fn broken_known_event_gives_its_name_and_a_bounded_excerpt() {
    // A GUILD_CREATE of about 2 MB whose last member has a bad joined_at.
    let member = r#"{"user":{"id":"1","username":"u","discriminator":"0","global_name":null,"avatar":null},"roles":[],"joined_at":"2021-03-14T12:00:01.204000+00:00","deaf":false,"mute":false,"flags":0}"#;
    let mut members = vec![member; 12_000];
    let broken = member.replace("2021-03-14T12:00:01.204000+00:00", "yesterday");
    members.push(&broken);
    let d = format!(
        r#"{{"id":"820627323903672320","name":"big","members":[{}]}}"#,
        members.join(",")
    );
    assert!(d.len() > 2_000_000);
    let error = parse("GUILD_CREATE", &d).unwrap_err();
    assert_eq!(error.event_type, EventType::GuildCreate);
    assert_eq!(error.data_len, d.len());
    assert!(error.excerpt.len() <= EXCERPT_BYTES);
    assert!(error.excerpt.contains("yesterday"), "{}", error.excerpt);
    let offset = error.offset.unwrap();
    assert!(offset > d.len() - 300, "{offset}");
    assert!(error.message.contains("yesterday"), "{}", error.message);
    let shown = error.to_string();
    assert!(shown.starts_with("cannot parse GUILD_CREATE"), "{shown}");
    assert!(shown.len() < 600, "{shown}");
}

#[test]
fn a_huge_wrong_value_is_not_quoted_whole() {
    // serde quotes the offending value in its message: a 1 MB string must not come back.
    let d = format!(
        r#"{{"channel_id":"2","last_pin_timestamp":"{}"}}"#,
        "9".repeat(1 << 20)
    );
    let error = parse("CHANNEL_PINS_UPDATE", &d).unwrap_err();
    assert!(error.message.len() <= EXCERPT_BYTES + '…'.len_utf8());
    assert!(error.excerpt.len() <= EXCERPT_BYTES);
    assert!(error.to_string().len() < 600);
}

#[test]
fn excerpt_stays_on_char_boundaries() {
    // Multi-byte text around the error: the excerpt must cut between characters.
    let d = format!(
        r#"{{"channel_id":"1","guild_id":"2","message_id":"3","emoji":{{"name":"{}"}},"user_id":"x"}}"#,
        "é".repeat(300)
    );
    let error = parse("MESSAGE_REACTION_REMOVE", &d).unwrap_err();
    assert!(error.excerpt.len() <= EXCERPT_BYTES);
    assert!(error.excerpt.contains("user_id"), "{}", error.excerpt);
}

#[test]
fn missing_required_field_and_wrong_shape_are_errors() {
    let error = parse("MESSAGE_DELETE", r#"{"channel_id":"1"}"#).unwrap_err();
    assert_eq!(error.event_type, EventType::MessageDelete);
    assert!(
        error.message.contains("missing field `id`"),
        "{}",
        error.message
    );
    assert!(parse("MESSAGE_DELETE", "null").is_err());
    assert!(parse("MESSAGE_DELETE", "[]").is_err());
    // A dispatch without `d` reads as null: fine for RESUMED, an error for the rest.
    let bare = dispatch_from_frame(r#"{"op":0,"s":3,"t":"RESUMED"}"#.into()).unwrap();
    assert_eq!(bare.parse().unwrap(), DispatchEvent::Resumed(Resumed {}));
}

#[test]
fn new_enum_values_parse_and_serialize_back() {
    let d = r#"{"id":"5","type":99,"guild_id":"1","name":"future"}"#;
    let DispatchEvent::ChannelCreate(channel) = parse("CHANNEL_CREATE", d).unwrap() else {
        panic!();
    };
    assert_eq!(channel.kind, ChannelType::Unknown(99));
    assert_eq!(serde_json::to_value(&*channel).unwrap()["type"], 99);

    let d = r#"{"user":{"id":"1"},"status":"streaming","activities":[{"name":"x","type":42},{"name":"untyped"}],
                "client_status":{"vr":"online","holo":"idle"}}"#;
    let DispatchEvent::PresenceUpdate(presence) = parse("PRESENCE_UPDATE", d).unwrap() else {
        panic!();
    };
    assert_eq!(presence.status, Some(Status::Unknown("streaming".into())));
    assert_eq!(presence.activities[0].kind, ActivityType::Unknown(42));
    // protocol.md §13.5: any presence field may be missing.
    assert_eq!(presence.activities[1].kind, ActivityType::Playing);
    assert_eq!(presence.client_status.vr, Some(Status::Online));
    let back = serde_json::to_value(&*presence).unwrap();
    assert_eq!(back["status"], "streaming");
    assert_eq!(back["activities"][0]["type"], 42);
}

#[test]
fn unknown_keys_are_ignored_everywhere() {
    let d = r#"{"id":"1","channel_id":"2","guild_id":"3","_trace":["x"],"future":{"deep":[1,{"a":null}]}}"#;
    let DispatchEvent::MessageDelete(delete) = parse("MESSAGE_DELETE", d).unwrap() else {
        panic!();
    };
    assert_eq!(delete.guild_id, Some(Id::new(3)));
}

#[test]
fn ids_arrive_as_strings_or_numbers_and_leave_as_strings() {
    // protocol.md §9.1: `not_found` may hold integers.
    let d = r#"{"guild_id":820627323903672320,"members":[],"chunk_index":0,"chunk_count":1,
               "not_found":[123123,"456"]}"#;
    let DispatchEvent::GuildMembersChunk(chunk) = parse("GUILD_MEMBERS_CHUNK", d).unwrap() else {
        panic!();
    };
    assert_eq!(chunk.not_found, Some(vec![Id::new(123_123), Id::new(456)]));
    let back = serde_json::to_value(&*chunk).unwrap();
    assert_eq!(back["guild_id"], "820627323903672320");
    assert_eq!(back["not_found"][0], "123123");
}

#[test]
fn optional_fields_are_left_out_and_nullable_fields_written_as_null() {
    let d = r#"{"token":"t","guild_id":"1","endpoint":null}"#;
    let event = parse("VOICE_SERVER_UPDATE", d).unwrap();
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"token":"t","guild_id":"1","endpoint":null}"#
    );
    let d = r#"{"channel_id":"2"}"#;
    let event = parse("CHANNEL_PINS_UPDATE", d).unwrap();
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"channel_id":"2"}"#
    );
}

#[test]
fn timestamps_keep_microseconds_and_write_discord_form() {
    let d = r#"{"channel_id":"2","last_pin_timestamp":"2026-08-01T15:04:05.123456Z"}"#;
    let event = parse("CHANNEL_PINS_UPDATE", d).unwrap();
    let DispatchEvent::ChannelPinsUpdate(pins) = &event else {
        panic!();
    };
    assert_eq!(
        pins.last_pin_timestamp.unwrap().unix_micros(),
        1_785_596_645_123_456
    );
    assert!(serde_json::to_string(&event)
        .unwrap()
        .contains("2026-08-01T15:04:05.123456+00:00"));
}

#[test]
fn only_wanted_events_are_parsed() {
    // The envelope scan already checked the syntax; this `d` lacks the required `id`.
    let dispatch = frame("MESSAGE_DELETE", r#"{"channel_id":"2"}"#);
    // Not wanted: nothing is read, so even a broken payload costs nothing.
    assert!(parse_wanted(&dispatch, EventTypeFlags::GUILD_CREATE).is_none());
    assert!(parse_wanted(&dispatch, EventTypeFlags::MESSAGE_DELETE)
        .unwrap()
        .is_err());
}

#[test]
fn bring_your_own_model_still_works() {
    #[derive(serde::Deserialize)]
    struct JustTheId<'a> {
        id: &'a str,
    }
    let dispatch = frame("MESSAGE_DELETE", r#"{"id":"77","channel_id":"2"}"#);
    assert_eq!(dispatch.deserialize::<JustTheId<'_>>().unwrap().id, "77");
}

#[test]
fn frames_that_are_not_dispatches_are_refused() {
    assert!(dispatch_from_frame(r#"{"op":11,"d":null}"#.into()).is_none());
    assert!(dispatch_from_frame(r#"{"op":0,"t":"READY","d":{}}"#.into()).is_none());
    assert!(dispatch_from_frame(r#"{"op":0,"s":1,"d":{}}"#.into()).is_none());
    assert!(dispatch_from_frame("not json".into()).is_none());
}

#[cfg(feature = "simd-json")]
#[test]
fn simd_json_parses_every_fixture_like_serde_json() {
    let mut parser = SimdParser::new();
    for event_type in EventType::KNOWN {
        let path = format!(
            "{}/tests/fixtures/{}.json",
            env!("CARGO_MANIFEST_DIR"),
            event_type.name()
        );
        let dispatch = dispatch_from_frame(std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(
            parser.parse(&dispatch).unwrap(),
            dispatch.parse().unwrap(),
            "{}",
            event_type.name()
        );
    }
    let error = parser
        .parse(&frame("MESSAGE_DELETE", r#"{"channel_id":"1"}"#))
        .unwrap_err();
    assert_eq!(error.event_type, EventType::MessageDelete);
    assert!(error.excerpt.len() <= EXCERPT_BYTES);
}
