//! Tests of the corpus: determinism, the event mix, payload shapes (required fields of
//! protocol.md §12/§13 per event type), GUILD_CREATE tailoring, routing (§8), gating
//! (§10) and the MESSAGE_CONTENT rule with each exception.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde_json::{json, Value};

use super::intents::*;
use super::*;

/// 4,000 events over the default world (shared by several tests; debug builds are slow).
fn sample() -> &'static (World, Vec<Generated>) {
    static SAMPLE: OnceLock<(World, Vec<Generated>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let world = World::new(&WorldConfig::default());
        let events = EventGenerator::new(&world, 99).take(4000).collect();
        (world, events)
    })
}

/// A world with small guilds, for tests that need many events quickly.
fn small_world(seed: u64) -> World {
    World::new(&WorldConfig {
        seed,
        members_per_guild: (50, 120),
        users: 800,
        ..WorldConfig::default()
    })
}

fn bot_id() -> u64 {
    WorldConfig::default().bot_user_id
}

// ----- determinism -----

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let world = small_world(5);
    let a = payloads_with(&world, 7, 1500);
    let b = payloads_with(&small_world(5), 7, 1500);
    assert_eq!(
        a, b,
        "same world seed and event seed must give identical frames"
    );
    let c = payloads_with(&world, 8, 1500);
    assert_ne!(a, c, "a different event seed must change the stream");
    let d = payloads_with(&small_world(6), 7, 1500);
    assert_ne!(a, d, "a different world seed must change the stream");
    assert_ne!(small_world(5).guild_ids(), small_world(6).guild_ids());
}

#[test]
fn next_frame_matches_next_event() {
    let world = small_world(9);
    let mut a = EventGenerator::new(&world, 4);
    let mut b = EventGenerator::new(&world, 4);
    let mut guild_creates = 0;
    for seq in 1..=1500 {
        let e = a.next_event();
        guild_creates += usize::from(e.t == "GUILD_CREATE");
        assert_eq!(b.next_frame(seq), dispatch_frame(seq, &e));
    }
    assert!(
        guild_creates > 1,
        "the cached GUILD_CREATE path was exercised"
    );
}

#[test]
fn payloads_uses_the_default_world_and_numbers_frames_from_one() {
    let p = payloads(3, 300);
    assert_eq!(p.len(), 300);
    let world = World::new(&WorldConfig {
        seed: 3,
        ..WorldConfig::default()
    });
    assert_eq!(p, payloads_with(&world, 3, 300));
    for (i, frame) in p.iter().enumerate() {
        let prefix = format!("{{\"op\":0,\"s\":{},\"t\":\"", i + 1);
        assert!(
            frame.starts_with(&prefix),
            "frame {i} starts {}",
            &frame[..40]
        );
        assert!(!frame.contains('\n'), "frames are compact");
        let v: Value = serde_json::from_str(frame).expect("valid JSON");
        assert_eq!(v["op"], 0);
        assert_eq!(v["s"], i as u64 + 1);
        assert!(v["t"].is_string());
        assert!(v["d"].is_object());
    }
}

// ----- the mix -----

#[test]
fn mix_matches_issue_10_within_tolerance() {
    const N: usize = 20_000;
    let world = small_world(11);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dms = 0;
    for e in EventGenerator::new(&world, 12).take(N) {
        *counts.entry(e.t).or_default() += 1;
        if e.t == "MESSAGE_CREATE" && e.guild_id.is_none() {
            dms += 1;
        }
    }
    let total_weight: u32 = event_mix().iter().map(|(_, w)| w).sum();
    assert_eq!(total_weight, 100);
    for &(t, w) in event_mix() {
        let p = f64::from(w) / 100.0;
        let expected = p * N as f64;
        let sigma = (N as f64 * p * (1.0 - p)).sqrt();
        let got = counts.get(t).copied().unwrap_or(0) as f64;
        assert!(
            (got - expected).abs() <= 5.0 * sigma + 1.0,
            "{t}: {got} events, expected {expected} ± {:.0}",
            5.0 * sigma
        );
    }
    assert_eq!(
        counts.len(),
        event_mix().len(),
        "no other event types: {counts:?}"
    );
    let creates = counts["MESSAGE_CREATE"] as f64;
    let dm_share = f64::from(dms) / creates;
    assert!(
        (0.003..0.025).contains(&dm_share),
        "DM share of MESSAGE_CREATE {dm_share}"
    );
}

#[test]
fn degenerate_configs_do_not_panic() {
    let configs = [
        WorldConfig {
            guilds: 0,
            ..WorldConfig::default()
        },
        WorldConfig {
            users: 0,
            members_per_guild: (0, 0),
            guilds: 2,
            ..WorldConfig::default()
        },
        WorldConfig {
            users: 1,
            members_per_guild: (1, 1),
            guilds: 3,
            ..WorldConfig::default()
        },
        WorldConfig {
            users: 60,
            members_per_guild: (500, 100),
            guilds: 2,
            ..WorldConfig::default()
        },
    ];
    for config in &configs {
        let world = World::new(config);
        for g in world.guild_ids() {
            let count = world.member_count(g).expect("known guild");
            assert!(count >= 1 && count <= config.users + 1, "{count} members");
        }
        for e in EventGenerator::new(&world, 1).take(300) {
            assert!(e.d.is_object());
        }
    }
}

// ----- GUILD_CREATE -----

#[test]
fn guild_create_member_counts_and_large_flag() {
    let world = World::new(&WorldConfig::default());
    assert_eq!(world.guild_ids().len(), 10);
    for id in world.guild_ids() {
        for threshold in [50, 250] {
            let d = world.guild_create(
                id,
                &GuildCreateOptions {
                    large_threshold: threshold,
                    presences_intent: true,
                    members_intent: true,
                },
            );
            let count = d["member_count"].as_u64().expect("member_count");
            assert!((50..=1000).contains(&count), "member_count {count}");
            assert_eq!(Some(count as usize), world.member_count(id));
            assert_eq!(d["large"], count > threshold);
            let members = d["members"].as_array().expect("members");
            if count <= threshold {
                assert_eq!(
                    members.len() as u64,
                    count,
                    "a small guild lists every member"
                );
            } else {
                assert!(
                    (members.len() as u64) < count,
                    "a large guild leaves offline members out"
                );
            }
            let presences = d["presences"].as_array().expect("presences");
            let member_ids: HashSet<&str> = members
                .iter()
                .map(|m| m["user"]["id"].as_str().expect("user.id"))
                .collect();
            for p in presences {
                assert_ne!(p["status"], "offline");
                assert!(member_ids.contains(p["user"]["id"].as_str().expect("presence user")));
            }
            for v in d["voice_states"].as_array().expect("voice_states") {
                assert!(
                    v.get("guild_id").is_none(),
                    "voice states in GUILD_CREATE lack guild_id"
                );
                assert!(member_ids.contains(v["user_id"].as_str().expect("user_id")));
            }
            assert!(member_ids.contains(bot_id().to_string().as_str()));
        }
    }
}

#[test]
fn guild_create_without_presences_lists_only_bot_and_voice() {
    let world = World::new(&WorldConfig::default());
    let mut saw_voice = false;
    for id in world.guild_ids() {
        let options = GuildCreateOptions::for_intents(ALL & !GUILD_PRESENCES, 250);
        assert!(!options.presences_intent && options.members_intent);
        let d = world.guild_create(id, &options);
        let mut expected: HashSet<String> = d["voice_states"]
            .as_array()
            .expect("voice_states")
            .iter()
            .map(|v| v["user_id"].as_str().expect("user_id").to_owned())
            .collect();
        saw_voice |= !expected.is_empty();
        expected.insert(bot_id().to_string());
        let listed: HashSet<String> = d["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| m["user"]["id"].as_str().expect("user.id").to_owned())
            .collect();
        assert_eq!(listed, expected);
        assert!(d["member_count"].as_u64().expect("member_count") >= 50);
        for p in d["presences"].as_array().expect("presences") {
            assert!(expected.contains(p["user"]["id"].as_str().expect("id")));
        }
    }
    assert!(saw_voice, "some guild should have members in voice");
}

#[test]
fn guild_create_events_in_the_stream_have_50_to_1000_members() {
    let (world, events) = sample();
    let creates: Vec<&Generated> = events.iter().filter(|e| e.t == "GUILD_CREATE").collect();
    assert!(!creates.is_empty());
    for e in creates {
        let count = e.d["member_count"].as_u64().expect("member_count");
        assert!((50..=1000).contains(&count));
        assert_eq!(e.guild_id, e.d["id"].as_str().and_then(|s| s.parse().ok()));
        let id = e.guild_id.expect("guild id");
        assert_eq!(e.d, world.guild_create(id, &GuildCreateOptions::default()));
    }
}

#[test]
fn unknown_guild_is_unavailable() {
    let world = small_world(1);
    let d = world.guild_create(42, &GuildCreateOptions::default());
    assert_eq!(d, json!({"id": "42", "unavailable": true}));
    assert!(world.members(42).is_empty());
    assert!(world.channels(42).is_empty());
    assert!(world.member(42, 1).is_none());
}

#[test]
fn accessors_for_the_server() {
    let world = World::new(&WorldConfig::default());
    let bot = world.bot_user();
    for key in [
        "id",
        "username",
        "discriminator",
        "global_name",
        "avatar",
        "bot",
        "verified",
    ] {
        assert!(bot.get(key).is_some(), "bot user lacks {key}");
    }
    assert_eq!(bot["id"], bot_id().to_string());
    assert_eq!(bot["bot"], true);
    assert_eq!(world.bot_user_id(), bot_id());

    let id = world.guild_ids()[0];
    let members = world.members(id);
    assert_eq!(Some(members.len()), world.member_count(id));
    assert_eq!(members[0]["user"]["id"], bot_id().to_string());
    let ids: HashSet<&str> = members
        .iter()
        .map(|m| m["user"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), members.len(), "members are distinct users");
    let second = members[1]["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("snowflake");
    assert_eq!(world.member(id, second).as_ref(), Some(&members[1]));

    let channels = world.channels(id);
    assert!(channels
        .iter()
        .any(|c| c["type"] == 0 && c["name"] == "general"));
    assert!(channels.iter().any(|c| c["type"] == 2));
    for c in &channels {
        assert_eq!(c["guild_id"], id.to_string());
    }
    for p in world.presences(id) {
        assert_ne!(p["status"], "offline");
        assert!(ids.contains(p["user"]["id"].as_str().expect("id")));
    }
}

#[test]
fn world_ids_are_unique_snowflakes() {
    let world = World::new(&WorldConfig::default());
    let mut seen = HashSet::new();
    for g in world.guild_ids() {
        let d = world.guild_create(g, &GuildCreateOptions::default());
        // @everyone shares the guild id; everything else is distinct.
        assert_eq!(d["roles"][0]["id"], d["id"]);
        assert!(seen.insert(g));
        for list in ["channels", "emojis"] {
            for x in d[list].as_array().expect("list") {
                let id: u64 = x["id"].as_str().expect("id").parse().expect("snowflake");
                assert!(seen.insert(id), "duplicate id {id}");
                assert!(
                    snowflake_ms(id) >= snowflake_ms(g),
                    "children are newer than the guild"
                );
                assert!(snowflake_ms(id) <= WORLD_NOW_MS);
            }
        }
        for r in d["roles"].as_array().expect("roles").iter().skip(1) {
            assert!(seen.insert(r["id"].as_str().expect("id").parse().expect("snowflake")));
        }
    }
}

// ----- payload shapes -----

fn has(d: &Value, keys: &[&str], what: &str) {
    for k in keys {
        assert!(d.get(k).is_some(), "{what}: missing `{k}` in {d}");
    }
}

fn is_snowflake(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

fn is_timestamp(v: &Value) -> bool {
    // 2021-03-14T12:00:01.204000+00:00
    v.as_str().is_some_and(|s| {
        s.len() == 32
            && &s[4..5] == "-"
            && &s[10..11] == "T"
            && &s[19..20] == "."
            && s.ends_with("+00:00")
    })
}

const USER_KEYS: &[&str] = &["id", "username", "discriminator", "global_name", "avatar"];
const MEMBER_KEYS: &[&str] = &["roles", "joined_at", "deaf", "mute", "flags", "pending"];

fn check_user(u: &Value, what: &str) {
    has(u, USER_KEYS, what);
    assert!(is_snowflake(&u["id"]), "{what}: user id {}", u["id"]);
    assert!(u["discriminator"].is_string());
}

fn check_member(m: &Value, with_user: bool, what: &str) {
    has(m, MEMBER_KEYS, what);
    assert!(
        is_timestamp(&m["joined_at"]),
        "{what}: joined_at {}",
        m["joined_at"]
    );
    assert!(m["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .all(is_snowflake));
    if with_user {
        check_user(&m["user"], what);
    } else {
        assert!(
            m.get("user").is_none(),
            "{what}: partial member has no user"
        );
    }
}

fn check_message(d: &Value, what: &str) {
    has(
        d,
        &[
            "id",
            "channel_id",
            "author",
            "content",
            "timestamp",
            "edited_timestamp",
            "tts",
            "mention_everyone",
            "mentions",
            "mention_roles",
            "attachments",
            "embeds",
            "pinned",
            "type",
        ],
        what,
    );
    assert!(is_snowflake(&d["id"]) && is_snowflake(&d["channel_id"]));
    assert!(is_timestamp(&d["timestamp"]));
    assert!(d["edited_timestamp"].is_null() || is_timestamp(&d["edited_timestamp"]));
    assert!(d["content"]
        .as_str()
        .is_some_and(|c| c.chars().count() <= 2000));
    check_user(&d["author"], what);
    for m in d["mentions"].as_array().expect("mentions") {
        check_user(m, what);
        // twilight-model's Mention requires public_flags (the §13.4 example omits it).
        assert!(
            m["public_flags"].is_u64(),
            "{what}: mention without public_flags"
        );
    }
    for e in d["embeds"].as_array().expect("embeds") {
        assert!(e["type"].is_string(), "{what}: embed without type");
    }
    for a in d["attachments"].as_array().expect("attachments") {
        has(a, &["id", "filename", "size", "url", "proxy_url"], what);
    }
    if let Some(r) = d.get("referenced_message") {
        check_message(r, what);
        has(&d["message_reference"], &["message_id", "channel_id"], what);
        assert_eq!(d["type"], 19);
    }
    if d.get("guild_id").is_some() {
        assert!(is_snowflake(&d["guild_id"]));
        check_member(&d["member"], false, what);
    }
}

fn check_presence(d: &Value, what: &str) {
    has(d, &["user", "status", "activities", "client_status"], what);
    assert!(is_snowflake(&d["user"]["id"]));
    let status = d["status"].as_str().expect("status");
    assert!(
        ["online", "idle", "dnd", "offline"].contains(&status),
        "{what}: status {status}"
    );
    for a in d["activities"].as_array().expect("activities") {
        assert!(
            a["name"].is_string() && a["type"].is_u64(),
            "{what}: activity {a}"
        );
        if let Some(app) = a.get("application_id") {
            assert!(is_snowflake(app));
        }
        if let Some(ts) = a.get("timestamps") {
            assert!(ts["start"].is_u64());
        }
    }
    let cs = d["client_status"].as_object().expect("client_status");
    for (k, v) in cs {
        assert!(
            ["desktop", "mobile", "web", "vr"].contains(&k.as_str()),
            "{what}: client {k}"
        );
        assert!(v.is_string());
    }
    assert_eq!(cs.is_empty(), status == "offline");
}

/// Required fields per event type (§12, §13), plus the JSON types twilight-model needs.
fn check_event(e: &Generated) {
    let d = &e.d;
    let what = e.t;
    assert!(d.is_object(), "{what}: d is an object");
    assert_eq!(
        e.guild_id.map(|g| g.to_string()),
        d.get("guild_id")
            .or_else(|| (e.t == "GUILD_CREATE").then(|| &d["id"]))
            .and_then(|v| v.as_str().map(str::to_owned)),
        "{what}: Generated::guild_id matches the payload"
    );
    match e.t {
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" => {
            check_message(d, what);
            if e.guild_id.is_none() {
                assert_eq!(d["channel_type"], 1);
                assert!(d.get("member").is_none());
            }
            if e.t == "MESSAGE_UPDATE" {
                assert_eq!(d["tts"], false);
            }
        }
        "MESSAGE_DELETE" => {
            has(d, &["id", "channel_id"], what);
            assert!(is_snowflake(&d["id"]) && is_snowflake(&d["channel_id"]));
        }
        "PRESENCE_UPDATE" => {
            check_presence(d, what);
            assert!(is_snowflake(&d["guild_id"]));
        }
        "TYPING_START" => {
            has(
                d,
                &["channel_id", "guild_id", "user_id", "timestamp", "member"],
                what,
            );
            assert!(
                d["timestamp"].as_u64().is_some_and(|t| t < 10_000_000_000),
                "unix seconds"
            );
            check_member(&d["member"], true, what);
            assert_eq!(d["member"]["user"]["id"], d["user_id"]);
        }
        "GUILD_MEMBER_UPDATE" => {
            has(
                d,
                &[
                    "guild_id",
                    "roles",
                    "user",
                    "nick",
                    "avatar",
                    "banner",
                    "joined_at",
                ],
                what,
            );
            check_member(d, true, what);
            assert!(
                d["communication_disabled_until"].is_null()
                    || is_timestamp(&d["communication_disabled_until"])
            );
        }
        "MESSAGE_REACTION_ADD" => {
            has(
                d,
                &[
                    "user_id",
                    "channel_id",
                    "message_id",
                    "guild_id",
                    "member",
                    "emoji",
                    "burst",
                    "type",
                ],
                what,
            );
            check_member(&d["member"], true, what);
            assert!(d["emoji"]["name"].is_string());
            assert!(d["emoji"]["id"].is_null() || is_snowflake(&d["emoji"]["id"]));
            assert!(d["burst_colors"].is_array());
        }
        "VOICE_STATE_UPDATE" => {
            has(
                d,
                &[
                    "guild_id",
                    "channel_id",
                    "user_id",
                    "member",
                    "session_id",
                    "deaf",
                    "mute",
                    "self_deaf",
                    "self_mute",
                    "self_video",
                    "suppress",
                    "request_to_speak_timestamp",
                ],
                what,
            );
            assert!(d["channel_id"].is_null() || is_snowflake(&d["channel_id"]));
            check_member(&d["member"], true, what);
        }
        "GUILD_CREATE" => check_guild_create(d),
        other => panic!("unexpected event type {other}"),
    }
}

fn check_guild_create(d: &Value) {
    let what = "GUILD_CREATE";
    has(
        d,
        &[
            "id",
            "name",
            "icon",
            "splash",
            "discovery_splash",
            "owner_id",
            "afk_channel_id",
            "afk_timeout",
            "verification_level",
            "default_message_notifications",
            "explicit_content_filter",
            "roles",
            "emojis",
            "features",
            "mfa_level",
            "application_id",
            "system_channel_id",
            "system_channel_flags",
            "rules_channel_id",
            "max_members",
            "vanity_url_code",
            "description",
            "banner",
            "premium_tier",
            "premium_subscription_count",
            "preferred_locale",
            "public_updates_channel_id",
            "nsfw_level",
            "stickers",
            "premium_progress_bar_enabled",
            "safety_alerts_channel_id",
            "incidents_data",
            // GUILD_CREATE extras
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "voice_states",
            "members",
            "channels",
            "threads",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ],
        what,
    );
    assert!(is_snowflake(&d["id"]) && is_snowflake(&d["owner_id"]));
    assert!(is_timestamp(&d["joined_at"]));
    for r in d["roles"].as_array().expect("roles") {
        has(
            r,
            &[
                "id",
                "name",
                "color",
                "colors",
                "hoist",
                "position",
                "permissions",
                "managed",
                "mentionable",
                "flags",
            ],
            what,
        );
        assert!(r["permissions"]
            .as_str()
            .is_some_and(|p| p.parse::<u64>().is_ok()));
    }
    for c in d["channels"].as_array().expect("channels") {
        has(
            c,
            &["id", "type", "name", "position", "permission_overwrites"],
            what,
        );
        assert!(c.get("guild_id").is_none());
    }
    for m in d["members"].as_array().expect("members") {
        check_member(m, true, what);
    }
    for p in d["presences"].as_array().expect("presences") {
        check_presence(p, what);
    }
    for v in d["voice_states"].as_array().expect("voice_states") {
        has(
            v,
            &[
                "channel_id",
                "user_id",
                "session_id",
                "deaf",
                "mute",
                "self_deaf",
                "self_mute",
                "self_video",
                "suppress",
            ],
            what,
        );
    }
}

#[test]
fn every_payload_has_the_required_fields_of_its_type() {
    let (_, events) = sample();
    let mut types = HashSet::new();
    for e in events {
        check_event(e);
        types.insert(e.t);
        // Serialized and parsed back unchanged: the frame is valid JSON.
        let frame = dispatch_frame(1, e);
        let back: Value = serde_json::from_str(&frame).expect("valid JSON");
        assert_eq!(back["d"], e.d);
        assert_eq!(back["t"], e.t);
    }
    assert_eq!(
        types.len(),
        event_mix().len(),
        "every type appears: {types:?}"
    );
}

#[test]
fn snowflakes_are_strings_everywhere() {
    fn walk(v: &Value, key: &str) {
        match v {
            Value::Object(o) => {
                // Component ids are small integers, not snowflakes.
                for (k, x) in o.iter().filter(|(k, _)| *k != "components") {
                    walk(x, k);
                }
            }
            Value::Array(a) => {
                for x in a {
                    walk(x, key);
                }
            }
            Value::Number(_) => {
                let id_like = key == "id" || (key.ends_with("_id") && key != "answer_id");
                assert!(!id_like, "`{key}` is a number: {v}");
            }
            _ => {}
        }
    }
    let (_, events) = sample();
    for e in events.iter().take(1500) {
        walk(&e.d, "");
    }
}

#[test]
fn message_ids_follow_the_clock_and_replies_point_back() {
    let world = small_world(2);
    let mut g = EventGenerator::new(&world, 3);
    let mut last = 0;
    for _ in 0..3000 {
        let e = g.next_event();
        assert!(snowflake_ms(last) <= g.now_ms());
        if e.t == "MESSAGE_CREATE" {
            let id: u64 = e.d["id"].as_str().expect("id").parse().expect("snowflake");
            assert!(id > last, "message ids increase");
            assert_eq!(snowflake_ms(id), g.now_ms());
            last = id;
            if let Some(r) = e.d.get("referenced_message") {
                let rid: u64 = r["id"].as_str().expect("id").parse().expect("snowflake");
                assert!(rid < id, "a reply points at an older message");
            }
        }
    }
}

// ----- routing (§8, §13.1) -----

#[test]
fn shard_routing_examples() {
    assert_eq!(shard_for_guild(41_771_983_444_115_456, 16), 11);
    // Guild G: shard 1 of 2 and shard 1 of 4; guild H: shard 1 of 2.
    assert_eq!(shard_for_guild(820_627_323_903_672_320, 2), 1);
    assert_eq!(shard_for_guild(820_627_323_903_672_320, 4), 1);
    assert_eq!(shard_for_guild(981_346_340_065_902_592, 2), 1);
    assert_eq!(shard_for_guild(820_627_323_903_672_320, 1), 0);
    assert_eq!(
        shard_for_guild(820_627_323_903_672_320, 0),
        0,
        "0 shards behaves as 1"
    );
}

#[test]
fn guilds_spread_over_shards() {
    let world = World::new(&WorldConfig {
        guilds: 40,
        ..WorldConfig::default()
    });
    let all = world.guild_ids();
    for (i, &g) in all.iter().enumerate() {
        for n in 1..=16u32 {
            assert_eq!(
                shard_for_guild(g, n),
                i as u32 % n,
                "guild {i} with {n} shards"
            );
        }
    }
    for n in [1u32, 2, 3, 5, 7, 16, 25] {
        let mut union = Vec::new();
        for s in 0..n {
            let part = world.guild_ids_for_shard(s, n);
            assert!(part.iter().all(|&g| shard_for_guild(g, n) == s));
            if n <= 16 {
                assert!(!part.is_empty(), "shard {s} of {n} has guilds");
            }
            union.extend(part);
        }
        union.sort_unstable();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(union, sorted, "the shards of {n} partition the guilds");
    }
}

#[test]
fn every_guild_event_goes_to_exactly_one_shard_and_dms_to_shard_0() {
    let (_, events) = sample();
    let mut dms = 0;
    for e in events {
        let receivers: Vec<u32> = (0..4).filter(|&s| deliver_to(e, s, 4, ALL)).collect();
        match e.guild_id {
            Some(g) => assert_eq!(receivers, vec![shard_for_guild(g, 4)]),
            None => {
                dms += 1;
                assert_eq!(
                    receivers,
                    vec![0],
                    "{} without guild goes to shard 0 only",
                    e.t
                );
                assert!(deliver_to(e, 0, 4, DIRECT_MESSAGES));
                assert!(
                    !deliver_to(e, 0, 4, ALL & !DIRECT_MESSAGES),
                    "DMs need DIRECT_MESSAGES"
                );
            }
        }
    }
    assert!(dms > 0, "the sample should contain DMs");
}

#[test]
fn intents_filter_delivery() {
    let (_, events) = sample();
    let only = GUILDS | GUILD_MESSAGES;
    for e in events {
        let shard = e.guild_id.map_or(0, |g| shard_for_guild(g, 1));
        let expected = matches!(e.t, "GUILD_CREATE")
            || (e.guild_id.is_some()
                && matches!(e.t, "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE"));
        assert_eq!(
            deliver_to(e, shard, 1, only),
            expected,
            "{} with GUILDS|GUILD_MESSAGES",
            e.t
        );
        assert!(deliver_to(e, shard, 1, ALL));
    }
}

// ----- gating (§10) -----

#[test]
fn gating_table_spot_checks() {
    let cases: &[(&str, bool, Option<u64>)] = &[
        ("READY", true, None),
        ("RESUMED", false, None),
        ("GUILD_MEMBERS_CHUNK", true, None),
        ("USER_UPDATE", false, None),
        ("INTERACTION_CREATE", true, None),
        ("ENTITLEMENT_CREATE", false, None),
        ("VOICE_SERVER_UPDATE", true, None),
        ("SOME_FUTURE_EVENT", true, None),
        ("GUILD_CREATE", true, Some(GUILDS)),
        ("GUILD_ROLE_DELETE", true, Some(GUILDS)),
        ("THREAD_MEMBERS_UPDATE", true, Some(GUILDS)),
        ("VOICE_CHANNEL_STATUS_UPDATE", true, Some(GUILDS)),
        ("CHANNEL_PINS_UPDATE", true, Some(GUILDS)),
        ("CHANNEL_PINS_UPDATE", false, Some(DIRECT_MESSAGES)),
        ("GUILD_MEMBER_UPDATE", true, Some(GUILD_MEMBERS)),
        ("GUILD_BAN_ADD", true, Some(GUILD_MODERATION)),
        ("GUILD_AUDIT_LOG_ENTRY_CREATE", true, Some(GUILD_MODERATION)),
        (
            "GUILD_SOUNDBOARD_SOUND_DELETE",
            true,
            Some(GUILD_EXPRESSIONS),
        ),
        ("INTEGRATION_DELETE", true, Some(GUILD_INTEGRATIONS)),
        ("WEBHOOKS_UPDATE", true, Some(GUILD_WEBHOOKS)),
        ("INVITE_CREATE", true, Some(GUILD_INVITES)),
        ("VOICE_STATE_UPDATE", true, Some(GUILD_VOICE_STATES)),
        ("VOICE_CHANNEL_EFFECT_SEND", true, Some(GUILD_VOICE_STATES)),
        ("PRESENCE_UPDATE", true, Some(GUILD_PRESENCES)),
        ("MESSAGE_CREATE", true, Some(GUILD_MESSAGES)),
        ("MESSAGE_CREATE", false, Some(DIRECT_MESSAGES)),
        ("MESSAGE_DELETE_BULK", true, Some(GUILD_MESSAGES)),
        ("MESSAGE_REACTION_ADD", true, Some(GUILD_MESSAGE_REACTIONS)),
        (
            "MESSAGE_REACTION_REMOVE_EMOJI",
            false,
            Some(DIRECT_MESSAGE_REACTIONS),
        ),
        ("TYPING_START", true, Some(GUILD_MESSAGE_TYPING)),
        ("TYPING_START", false, Some(DIRECT_MESSAGE_TYPING)),
        (
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            true,
            Some(GUILD_SCHEDULED_EVENTS),
        ),
        (
            "AUTO_MODERATION_RULE_CREATE",
            true,
            Some(AUTO_MODERATION_CONFIGURATION),
        ),
        (
            "AUTO_MODERATION_ACTION_EXECUTION",
            true,
            Some(AUTO_MODERATION_EXECUTION),
        ),
        ("MESSAGE_POLL_VOTE_ADD", true, Some(GUILD_MESSAGE_POLLS)),
        (
            "MESSAGE_POLL_VOTE_REMOVE",
            false,
            Some(DIRECT_MESSAGE_POLLS),
        ),
    ];
    for &(t, in_guild, expected) in cases {
        assert_eq!(
            gating_intent(t, in_guild),
            expected,
            "{t} in_guild={in_guild}"
        );
    }
    // MESSAGE_CONTENT gates no event.
    for &(t, in_guild, _) in cases {
        assert_ne!(gating_intent(t, in_guild), Some(MESSAGE_CONTENT));
    }
}

#[test]
fn bots_own_member_update_needs_no_guild_members() {
    let world = small_world(4);
    let g = world.guild_ids()[0];
    let mut d = world.member(g, bot_id()).expect("the bot is a member");
    d["guild_id"] = json!(g.to_string());
    let own = Generated {
        t: "GUILD_MEMBER_UPDATE",
        guild_id: Some(g),
        d,
    };
    let shard = shard_for_guild(g, 2);
    assert!(!deliver_to(&own, shard, 2, GUILDS));
    assert!(deliver_to_bot(&own, shard, 2, GUILDS, bot_id()));
    assert!(
        !deliver_to_bot(&own, 1 - shard, 2, GUILDS, bot_id()),
        "still routed by guild"
    );
    let other_id = world.members(g)[1]["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("snowflake");
    let mut d = world.member(g, other_id).expect("member");
    d["guild_id"] = json!(g.to_string());
    let other = Generated {
        t: "GUILD_MEMBER_UPDATE",
        guild_id: Some(g),
        d,
    };
    assert!(!deliver_to_bot(&other, shard, 2, GUILDS, bot_id()));
    assert!(deliver_to_bot(
        &other,
        shard,
        2,
        GUILDS | GUILD_MEMBERS,
        bot_id()
    ));
    // The generator never emits the bot's own member update.
    let (_, events) = sample();
    assert!(events
        .iter()
        .filter(|e| e.t == "GUILD_MEMBER_UPDATE")
        .all(|e| e.d["user"]["id"].as_str() != Some(bot_id().to_string().as_str())));
}

// ----- MESSAGE_CONTENT (§10) -----

fn message(author: u64, guild: Option<u64>, mentions: &[u64]) -> Value {
    let mut d = json!({
        "id": "1533128192024510473",
        "channel_id": "820627324218245123",
        "author": {"id": author.to_string(), "username": "alice", "discriminator": "0", "global_name": null, "avatar": null},
        "content": "secret words",
        "timestamp": "2026-08-01T15:04:05.123000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": mentions.iter().map(|m| json!({"id": m.to_string(), "username": "x", "discriminator": "0", "global_name": null, "avatar": null, "public_flags": 0})).collect::<Vec<_>>(),
        "mention_roles": [],
        "attachments": [{"id": "1", "filename": "a.png", "size": 1, "url": "u", "proxy_url": "p"}],
        "embeds": [{"type": "rich", "title": "t"}],
        "components": [{"type": 1, "components": []}],
        "poll": {"question": {"text": "?"}, "answers": []},
        "pinned": false,
        "type": 0,
    });
    if let Some(g) = guild {
        d["guild_id"] = json!(g.to_string());
    }
    d
}

fn is_blank(d: &Value) -> bool {
    d["content"] == ""
        && d["embeds"] == json!([])
        && d["attachments"] == json!([])
        && d["components"] == json!([])
        && d.get("poll").is_none()
}

const ALICE: u64 = 646_771_746_908_798_983;
const GUILD: u64 = 820_627_323_903_672_320;

#[test]
fn message_content_is_blanked_without_the_intent() {
    for t in ["MESSAGE_CREATE", "MESSAGE_UPDATE"] {
        let mut d = message(ALICE, Some(GUILD), &[]);
        apply_message_content_rule(t, &mut d, ALL & !MESSAGE_CONTENT, bot_id());
        assert!(is_blank(&d), "{t}: {d}");
        // Everything else is kept.
        assert_eq!(d["id"], "1533128192024510473");
        assert_eq!(d["author"]["id"], ALICE.to_string());

        let mut d = message(ALICE, Some(GUILD), &[]);
        let before = d.clone();
        apply_message_content_rule(
            t,
            &mut d,
            GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT,
            bot_id(),
        );
        assert_eq!(d, before, "{t}: with MESSAGE_CONTENT nothing changes");
    }
    // Other events are untouched.
    let mut d = json!({"id": "1", "channel_id": "2", "guild_id": "3", "content": "x"});
    let before = d.clone();
    apply_message_content_rule("MESSAGE_DELETE", &mut d, 0, bot_id());
    apply_message_content_rule("TYPING_START", &mut d, 0, bot_id());
    assert_eq!(d, before);
    // AutoMod execution loses content and matched_content.
    let mut d = json!({"guild_id": "3", "content": "bad word", "matched_content": "bad", "matched_keyword": "bad"});
    apply_message_content_rule("AUTO_MODERATION_ACTION_EXECUTION", &mut d, GUILDS, bot_id());
    assert_eq!(
        d,
        json!({"guild_id": "3", "content": "", "matched_content": "", "matched_keyword": "bad"})
    );
}

#[test]
fn message_content_exceptions() {
    let no_content = ALL & !MESSAGE_CONTENT;
    // The bot's own message.
    let mut d = message(bot_id(), Some(GUILD), &[]);
    let before = d.clone();
    apply_message_content_rule("MESSAGE_CREATE", &mut d, no_content, bot_id());
    assert_eq!(d, before, "the app's own messages keep their content");
    // A DM (no guild_id).
    let mut d = message(ALICE, None, &[]);
    let before = d.clone();
    apply_message_content_rule("MESSAGE_CREATE", &mut d, no_content, bot_id());
    assert_eq!(d, before, "DMs keep their content");
    // A message mentioning the bot (also how a ping-on-reply to the bot looks).
    let mut d = message(ALICE, Some(GUILD), &[ALICE, bot_id()]);
    let before = d.clone();
    apply_message_content_rule("MESSAGE_UPDATE", &mut d, no_content, bot_id());
    assert_eq!(d, before, "messages mentioning the app keep their content");
    // Mentioning someone else is no exception.
    let mut d = message(ALICE, Some(GUILD), &[ALICE]);
    apply_message_content_rule("MESSAGE_CREATE", &mut d, no_content, bot_id());
    assert!(is_blank(&d));
}

#[test]
fn referenced_messages_are_judged_on_their_own() {
    let no_content = ALL & !MESSAGE_CONTENT;
    // A reply by the bot to alice: the reply keeps its content, alice's message does not.
    let mut d = message(bot_id(), Some(GUILD), &[ALICE]);
    d["referenced_message"] = message(ALICE, None, &[]);
    apply_message_content_rule("MESSAGE_CREATE", &mut d, no_content, bot_id());
    assert_eq!(d["content"], "secret words");
    assert!(
        is_blank(&d["referenced_message"]),
        "{}",
        d["referenced_message"]
    );
    // A reply by alice to the bot without ping: both sides judged separately.
    let mut d = message(ALICE, Some(GUILD), &[]);
    d["referenced_message"] = message(bot_id(), None, &[]);
    apply_message_content_rule("MESSAGE_CREATE", &mut d, no_content, bot_id());
    assert!(is_blank(&d));
    assert_eq!(d["referenced_message"]["content"], "secret words");
}

#[test]
fn message_content_rule_on_generated_messages() {
    let (_, events) = sample();
    let bot = bot_id().to_string();
    let (mut blanked, mut kept) = (0, 0);
    for e in events.iter().filter(|e| e.t == "MESSAGE_CREATE") {
        let mut d = e.d.clone();
        apply_message_content_rule(e.t, &mut d, ALL & !MESSAGE_CONTENT, bot_id());
        let exempt = e.guild_id.is_none()
            || e.d["author"]["id"] == bot
            || e.d["mentions"]
                .as_array()
                .expect("mentions")
                .iter()
                .any(|m| m["id"] == bot);
        if exempt {
            assert_eq!(d["content"], e.d["content"]);
            kept += 1;
        } else {
            assert!(is_blank(&d), "{d}");
            blanked += 1;
        }
    }
    assert!(blanked > 0 && kept > 0, "blanked {blanked}, kept {kept}");
}

// ----- measurement -----

/// Prints generation speed and corpus statistics; run with
/// `cargo test -p gateway-sim --release -- --ignored --nocapture measure`.
#[test]
#[ignore = "measurement, not a check"]
fn measure_generation() {
    use std::time::Instant;
    const N: usize = 100_000;
    // CPU time of this thread (Linux), so a busy machine does not skew the figure.
    fn cpu_ns() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        s.split_whitespace().next()?.parse().ok()
    }
    let world = World::new(&WorldConfig::default());
    let start = Instant::now();
    let cpu_start = cpu_ns();
    let frames = payloads_with(&world, 1, N);
    let wall = start.elapsed().as_secs_f64();
    let elapsed = match (cpu_start, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => wall,
    };
    println!("wall {wall:.2} s, CPU {elapsed:.2} s");
    let bytes: usize = frames.iter().map(String::len).sum();
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in &frames {
        // {"op":0,"s":N,"t":"NAME",... : the name is the 8th piece between quotes.
        let t = f.split('"').nth(7).unwrap_or("?").to_owned();
        let e = per.entry(t).or_default();
        e.0 += 1;
        e.1 += f.len();
    }
    println!(
        "{N} frames in {elapsed:.2} CPU-s: {:.0} events/s, {:.1} MB/s, {} B/event on average",
        N as f64 / elapsed,
        bytes as f64 / elapsed / 1e6,
        bytes / N
    );
    for (t, (count, b)) in &per {
        println!(
            "{t:22} {:5.2}% of events {:5.1}% of bytes, {} B on average",
            100.0 * *count as f64 / N as f64,
            100.0 * *b as f64 / bytes as f64,
            b / count
        );
    }
    // The Value path (what the server uses per event), GUILD_CREATE built every time.
    let cpu_start = cpu_ns().unwrap_or(0);
    let mut generator = EventGenerator::new(&world, 2);
    let values: usize = (0..20_000)
        .map(|_| usize::from(generator.next_event().d.is_object()))
        .sum();
    let cpu = (cpu_ns().unwrap_or(0).saturating_sub(cpu_start)) as f64 / 1e9;
    println!(
        "next_event: {values} events in {cpu:.2} CPU-s: {:.0} events/s",
        values as f64 / cpu
    );
    let cpu_start = cpu_ns().unwrap_or(0);
    let options = GuildCreateOptions::default();
    let mut built = 0;
    for _ in 0..5 {
        for g in world.guild_ids() {
            built += world.guild_create(g, &options).to_string().len();
        }
    }
    let cpu = (cpu_ns().unwrap_or(0).saturating_sub(cpu_start)) as f64 / 1e9;
    let n = 5 * world.guild_ids().len();
    println!(
        "World::guild_create + to_string: {:.2} ms per guild, {} B per guild on average",
        cpu * 1e3 / n as f64,
        built / n
    );
}
