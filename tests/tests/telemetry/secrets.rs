//! The token never appears in a log line or a `Debug` output (STYLE §4; str0m's rule for IP
//! addresses), written once for both runtimes: a shard runs a whole session against gateway-sim (identify,
//! dispatches, heartbeats, a drop and a resume, op 7 and a resume, a command, a close) with
//! every `tracing` event down to TRACE, and every `log` record, written into a buffer; the
//! shard, its config, every event, error and the statistics are `Debug`-formatted into it
//! too. Then: no token, and every line of the shard's crates names its shard (and session).
//!
//! The one filter is the one the README asks for: tungstenite at debug, as its trace lines
//! print every frame it writes, bytes and all (`tail` applies the same cap).
//!
//! The subscriber is process-wide (the shard's task runs on the runtime's threads), so each
//! runtime's test binary (`secrets.rs`, `secrets_async_std.rs`) holds this one test.

use crate::support;
use gateway_proto::{Compression, ShardId};
use gateway_tests::{client, open_queue, simulator, Adapter};
use std::{
    io::Write,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

/// A token that cannot occur by accident.
const TOKEN: &str = "MTE5NDU2NjMwMDY0MzQ5MTg0Mg.GhXyZw.never-in-a-log-line-0xC0FFEE";

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

/// The target of a log line (`2026-… LEVEL [span{…}: ]target: message`).
fn target(line: &str) -> Option<&str> {
    let rest = line
        .split_whitespace()
        .skip(2)
        .collect::<Vec<_>>()
        .join(" ");
    let rest = match rest.strip_prefix("shard{") {
        Some(in_span) => in_span.split_once("}: ")?.1.to_owned(),
        None => rest,
    };
    let end = rest.find(": ")?;
    let start = line.find(&rest[..end])?;
    Some(&line[start..start + end])
}

/// Captures every log line, runs [`support::whole_session`] on `A`'s shard 3 of 4 with a
/// known token, and checks the token never shows. Call once per process.
pub async fn no_log_line_or_debug_output_carries_the_token<A: Adapter>()
where
    A::Shard: std::fmt::Debug,
{
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace,tungstenite=debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let sim = simulator(|config| {
        config.token = TOKEN.to_owned();
        config.heartbeat_interval = Duration::from_secs(1);
    })
    .await;
    let config = client(&sim, Compression::ZlibStream)
        .build()
        .expect("config");
    tracing::trace!("config {config:?}");
    let id = ShardId::new(3, 4).expect("valid shard");
    let shard = A::shard(id, config, &open_queue::<A>());
    tracing::trace!("shard {shard:?}");
    let outcome = support::whole_session(&sim, id, shard).await;
    for event in &outcome.events {
        tracing::trace!("event {event:?}");
    }
    for error in &outcome.errors {
        tracing::trace!("error {error:?}");
    }
    tracing::trace!("statistics {:?}", outcome.statistics);

    // The token did go over the wire: the simulator checked it on Identify and both Resumes.
    let identify = &sim.frames(gateway_tests::connection(&sim, 1).await)[0].payload;
    assert_eq!(identify["d"]["token"], TOKEN);

    let text = String::from_utf8_lossy(&buffer.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(!text.contains(TOKEN), "the token was logged");
    let secret = TOKEN.rsplit('.').next().unwrap_or(TOKEN);
    assert!(!text.contains(secret), "part of the token was logged");

    // Every line of the shard's own crates is in its span; after READY, with the session.
    let ours: Vec<&str> = text
        .lines()
        .filter(|line| target(line).is_some_and(|target| target.starts_with("gateway_")))
        .collect();
    let ready = ours
        .iter()
        .position(|line| line.contains(": ready session="))
        .unwrap_or_else(|| panic!("no ready line:\n{text}"));
    for line in &ours[..=ready] {
        assert!(line.contains(" shard{shard=3}: "), "{line}");
    }
    let span = format!(" shard{{shard=3 session={}}}: ", outcome.session);
    for line in &ours[ready + 1..] {
        assert!(line.contains(&span), "{line}");
    }
    let info: Vec<&str> = ours
        .iter()
        .filter(|line| line.contains(" INFO "))
        .map(|line| {
            line.split(" gateway_proto::machine: ")
                .nth(1)
                .unwrap_or(line)
        })
        .map(|rest| rest.split(' ').next().unwrap_or(rest))
        .collect();
    assert_eq!(
        info,
        [
            "connected",
            "ready",
            "reconnecting",
            "connected",
            "resumed",
            "reconnecting",
            "connected",
            "resumed",
            "closed",
        ],
        "{text}"
    );
    let dispatches = ours
        .iter()
        .filter(|line| line.contains(" dispatch t="))
        .count();
    assert_eq!(dispatches, outcome.guilds + outcome.messages, "{text}");
    // Lines from other crates (tungstenite through `log`, rustls, the simulator's side) were
    // captured as well: the check covered them.
    assert!(
        text.lines().any(|line| line.contains("tungstenite")),
        "{text}"
    );
}
