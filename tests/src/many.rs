//! Many shards in one process, written once and run on every adapter: `GET /gateway/bot`
//! through the adapter's HTTP client, the fair fan-in ([`TestStream`]), 100 shards started
//! from the recommended count with one identify queue (the fewest identify windows, buckets in
//! order, no op 9, no 4008) then closed resumably and resumed without a single Identify, and
//! one flooded shard among 100 that must not delay the others' heartbeats or events.
//!
//! The two hundred-shard scenarios are heavy: [`many_shards!`](crate::many_shards) runs them
//! one at a time (see [`HEAVY`]) so that they never share the machine with each other, and
//! their test binary holds nothing else. Everything is asserted from the simulator's log; the
//! measured figures are printed.

use crate::{Adapter, ApiFailure, TestStream, PATIENCE};
use gateway_proto::{
    CloseFrame, Compression, Config, Event, EventType, EventTypeFlags, GatewayBotError, Intents,
    SavedSessions, ShardId,
};
use gateway_sim::{Closer, Event as SimEvent, Record, SimConfig, Simulator};
use serde_json::json;
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// Held by each heavy scenario for its whole run, so that two never run at once (the test
/// harness runs a binary's tests in parallel; each has its own tokio runtime, and a tokio
/// mutex works across runtimes).
pub static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start_sim(config: SimConfig) -> Simulator {
    Simulator::start(config).await.expect("simulator starts")
}

// ----- GET /gateway/bot -----

/// The adapter's client reads the simulator's answer, with or without the API path in the
/// base.
pub async fn gateway_bot_reads_the_simulators_answer<A: Adapter>() {
    let sim = start_sim(SimConfig {
        recommended_shards: 12,
        max_concurrency: 4,
        session_start_remaining: 900,
        ..SimConfig::fast()
    })
    .await;
    for base in [sim.http_url(), format!("{}/api/v10/", sim.http_url())] {
        let bot = A::gateway_bot(&base, &sim.config().token)
            .await
            .expect("an answer");
        assert_eq!(bot.url, sim.url());
        assert_eq!(bot.shards, 12);
        assert_eq!(bot.max_concurrency(), 4);
        assert_eq!(bot.session_start_limit.total, 1000);
        assert_eq!(bot.session_start_limit.remaining, 900);
    }
}

/// A 401 is a response error, not a failed request.
pub async fn gateway_bot_with_a_wrong_token_is_unauthorized<A: Adapter>() {
    let sim = start_sim(SimConfig::fast()).await;
    let error = A::gateway_bot(&sim.http_url(), "wrong")
        .await
        .expect_err("refused");
    assert_eq!(error, ApiFailure::Response(GatewayBotError::Unauthorized));
}

/// Nothing listening is a request error.
pub async fn gateway_bot_with_no_server_is_a_request_error<A: Adapter>() {
    // Bind and drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let error = A::gateway_bot(&format!("http://127.0.0.1:{port}"), "t")
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, ApiFailure::Request(_)), "{error:?}");
}

// ----- the fan-in -----

/// Events already waiting in three shards come out round robin: the shards with a few events
/// are not held back behind the one with many.
pub async fn a_shard_stream_serves_backlogged_shards_round_robin<A: Adapter>() {
    let sim = start_sim(SimConfig::fast()).await;
    let config = Config::builder(&sim.config().token, Intents::GUILD_MESSAGES)
        .gateway_url(sim.url())
        .compression(Compression::None)
        .build()
        .expect("config");
    let queue = crate::open_queue::<A>();
    let shards = (0..3)
        .map(|n| A::shard(ShardId::new(n, 3).expect("n < 3"), config.clone(), &queue))
        .collect();
    let mut stream = A::stream(shards);
    let mut ready = 0;
    while ready < 3 {
        let (_, item) = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .expect("in time")
            .expect("an item");
        ready += usize::from(matches!(item, Ok(Event::Ready(_))));
    }
    // Shard 0 gets 30 events, shards 1 and 2 five each; all of them wait in the shards'
    // channels before the first is read.
    let per_shard = [30_u64, 5, 5];
    for (number, count) in per_shard.iter().enumerate() {
        let guild = (number as u64) << 22;
        for n in 0..*count {
            let d = json!({"id": n.to_string(), "channel_id": "1",
                "guild_id": guild.to_string(), "content": "x"});
            assert_eq!(sim.dispatch("MESSAGE_CREATE", Some(guild), d), 1);
        }
    }
    tokio::time::timeout(PATIENCE, async {
        // READY counts too.
        while !stream
            .statistics()
            .iter()
            .zip(per_shard)
            .all(|(statistics, count)| statistics.dispatches > count)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("every event reached its shard");
    let mut order = Vec::new();
    while order.len() < 40 {
        let next = stream.next_event(EventTypeFlags::MESSAGE_CREATE);
        let (id, item) = tokio::time::timeout(PATIENCE, next)
            .await
            .expect("in time")
            .expect("an item");
        assert!(item.is_ok(), "{item:?}");
        order.push(id.number());
    }
    // Round robin: the others' five events come out within the first five rounds (a
    // heartbeat ACK may take a turn), while shard 0's backlog waits its turns.
    let last_other = order.iter().rposition(|n| *n != 0).expect("other shards");
    assert!(last_other < 17, "{order:?}");
    assert_eq!(order.iter().filter(|n| **n == 0).count(), 30);
    let saved = stream.close(CloseFrame::RESUME).await;
    assert_eq!(saved.len(), 3);
    assert_eq!(saved.shards, 3);
}

// ----- a hundred shards: start, shut down, resume -----

const SHARDS: u32 = 100;
const CONCURRENCY: u32 = 16;
/// The simulator's identify window per bucket.
const SIM_WINDOW: Duration = Duration::from_millis(250);
/// The client's. The margin over the simulator's absorbs scheduling delays on a loaded test
/// machine between a permit and the simulator reading the Identify (measured up to ~200 ms
/// with 100 shards connecting at once on 2 busy cores).
const CLIENT_WINDOW: Duration = Duration::from_millis(750);
const MANY_PATIENCE: Duration = Duration::from_secs(60);

/// Reads `stream` until `count` events match `wanted`; every error fails the test.
async fn wait_for<S: TestStream>(stream: &mut S, count: usize, wanted: impl Fn(&Event) -> bool) {
    let mut seen = 0;
    let deadline = tokio::time::Instant::now() + MANY_PATIENCE;
    while seen < count {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let (id, item) = next
            .unwrap_or_else(|_| panic!("only {seen} of {count} after {MANY_PATIENCE:?}"))
            .expect("the shards run");
        match item {
            Ok(event) => seen += usize::from(wanted(&event)),
            Err(error) => panic!("shard {id}: {error}"),
        }
    }
}

/// (time, shard number) of every successful Identify in the log.
fn identifies(records: &[Record]) -> Vec<(Instant, u32)> {
    records
        .iter()
        .filter_map(|record| match &record.event {
            SimEvent::Identified { shard, .. } => Some((record.at, shard[0])),
            _ => None,
        })
        .collect()
}

/// 100 shards from `GET /gateway/bot` with one identify queue come up in the fewest identify
/// windows with buckets in order (no op 9, no 4008); closed resumably, their sessions saved
/// as JSON are resumed by a new set of shards without a single Identify.
pub async fn a_hundred_shards_come_up_in_the_fewest_windows_then_resume_without_identifying<
    A: Adapter,
>() {
    let sim = start_sim(SimConfig {
        recommended_shards: SHARDS,
        max_concurrency: CONCURRENCY,
        identify_window: SIM_WINDOW,
        ..SimConfig::fast()
    })
    .await;
    let base = sim.http_url();
    let config = Config::new(&sim.config().token, Intents::GUILDS);

    // ----- start: /gateway/bot, one queue, 100 shards -----
    let started = Instant::now();
    let mut stream = A::start_recommended(&base, CLIENT_WINDOW, config.clone())
        .await
        .expect("started");
    assert_eq!(stream.len(), SHARDS as usize);
    wait_for(&mut stream, SHARDS as usize, |event| {
        matches!(event, Event::Ready(_))
    })
    .await;
    let up = started.elapsed();

    let records = sim.log().records();
    let invalid: Vec<&Record> = records
        .iter()
        .filter(|r| matches!(r.event, SimEvent::InvalidSession { .. }))
        .collect();
    assert!(invalid.is_empty(), "op 9: {invalid:?}");
    let identified = identifies(&records);
    assert_eq!(identified.len(), SHARDS as usize, "one Identify per shard");
    assert_eq!(sim.log().count_received_op(2), SHARDS as usize);

    // Wave k holds shard k·16 + b of every bucket b: buckets in order.
    let windows = SHARDS.div_ceil(CONCURRENCY) as usize;
    let mut waves: Vec<Vec<Instant>> = vec![Vec::new(); windows];
    for (at, shard) in &identified {
        waves[(shard / CONCURRENCY) as usize].push(*at);
    }
    let first = |wave: &[Instant]| *wave.iter().min().expect("a shard");
    let last = |wave: &[Instant]| *wave.iter().max().expect("a shard");
    let mut figures = Vec::new();
    for k in 0..windows {
        let (opened, closed) = (first(&waves[k]), last(&waves[k]));
        figures.push(format!(
            "wave {k}: {} shards, {:?}..{:?}",
            waves[k].len(),
            opened - first(&waves[0]),
            closed - first(&waves[0]),
        ));
        assert!(
            closed - opened < CLIENT_WINDOW,
            "wave {k} fits in one window"
        );
        if k > 0 {
            assert!(
                opened > last(&waves[k - 1]),
                "wave {k} starts after wave {} ended: {figures:?}",
                k - 1
            );
            assert!(opened - first(&waves[k - 1]) >= SIM_WINDOW);
        }
    }
    // Seven windows, no eighth: the last wave opens within 7 windows of the first.
    let span = first(&waves[windows - 1]) - first(&waves[0]);
    assert!(span < CLIENT_WINDOW * windows as u32, "{figures:?}");
    eprintln!("all {SHARDS} up in {up:?}; identify waves: {figures:#?}");

    // ----- shutdown: close all resumably, read what is left, save as JSON -----
    let saved = stream.close(CloseFrame::RESUME).await;
    while stream.next().await.is_some() {}
    assert_eq!(saved.len(), SHARDS as usize, "every session collected");
    let file = serde_json::to_string(&saved).expect("serializes");
    let closes: Vec<(Option<u16>, Closer)> = sim.log().with_records(|records| {
        records
            .iter()
            .filter_map(|r| match &r.event {
                SimEvent::Closed { code, by, .. } => Some((*code, *by)),
                _ => None,
            })
            .collect()
    });
    assert_eq!(closes.len(), SHARDS as usize);
    assert!(
        closes
            .iter()
            .all(|close| *close == (Some(4000), Closer::Client)),
        "only resumable client closes, no 4008: {closes:?}"
    );

    // ----- resume: a new set of shards from the saved sessions -----
    let saved: SavedSessions = serde_json::from_str(&file).expect("deserializes");
    let resumed_at = Instant::now();
    let mut stream = A::resume(&base, CLIENT_WINDOW, config, &saved)
        .await
        .expect("started");
    assert_eq!(stream.len(), SHARDS as usize);
    wait_for(&mut stream, SHARDS as usize, |event| {
        matches!(event, Event::Resumed(_))
    })
    .await;
    let resumed_in = resumed_at.elapsed();

    let records = sim.log().records();
    assert_eq!(
        sim.log().count_received_op(2),
        SHARDS as usize,
        "not one new Identify"
    );
    let mut resumed = BTreeMap::new();
    for record in &records {
        if let SimEvent::Resumed { session_id, .. } = &record.event {
            resumed.insert(session_id.clone(), record.conn);
        }
    }
    assert_eq!(resumed.len(), SHARDS as usize);
    for session in saved.sessions.values() {
        assert!(
            resumed.contains_key(&session.id),
            "session {} resumed",
            session.id
        );
    }
    assert!(
        !records.iter().any(|r| matches!(
            r.event,
            SimEvent::InvalidSession { .. }
                | SimEvent::Closed {
                    code: Some(4008),
                    ..
                }
        )),
        "no op 9, no 4008"
    );
    eprintln!("all {SHARDS} resumed in {resumed_in:?}");
    let saved = stream.close(CloseFrame::NORMAL).await;
    assert!(saved.is_empty(), "1000 ends the sessions: nothing to save");
}

// ----- fairness: one flooded shard among 100 -----

const HEARTBEAT: Duration = Duration::from_secs(1);
const FLOOD_FOR: Duration = Duration::from_secs(3);
/// Events queued for the flooded shard that the flooder keeps the simulator's backlog at.
const FLOOD_BACKLOG: usize = 2_000;
/// Content of one flood event: large, so that reading and scanning them keeps the flooded
/// shard's task busy (the simulator's cost per event barely depends on it).
const FLOOD_EVENT_BYTES: usize = 16 * 1024;
const PROBE_EVERY: Duration = Duration::from_millis(20);

/// A guild routed to `shard` of `SHARDS` (protocol.md §8: `(guild_id >> 22) % num_shards`).
fn guild_of(shard: u32, n: u64) -> u64 {
    (n * u64::from(SHARDS) + u64::from(shard)) << 22
}

fn message(guild: u64, n: u64, content: &str) -> serde_json::Value {
    json!({"id": n.to_string(), "channel_id": "1", "guild_id": guild.to_string(),
           "author": {"id": "2", "username": "flooder"}, "content": content})
}

/// One of 100 shards is flooded with events for a few seconds while the others get probe
/// events; everything is read through one stream. From the simulator's log (when it sent each
/// probe, when each heartbeat arrived) against when the reader got each probe: every other
/// shard heartbeats on time (no gap exceeds the interval by more than one interval), every
/// probe reaches the reader within one heartbeat interval, and the flooded shard loses nothing
/// and keeps its order. The bound is generous on purpose (tests assert behaviour, not speed).
pub async fn a_flooded_shard_delays_no_other_shards_heartbeats_or_events<A: Adapter>() {
    let sim = Arc::new(
        start_sim(SimConfig {
            recommended_shards: SHARDS,
            max_concurrency: SHARDS,
            heartbeat_interval: HEARTBEAT,
            // The flood is not resumed: keep little of it for replay.
            replay_capacity: 256,
            ..SimConfig::fast()
        })
        .await,
    );
    let config = Config::builder(&sim.config().token, Intents::GUILD_MESSAGES)
        .compression(Compression::None)
        .build()
        .expect("config");
    let mut stream = A::start_recommended(&sim.http_url(), Duration::ZERO, config)
        .await
        .expect("started");
    wait_for(&mut stream, SHARDS as usize, |event| {
        matches!(event, Event::Ready(_))
    })
    .await;
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
    let deadline = tokio::time::Instant::now() + MANY_PATIENCE;
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
