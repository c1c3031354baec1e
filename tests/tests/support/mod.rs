//! One whole session of a shard (either runtime's, through the suite's [`TestShard`]) against
//! gateway-sim, shared by the telemetry suites (`telemetry/metrics.rs`, `telemetry/secrets.rs`): connect and identify, READY and its GUILD_CREATEs,
//! dispatches, heartbeats, a dropped socket and a resume, Reconnect (op 7) and a resume, a
//! command, then a user close. Each step waits for the shard to show it, so what the suites
//! then check (recorded metrics, log lines) covers a known history.

use gateway_proto::{
    command::{Status, UpdatePresence},
    CloseCause, CloseFrame, Event, EventTypeFlags, ShardId, Statistics,
};
use gateway_sim::Simulator;
use gateway_tests::{connection, TestSender, TestShard, PATIENCE};
use serde_json::json;
use std::time::Duration;

/// What the session did, as the test saw it.
pub struct Outcome {
    /// The session id from READY.
    pub session: String,
    /// GUILD_CREATEs the simulator routed to the shard after READY.
    pub guilds: usize,
    /// MESSAGE_CREATEs injected.
    pub messages: usize,
    /// Every event read, in order.
    pub events: Vec<Event>,
    /// The non-fatal errors read (the dropped socket's transport error).
    pub errors: Vec<String>,
    /// The shard's statistics after the close.
    pub statistics: Statistics,
}

/// What the test read so far.
#[derive(Debug, Default)]
struct Seen {
    events: Vec<Event>,
    errors: Vec<String>,
}

/// Reads events until `pick` accepts one, within [`PATIENCE`]; non-fatal errors are kept.
async fn until<T>(
    shard: &mut impl TestShard,
    seen: &mut Seen,
    what: &str,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let next = tokio::time::timeout_at(deadline, shard.next_event(EventTypeFlags::all()));
        match next.await {
            Ok(Some(Ok(event))) => {
                let picked = pick(&event);
                seen.events.push(event);
                if let Some(value) = picked {
                    return value;
                }
            }
            Ok(Some(Err(error))) if !error.fatal => seen.errors.push(error.message),
            Ok(Some(Err(error))) => panic!("fatal error waiting for {what}: {error:?}"),
            Ok(None) => panic!("the shard stopped waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}; seen {seen:?}"),
        }
    }
}

/// Injects `n` MESSAGE_CREATEs into `guild`, then reads until the last one arrived.
async fn messages(
    sim: &Simulator,
    shard: &mut impl TestShard,
    seen: &mut Seen,
    guild: u64,
    n: u64,
) {
    for id in 0..n {
        let d = json!({"id": (5000 + id).to_string(), "channel_id": "42", "guild_id": guild.to_string(),
                       "author": {"id": "7", "username": "tester"}, "content": "hi"});
        assert_eq!(
            sim.dispatch("MESSAGE_CREATE", Some(guild), d),
            1,
            "routed to the shard"
        );
    }
    let last = 5000 + n - 1;
    until(shard, seen, "the last message", |event| match event {
        Event::Dispatch(dispatch) if dispatch.data().contains(&format!("\"{last}\"")) => Some(()),
        _ => None,
    })
    .await;
}

/// Runs the whole session on `shard` (shard `id`) against `sim`; returns after the close.
pub async fn whole_session(sim: &Simulator, id: ShardId, mut shard: impl TestShard) -> Outcome {
    let mut seen = Seen::default();
    let guilds = sim.guilds_for_shard([id.number(), id.total()]);
    assert!(!guilds.is_empty(), "the world has guilds for shard {id}");
    let session = until(&mut shard, &mut seen, "READY", |event| match event {
        Event::Ready(ready) => Some(ready.session_id.clone()),
        _ => None,
    })
    .await;
    let mut created = 0;
    until(&mut shard, &mut seen, "every GUILD_CREATE", |event| {
        if matches!(event, Event::Dispatch(d) if d.event_type == gateway_proto::EventType::GuildCreate)
        {
            created += 1;
        }
        (created == guilds.len()).then_some(())
    })
    .await;
    messages(sim, &mut shard, &mut seen, guilds[0], 5).await;
    until(&mut shard, &mut seen, "a heartbeat ACK", |event| {
        matches!(event, Event::HeartbeatAck(ack) if ack.latency.is_some()).then_some(())
    })
    .await;

    sim.drop_connection(connection(sim, 1).await);
    let cause = until(&mut shard, &mut seen, "the drop", |event| match event {
        Event::Closed(closed) => Some(closed.cause.clone()),
        _ => None,
    })
    .await;
    assert_eq!(cause, CloseCause::Gateway);
    until(&mut shard, &mut seen, "RESUMED", |event| {
        matches!(event, Event::Resumed(_)).then_some(())
    })
    .await;
    messages(sim, &mut shard, &mut seen, guilds[0], 3).await;

    sim.send_reconnect(connection(sim, 2).await);
    let cause = until(
        &mut shard,
        &mut seen,
        "the op 7 close",
        |event| match event {
            Event::Closed(closed) => Some(closed.cause.clone()),
            _ => None,
        },
    )
    .await;
    assert_eq!(cause, CloseCause::Reconnect);
    until(&mut shard, &mut seen, "RESUMED", |event| {
        matches!(event, Event::Resumed(_)).then_some(())
    })
    .await;

    shard
        .sender()
        .command(&UpdatePresence::new(Status::Idle, Vec::new()))
        .expect("queued");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while shard.statistics().commands_sent < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the command went out"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        shard.close(CloseFrame::NORMAL).await,
        None,
        "1000 ends the session"
    );
    while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
        seen.events.push(item.expect("no error after the close"));
    }
    Outcome {
        session,
        guilds: guilds.len(),
        messages: 8,
        events: seen.events,
        errors: seen.errors,
        statistics: shard.statistics(),
    }
}
