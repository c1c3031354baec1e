//! 100 shards in one process against gateway-sim: started from `GET /gateway/bot` with one
//! identify queue, they come up in the minimum number of identify windows with buckets in
//! order (no op 9, no 4008); closed resumably, their sessions saved as JSON and resumed by a
//! new set of shards without a single Identify. Everything is asserted from the simulator's
//! log. The fairness test lives in `fairness.rs` (its own binary, so the two never share the
//! machine).

use futures_util::StreamExt;
use gateway_sim::{Closer, Event as SimEvent, Record, SimConfig, Simulator};
use gateway_tokio::{
    start_range, start_recommended, CloseFrame, Config, Event, GatewayApi, Intents, SavedSessions,
    ShardStream,
};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const SHARDS: u32 = 100;
const CONCURRENCY: u32 = 16;
/// The simulator's identify window per bucket.
const SIM_WINDOW: Duration = Duration::from_millis(250);
/// The client's. The margin over the simulator's absorbs scheduling delays on a loaded test
/// machine between a permit and the simulator reading the Identify (measured up to ~200 ms
/// with 100 shards connecting at once on 2 busy cores).
const CLIENT_WINDOW: Duration = Duration::from_millis(750);
const PATIENCE: Duration = Duration::from_secs(60);

/// Reads `stream` until `count` events match `wanted`; every error fails the test.
async fn wait_for(stream: &mut ShardStream, count: usize, wanted: impl Fn(&Event) -> bool) {
    let mut seen = 0;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while seen < count {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let (id, item) = next
            .unwrap_or_else(|_| panic!("only {seen} of {count} after {PATIENCE:?}"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_shards_come_up_in_the_fewest_windows_then_resume_without_identifying() {
    let sim = Simulator::start(SimConfig {
        recommended_shards: SHARDS,
        max_concurrency: CONCURRENCY,
        identify_window: SIM_WINDOW,
        ..SimConfig::fast()
    })
    .await
    .expect("simulator");
    let api = GatewayApi::with_base(sim.http_url()).identify_window(CLIENT_WINDOW);
    let config = Config::new(&sim.config().token, Intents::GUILDS);

    // ----- start: /gateway/bot, one queue, 100 shards -----
    let started = Instant::now();
    let shards = start_recommended(&api, config.clone(), |_, builder| builder)
        .await
        .expect("started");
    assert_eq!(shards.len(), SHARDS as usize);
    let mut stream = ShardStream::new(shards);
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
    let shards = start_range(&api, saved.shard_ids(), config, |id, builder| {
        saved.resume(id, builder)
    })
    .await
    .expect("started");
    let mut stream = ShardStream::new(shards);
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
    let expected: Vec<&String> = saved.sessions.values().map(|s| &s.id).collect();
    assert_eq!(resumed.keys().collect::<Vec<_>>().len(), SHARDS as usize);
    for id in expected {
        assert!(resumed.contains_key(id), "session {id} resumed");
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
