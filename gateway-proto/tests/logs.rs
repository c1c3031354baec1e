//! What the machine logs, captured at trace level on the virtual clock: which lines a
//! session produces, that they carry the shard span's fields, and that neither a log line
//! nor any `Debug` output ever shows the token (the rule str0m applies to IP addresses).

mod support;

use gateway_proto::{telemetry::Telemetry, CloseFrame, Message, Output, ShardId, ShardMachine};
use serde_json::json;
use std::{
    io::Write,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use support::{config, Harness, TOKEN};
use tracing::Level;

/// Log output, shared between the subscriber and the test.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Runs `session` with every event down to trace level written into a buffer; returns it.
fn captured(session: impl FnOnce()) -> String {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(Level::TRACE)
        // Plain text whatever features the workspace unifies (`ansi` is on in `cargo test
        // --workspace`, as gateway-tests enables tracing-subscriber's defaults).
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, session);
    buffer.text()
}

/// A whole session on shard 3: identify, dispatches, heartbeats, a drop and a resume, an
/// invalid session and a new identify, bad data, then a user close. Every output and event
/// is `Debug`-formatted into the log too.
fn whole_session() {
    let mut h = Harness::with_shard(
        ShardId::new(3, 4).expect("valid shard"),
        config().build().expect("valid config"),
    );
    let mut telemetry = Telemetry::new(h.shard.id());
    let span = telemetry.span();
    let _entered = span.enter();
    h.connect_ready();
    telemetry.observe(&h.shard, h.now);
    for seq in 2..=5 {
        h.dispatch(seq, "MESSAGE_CREATE", json!({"id": seq.to_string()}));
    }
    h.advance(Duration::from_secs(100));
    h.server_close(None);
    h.advance(Duration::from_secs(10));
    h.open();
    h.hello();
    h.dispatch(6, "RESUMED", json!({}));
    h.recv(json!({"op": 9, "d": false}));
    h.advance(Duration::from_secs(10));
    h.open();
    h.hello();
    h.ready(1);
    telemetry.observe(&h.shard, h.now);
    h.recv_text("{not json");
    h.shard.close(h.now, CloseFrame::NORMAL);
    h.drain();
    telemetry.observe(&h.shard, h.now);
    for (_, event) in &h.events {
        tracing::trace!("event {event:?}");
    }
    tracing::trace!("shard {:?}", h.shard);
    tracing::trace!("config {:?}", h.shard.config());
    tracing::trace!("statistics {:?}", h.shard.stats());
}

/// One test for the whole binary: tracing caches each call site's interest across threads,
/// and a call site first reached on a thread without a subscriber while another test
/// installs one can miss that subscriber's events. Sequential, nothing is missed.
#[test]
fn the_log_of_a_whole_session() {
    let text = captured(whole_session);
    no_log_line_carries_the_token(&text);
    state_changes_are_info_lines_in_the_shard_span(&text);
    debug_output_hides_identify_and_resume_frames();
}

fn no_log_line_carries_the_token(text: &str) {
    assert!(!text.contains(TOKEN), "the token was logged:\n{text}");
    // The session really identified twice and resumed once with that token.
    assert_eq!(text.matches("identify sent").count(), 2, "{text}");
    assert_eq!(text.matches("resume sent").count(), 1, "{text}");
}

fn state_changes_are_info_lines_in_the_shard_span(text: &str) {
    let info: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(" INFO ") || line.contains("ERROR"))
        .collect();
    let messages: Vec<&str> = info
        .iter()
        .map(|line| {
            line.split("gateway_proto::machine: ")
                .nth(1)
                .unwrap_or(line)
        })
        .map(|rest| rest.split(' ').next().unwrap_or(rest))
        .collect();
    assert_eq!(
        messages,
        [
            "connected",
            "ready",
            "reconnecting",
            "connected",
            "resumed",
            "reconnecting",
            "connected",
            "ready",
            "reconnecting",
            "closed",
        ],
        "{text}"
    );
    assert!(info[1].contains("session=sess-1"), "{}", info[1]);
    // The first lines precede READY: the span has no session yet; after it, it has.
    assert!(info[0].contains("shard{shard=3}:"), "{}", info[0]);
    for line in &info[2..] {
        assert!(line.contains("shard{shard=3 session=sess-1}:"), "{line}");
    }
    let cause = info[2].split("cause=").nth(1).unwrap_or_default();
    assert!(cause.starts_with("Gateway"), "{}", info[2]);
    assert!(
        info[5].contains("InvalidSession { resumable: false }"),
        "{}",
        info[5]
    );
    assert!(info[8].contains("cause=BadInput"), "{}", info[8]);
    let dispatches = text
        .lines()
        .filter(|line| line.contains(" dispatch t="))
        .count();
    assert_eq!(
        dispatches, 4,
        "the MESSAGE_CREATEs (READY and RESUMED have lines of their own): {text}"
    );
}

fn debug_output_hides_identify_and_resume_frames() {
    let now = Instant::now();
    let mut shard = ShardMachine::new(ShardId::ONE, config().build().expect("valid config"));
    let mut outputs = Vec::new();
    let mut drain = |shard: &mut ShardMachine| {
        let mut all = format!("{shard:?}");
        while let Some(output) = shard.poll_output() {
            all.push_str(&format!("{output:?}"));
            outputs.push(output);
        }
        all
    };
    let mut debug = drain(&mut shard);
    shard.handle_open(now);
    let hello = r#"{"op":10,"d":{"heartbeat_interval":41250}}"#;
    shard.handle_message(now, Message::Text(hello));
    debug += &drain(&mut shard);
    shard.handle_identify_permit(now);
    // The Identify frame waits in the machine's output queue: the machine's own Debug too.
    debug += &drain(&mut shard);
    let ready = json!({"op":0,"s":1,"t":"READY","d":{"session_id":"s","resume_gateway_url":"ws://r",
        "user":{"id":"1"},"guilds":[]}});
    shard.handle_message(now, Message::Text(&ready.to_string()));
    shard.handle_close(now, None);
    shard.handle_open(now);
    shard.handle_message(now, Message::Text(hello));
    debug += &drain(&mut shard);
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("Send(<Identify, redacted>)"), "{debug}");
    assert!(debug.contains("Send(<Resume, redacted>)"), "{debug}");
    let frames: Vec<&String> = outputs
        .iter()
        .filter_map(|output| match output {
            Output::Send(frame) => Some(frame),
            _ => None,
        })
        .collect();
    assert_eq!(frames.len(), 2);
    assert!(
        frames.iter().all(|frame| frame.contains(TOKEN)),
        "the frames themselves keep it"
    );
}
