//! Fairness of many shards in one process, against gateway-sim: one of 100 shards is flooded
//! with events for a few seconds while the others get probe events; everything is read through
//! one [`ShardStream`]. Measured from the simulator's log (when it sent each probe, when each
//! heartbeat arrived) against when the reader got each probe:
//!
//! - every other shard heartbeats on time: no gap between two heartbeats exceeds the interval
//!   by more than one interval;
//! - every probe reaches the reader within one heartbeat interval of leaving the simulator;
//! - the flooded shard loses nothing and keeps its order.
//!
//! The bound is generous on purpose (tests assert behaviour, not speed); the measured figures
//! are printed.

use futures_util::StreamExt;
use gateway_sim::{Event as SimEvent, SimConfig, Simulator};
use gateway_tokio::{start_recommended, CloseFrame, Config, Event, EventType, GatewayApi, Intents};
use serde_json::json;
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

const SHARDS: u32 = 100;
const HEARTBEAT: Duration = Duration::from_secs(1);
const FLOOD_FOR: Duration = Duration::from_secs(3);
/// Events queued for the flooded shard that the flooder keeps the simulator's backlog at.
const FLOOD_BACKLOG: usize = 2_000;
/// Content of one flood event: large, so that reading and scanning them keeps the flooded
/// shard's task busy (the simulator's cost per event barely depends on it).
const FLOOD_EVENT_BYTES: usize = 16 * 1024;
const PROBE_EVERY: Duration = Duration::from_millis(20);
const PATIENCE: Duration = Duration::from_secs(60);

/// A guild routed to `shard` of `SHARDS` (protocol.md §8: `(guild_id >> 22) % num_shards`).
fn guild_of(shard: u32, n: u64) -> u64 {
    (n * u64::from(SHARDS) + u64::from(shard)) << 22
}

fn message(guild: u64, n: u64, content: &str) -> serde_json::Value {
    json!({"id": n.to_string(), "channel_id": "1", "guild_id": guild.to_string(),
           "author": {"id": "2", "username": "flooder"}, "content": content})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooded_shard_delays_no_other_shards_heartbeats_or_events() {
    let sim = Arc::new(
        Simulator::start(SimConfig {
            recommended_shards: SHARDS,
            max_concurrency: SHARDS,
            heartbeat_interval: HEARTBEAT,
            // The flood is not resumed: keep little of it for replay.
            replay_capacity: 256,
            ..SimConfig::fast()
        })
        .await
        .expect("simulator"),
    );
    let api = GatewayApi::with_base(sim.http_url()).identify_window(Duration::ZERO);
    let config = Config::builder(&sim.config().token, Intents::GUILD_MESSAGES)
        .compression(gateway_tokio::Compression::None)
        .build()
        .expect("config");
    let shards = start_recommended(&api, config, |_, builder| builder)
        .await
        .expect("started");
    let mut stream = gateway_tokio::ShardStream::new(shards);
    let mut ready = 0;
    while ready < SHARDS {
        let (id, item) = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .expect("all up in time")
            .expect("running");
        match item {
            Ok(event) => ready += u32::from(matches!(event, Event::Ready(_))),
            Err(error) => panic!("shard {id}: {error}"),
        }
    }
    let conn_of: BTreeMap<u32, u64> = sim.log().with_records(|records| {
        records
            .iter()
            .filter_map(|r| match &r.event {
                SimEvent::Identified { shard, .. } => Some((shard[0], r.conn)),
                _ => None,
            })
            .collect()
    });
    let flooded_conn = conn_of[&0];

    // ----- the flood (shard 0) and the probes (shards 1..100, in turn) -----
    let flooding = Arc::new(AtomicBool::new(true));
    let flood_sent = Arc::new(AtomicU64::new(0));
    let flood_started = Instant::now();
    // The flooder is a thread of its own: the simulator's `dispatch` is synchronous, and
    // thousands of calls in a row would otherwise occupy one of the runtime's two workers.
    let flooder = std::thread::spawn({
        let (sim, flooding, sent) = (sim.clone(), flooding.clone(), flood_sent.clone());
        move || {
            let content = "x".repeat(FLOOD_EVENT_BYTES);
            let mut n = 0;
            while flood_started.elapsed() < FLOOD_FOR {
                let backlog = sim
                    .connections()
                    .iter()
                    .find(|c| c.id == flooded_conn)
                    .map_or(0, |c| c.backlog);
                for _ in backlog..FLOOD_BACKLOG {
                    n += 1;
                    let guild = guild_of(0, n % 1_000);
                    sim.dispatch("MESSAGE_CREATE", Some(guild), message(guild, n, &content));
                }
                sent.store(n, Ordering::Release);
                std::thread::sleep(Duration::from_millis(5));
            }
            flooding.store(false, Ordering::Release);
        }
    });
    let mut prober = tokio::spawn({
        let (sim, flooding) = (sim.clone(), flooding.clone());
        async move {
            let mut probes = 0_u64;
            let mut tick = tokio::time::interval(PROBE_EVERY);
            while flooding.load(Ordering::Acquire) {
                tick.tick().await;
                let shard = 1 + (probes % u64::from(SHARDS - 1)) as u32;
                let guild = guild_of(shard, probes);
                let delivered = sim.dispatch(
                    "MESSAGE_CREATE",
                    Some(guild),
                    message(guild, probes, "probe"),
                );
                assert_eq!(delivered, 1, "routed to shard {shard}");
                probes += 1;
            }
            probes
        }
    });

    // ----- the reader: one stream for all shards -----
    let mut received: Vec<(Instant, u32, u64)> = Vec::new();
    let mut flood_seqs: Vec<u64> = Vec::new();
    let mut probes_expected = None;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if flooder.is_finished() && probes_expected.is_none() {
            probes_expected = Some((&mut prober).await.expect("prober"));
        }
        if let Some(probes) = probes_expected {
            let flood = flood_sent.load(Ordering::Acquire);
            if received.len() as u64 == probes && flood_seqs.len() as u64 == flood {
                break;
            }
        }
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let (id, item) = next.expect("everything read in time").expect("running");
        match item {
            Ok(Event::Dispatch(dispatch)) if dispatch.event_type == EventType::MessageCreate => {
                if id.number() == 0 {
                    flood_seqs.push(dispatch.seq);
                } else {
                    received.push((Instant::now(), id.number(), dispatch.seq));
                }
            }
            Ok(_) => {}
            Err(error) => panic!("shard {id}: {error}"),
        }
    }
    let read_all = flood_started.elapsed();
    flooder.join().expect("flooder");

    // ----- what the simulator saw -----
    let shard_of: BTreeMap<u64, u32> = conn_of.iter().map(|(s, c)| (*c, *s)).collect();
    let (sent_at, heartbeats) = sim.log().with_records(|records| {
        let mut sent_at = BTreeMap::new();
        let mut heartbeats: BTreeMap<u32, Vec<Instant>> = BTreeMap::new();
        for record in records {
            let Some(shard) = shard_of.get(&record.conn).copied() else {
                continue;
            };
            match &record.event {
                SimEvent::Sent {
                    op: 0,
                    s: Some(s),
                    t: Some(t),
                } if t == "MESSAGE_CREATE" => {
                    sent_at.insert((shard, *s), record.at);
                }
                SimEvent::Received(frame) if frame["op"] == 1 => {
                    heartbeats.entry(shard).or_default().push(record.at);
                }
                _ => {}
            }
        }
        (sent_at, heartbeats)
    });
    let closed = sim.log().with_records(|records| {
        records
            .iter()
            .filter(|r| matches!(r.event, SimEvent::Closed { .. }))
            .count()
    });
    assert_eq!(closed, 0, "no connection dropped or closed");

    // Probe latency: simulator sent → reader got it.
    let mut latencies: Vec<Duration> = received
        .iter()
        .map(|(got, shard, seq)| {
            let sent = sent_at.get(&(*shard, *seq)).expect("the simulator sent it");
            got.saturating_duration_since(*sent)
        })
        .collect();
    latencies.sort();
    let worst_probe = *latencies.last().expect("probes");
    let median_probe = latencies[latencies.len() / 2];

    // Heartbeat gaps of the other shards, from the last beat before the flood on.
    let window_start = flood_started - HEARTBEAT;
    let gap = |beats: &[Instant]| {
        beats
            .windows(2)
            .filter(|pair| pair[1] >= window_start)
            .map(|pair| pair[1] - pair[0])
            .max()
            .unwrap_or_default()
    };
    let worst_beat = (1..SHARDS)
        .map(|shard| gap(&heartbeats[&shard]))
        .max()
        .expect("shards");
    let flooded_beat = gap(&heartbeats[&0]);

    let flood = flood_seqs.len();
    eprintln!(
        "flood: {flood} events to shard 0 in {FLOOD_FOR:?} ({:.0}/s), all read after {read_all:?}; \
         probes: {} to shards 1..{SHARDS}, latency median {median_probe:?}, worst {worst_probe:?}; \
         heartbeat interval {HEARTBEAT:?}: worst gap of other shards {worst_beat:?}, \
         of the flooded shard {flooded_beat:?}",
        flood as f64 / FLOOD_FOR.as_secs_f64(),
        latencies.len(),
    );

    assert!(
        flood > 0 && flood_seqs.windows(2).all(|p| p[1] == p[0] + 1),
        "in order, none lost"
    );
    assert!(
        latencies.len() as u32 >= SHARDS / 2,
        "enough probes: {}",
        latencies.len()
    );
    assert!(
        worst_probe < HEARTBEAT,
        "a probe waited {worst_probe:?} behind the flood"
    );
    assert!(
        worst_beat < HEARTBEAT * 2,
        "a heartbeat came {:?} late",
        worst_beat - HEARTBEAT
    );

    let saved = stream.close(CloseFrame::RESUME).await;
    assert_eq!(saved.len(), SHARDS as usize);
}
