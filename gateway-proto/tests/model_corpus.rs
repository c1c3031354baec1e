//! The simulator's generated traffic parses through the typed model with zero errors.
//!
//! `gateway_sim::corpus` is written independently of gateway-proto (from protocol.md, with
//! twilight-model's requirements in mind), so a field this model reads too strictly shows up
//! here rather than on a live gateway.
#![cfg(feature = "model")]

use gateway_proto::model::{dispatch_from_frame, DispatchEvent, GuildCreate};
use gateway_sim::corpus::{payloads, GuildCreateOptions, World, WorldConfig};
use std::collections::BTreeMap;

#[test]
fn a_long_seeded_stream_parses_with_zero_errors() {
    let mut counts = BTreeMap::<String, usize>::new();
    let mut errors = Vec::new();
    for seed in [1, 42] {
        for text in payloads(seed, 5_000) {
            let dispatch = dispatch_from_frame(text).expect("the corpus sends dispatch frames");
            *counts.entry(dispatch.event_type.to_string()).or_default() += 1;
            match dispatch.parse() {
                Ok(DispatchEvent::Unknown(raw)) => {
                    errors.push(format!("unknown {}", raw.event_type))
                }
                Ok(event) => {
                    // Round trip: the serialized event parses back to the same value.
                    let again = format!(
                        r#"{{"op":0,"s":1,"t":"{}","d":{}}}"#,
                        dispatch.event_type,
                        serde_json::to_string(&event).unwrap()
                    );
                    let again = dispatch_from_frame(again).unwrap().parse().unwrap();
                    assert_eq!(again, event);
                }
                Err(error) => errors.push(error.to_string()),
            }
        }
    }
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(3)]
    );
    assert!(
        counts.len() >= 9,
        "the mix covers every generated kind: {counts:?}"
    );
}

#[test]
fn every_guild_create_variant_parses() {
    let world = World::new(&WorldConfig::default());
    let all = GuildCreateOptions::for_intents(u64::MAX, 250);
    let lean = GuildCreateOptions::for_intents(0, 50);
    for guild_id in world.guild_ids() {
        for options in [&all, &lean] {
            let d = world.guild_create(guild_id, options);
            let frame = format!(r#"{{"op":0,"s":2,"t":"GUILD_CREATE","d":{d}}}"#);
            let event = dispatch_from_frame(frame).unwrap().parse();
            let Ok(DispatchEvent::GuildCreate(GuildCreate::Available(guild))) = event else {
                panic!("guild {guild_id}: {event:?}");
            };
            assert_eq!(guild.id.get(), guild_id);
            assert_eq!(
                guild.member_count,
                world.member_count(guild_id).map(|n| n as u64)
            );
        }
    }
}
