//! The corpus is valid input for twilight too: every payload a script holds parses with
//! twilight-gateway's own `parse` (twilight-model's types, every event flag), and the mix is
//! the issue's.

use gateway_benchmarks::corpus::{self, Script};
use twilight_gateway::EventTypeFlags;

fn assert_parses(script: &Script) {
    for (i, message) in script.messages.iter().enumerate() {
        match twilight_gateway::parse(message.clone(), EventTypeFlags::all()) {
            Ok(Some(_)) => {}
            Ok(None) => panic!(
                "message {i} was skipped: {}",
                &message[..80.min(message.len())]
            ),
            Err(error) => panic!(
                "message {i} ({:?}) does not parse: {error:?}",
                corpus::event_name(message)
            ),
        }
    }
}

#[test]
fn throughput_corpus_parses_with_twilight_model() {
    // The first 6,000 events: every kind, 50-odd GUILD_CREATEs (the whole 22,000 take long
    // in a debug build).
    assert_parses(&corpus::throughput("ws://127.0.0.1:1", 1_000, 5_000));
}

#[test]
fn memory_scripts_parse_with_twilight_model() {
    assert_parses(&corpus::idle("ws://127.0.0.1:1"));
    assert_parses(&corpus::burst("ws://127.0.0.1:1"));
}

#[test]
fn mix_by_count_is_the_issues_and_guild_create_dominates_bytes() {
    let script = corpus::throughput("ws://127.0.0.1:1", 0, 10_000);
    let mix = corpus::mix(&script);
    let total: usize = mix.values().map(|(count, _)| count).sum();
    let bytes: usize = mix.values().map(|(_, bytes)| bytes).sum();
    let share = |t: &str| 100.0 * mix[t].0 as f64 / total as f64;
    for (t, percent) in [
        ("PRESENCE_UPDATE", 35.0),
        ("MESSAGE_CREATE", 25.0),
        ("TYPING_START", 15.0),
        ("GUILD_MEMBER_UPDATE", 8.0),
        ("MESSAGE_REACTION_ADD", 7.0),
        ("VOICE_STATE_UPDATE", 5.0),
        ("GUILD_CREATE", 1.0),
    ] {
        assert!(
            (share(t) - percent).abs() < 1.5,
            "{t}: {:.1}% by count, want about {percent}%",
            share(t)
        );
    }
    assert!(
        mix["GUILD_CREATE"].1 * 2 > bytes,
        "GUILD_CREATE is most of the bytes"
    );
}
