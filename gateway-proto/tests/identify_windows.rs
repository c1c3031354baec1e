//! Many shards on one virtual clock: N [`ShardMachine`]s share one [`IdentifyScheduler`]
//! and talk to a scripted gateway that enforces the identify buckets of protocol.md §7 the
//! way Discord does (an early Identify gets op 9). The rules proved here:
//!
//! - N shards come up in exactly ceil(N / max_concurrency) identify windows, buckets in
//!   order (window k holds shards k·C .. k·C + C, all at one instant), however the Hellos
//!   arrive, when the starter announces its shards with [`IdentifyScheduler::expect`];
//! - processes that own whole buckets ([`ShardRange`]) need no shared queue;
//! - the session-start budget is never overdrawn;
//! - saved sessions ([`SavedSessions`]) bring every shard back without a single Identify.
//!
//! The peer speaks plain JSON values, never the crate's serializer.

use gateway_proto::{
    CloseFrame, Compression, Config, IdentifyScheduler, Intents, Message, Output, SavedSessions,
    SessionStartLimits, ShardId, ShardMachine, ShardRange, State,
};
use serde_json::{json, Value};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const TOKEN: &str = "fleet-token";
const WINDOW: Duration = Duration::from_secs(5);
const INTERVAL_MS: u64 = 41_250;
const MAIN_URL: &str = "ws://gateway.test";
const RESUME_URL: &str = "ws://resume.test";

/// What the scripted gateway saw, stamped with virtual time since the start.
#[derive(Default)]
struct Seen {
    /// (time, shard) of each accepted Identify.
    identifies: Vec<(Duration, u32)>,
    /// (time, shard) of each accepted Resume.
    resumes: Vec<(Duration, u32)>,
    /// Identifies refused with op 9 because their bucket was busy.
    invalid_sessions: Vec<(Duration, u32)>,
    /// Shards that asked the queue for a permit.
    permit_requests: usize,
}

/// One shard's machine and the scripted gateway's view of its connection.
struct Link {
    machine: ShardMachine,
    open: bool,
    /// When the pending connection opens and Hello arrives.
    hello_at: Option<Instant>,
}

/// N machines, an identify scheduler per process (one unless a test splits them), one
/// gateway, one clock.
struct Fleet {
    start: Instant,
    now: Instant,
    links: BTreeMap<u32, Link>,
    schedulers: Vec<IdentifyScheduler>,
    /// Which scheduler each shard asks.
    process_of: BTreeMap<u32, usize>,
    /// The gateway's bucket state: last accepted Identify per `shard % max_concurrency`.
    buckets: BTreeMap<u32, Instant>,
    gateway_concurrency: u32,
    /// Session starts the gateway still accepts.
    starts_left: u32,
    /// Session ids the gateway knows, by shard number.
    sessions: BTreeMap<u32, String>,
    /// How long each shard's connection takes to open (shuffles the Hellos' order).
    delay: fn(u32) -> Duration,
    seen: Seen,
}

fn config(session: Option<gateway_proto::Session>) -> Config {
    let mut builder = Config::builder(TOKEN, Intents::GUILDS)
        .gateway_url(MAIN_URL)
        .compression(Compression::None)
        .rng_seed(11);
    if let Some(session) = session {
        builder = builder.session(session);
    }
    builder.build().expect("valid config")
}

/// A pseudo-random connect delay of 0–300 ms per shard, so Hellos arrive out of order.
fn shuffled(shard: u32) -> Duration {
    let mixed = u64::from(shard).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    Duration::from_millis(mixed % 300)
}

impl Fleet {
    /// Machines for `shards` (sessions taken from `saved`), a scheduler with
    /// `max_concurrency` buckets, Discord's window, every fresh shard announced.
    fn new(
        shards: impl IntoIterator<Item = ShardId>,
        max_concurrency: u32,
        saved: Option<&SavedSessions>,
    ) -> Self {
        let start = Instant::now();
        let mut fleet = Self {
            start,
            now: start,
            links: BTreeMap::new(),
            schedulers: Vec::new(),
            process_of: BTreeMap::new(),
            buckets: BTreeMap::new(),
            gateway_concurrency: max_concurrency,
            starts_left: u32::MAX,
            sessions: BTreeMap::new(),
            delay: shuffled,
            seen: Seen::default(),
        };
        fleet.add_process(shards, saved);
        fleet
    }

    /// Another process: its shards and its own scheduler.
    fn add_process(
        &mut self,
        shards: impl IntoIterator<Item = ShardId>,
        saved: Option<&SavedSessions>,
    ) {
        let process = self.schedulers.len();
        let mut scheduler = IdentifyScheduler::new(self.gateway_concurrency);
        for id in shards {
            let session = saved.and_then(|saved| saved.get(id)).cloned();
            if session.is_none() {
                scheduler.expect(id.number());
            }
            let link = Link {
                machine: ShardMachine::new(id, config(session)),
                open: false,
                hello_at: None,
            };
            self.links.insert(id.number(), link);
            self.process_of.insert(id.number(), process);
        }
        self.schedulers.push(scheduler);
    }

    fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Runs until `done` holds, jumping the clock from deadline to deadline.
    fn run_until(&mut self, limit: Duration, done: impl Fn(&Fleet) -> bool) {
        for _ in 0..1_000_000 {
            self.settle();
            if done(self) {
                return;
            }
            assert!(self.elapsed() <= limit, "not done after {limit:?}");
            let hellos = self.links.values().filter_map(|link| link.hello_at);
            let machines = self.links.values().filter_map(|l| l.machine.poll_timeout());
            let next = hellos
                .chain(machines)
                .chain(
                    self.schedulers
                        .iter()
                        .filter_map(IdentifyScheduler::poll_timeout),
                )
                .min()
                .expect("something is scheduled");
            self.now = self.now.max(next);
            let now = self.now;
            let numbers: Vec<u32> = self.links.keys().copied().collect();
            for number in numbers {
                let link = self.links.get_mut(&number).expect("listed");
                if link.hello_at.is_some_and(|at| at <= now) {
                    link.hello_at = None;
                    link.open = true;
                    link.machine.handle_open(now);
                    let hello =
                        json!({"op":10,"s":null,"t":null,"d":{"heartbeat_interval":INTERVAL_MS}});
                    self.deliver(number, &hello);
                }
                let link = self.links.get_mut(&number).expect("listed");
                if link.machine.poll_timeout().is_some_and(|at| at <= now) {
                    link.machine.handle_timeout(now);
                }
            }
        }
        panic!("the fleet never settled");
    }

    /// Drains every machine and hands out every permit due, until nothing moves.
    fn settle(&mut self) {
        loop {
            let mut moved = false;
            let numbers: Vec<u32> = self.links.keys().copied().collect();
            for number in &numbers {
                moved |= self.drain(*number);
            }
            let now = self.now;
            for scheduler in &mut self.schedulers {
                while let Some(number) = scheduler.poll_grant(now) {
                    if let Some(link) = self.links.get_mut(&number) {
                        link.machine.handle_identify_permit(now);
                    }
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Acts on one machine's outputs as the gateway would; returns whether there were any.
    fn drain(&mut self, number: u32) -> bool {
        let mut any = false;
        loop {
            let link = self.links.get_mut(&number).expect("listed");
            let Some(output) = link.machine.poll_output() else {
                return any;
            };
            any = true;
            match output {
                Output::Connect(_) => {
                    link.open = false;
                    link.hello_at = Some(self.now + (self.delay)(number));
                }
                Output::Send(text) => {
                    let payload: Value = serde_json::from_str(&text).expect("the client sent JSON");
                    self.answer(number, &payload);
                }
                Output::Close(_) => link.open = false,
                Output::RequestIdentify => {
                    self.seen.permit_requests += 1;
                    let process = self.process_of[&number];
                    self.schedulers[process].request(self.now, number);
                }
                Output::Event(_) => {}
            }
        }
    }

    /// The gateway's side: bucket rule on Identify, sessions on Resume, ACKs.
    fn answer(&mut self, number: u32, payload: &Value) {
        let at = self.elapsed();
        match payload["op"].as_u64() {
            Some(1) => self.deliver(number, &json!({"op":11,"d":null})),
            Some(2) => {
                let d = &payload["d"];
                assert_eq!(d["token"], TOKEN);
                let shard = [d["shard"][0].as_u64(), d["shard"][1].as_u64()];
                assert_eq!(shard[0], Some(u64::from(number)), "shard id in Identify");
                let bucket = number % self.gateway_concurrency;
                let busy = self
                    .buckets
                    .get(&bucket)
                    .is_some_and(|last| self.now.duration_since(*last) < WINDOW);
                if busy {
                    self.seen.invalid_sessions.push((at, number));
                    self.deliver(number, &json!({"op":9,"d":false}));
                    return;
                }
                assert!(self.starts_left > 0, "session-start budget overdrawn");
                self.starts_left -= 1;
                self.buckets.insert(bucket, self.now);
                self.seen.identifies.push((at, number));
                let session_id = format!("session-{number}");
                self.sessions.insert(number, session_id.clone());
                let ready = json!({"op":0,"s":1,"t":"READY","d":{
                    "v":10,"user":{"id":"1","username":"fleet","bot":true},"guilds":[],
                    "session_id":session_id,"resume_gateway_url":RESUME_URL,
                    "shard":[shard[0],shard[1]],"application":{"id":"1","flags":0}}});
                self.deliver(number, &ready);
            }
            Some(6) => {
                let d = &payload["d"];
                assert_eq!(
                    self.sessions.get(&number).map(String::as_str),
                    d["session_id"].as_str(),
                    "shard {number} resumes its own session"
                );
                self.seen.resumes.push((at, number));
                let seq = d["seq"].as_u64().unwrap_or(0);
                self.deliver(number, &json!({"op":0,"s":seq + 1,"t":"RESUMED","d":{}}));
            }
            other => panic!("unexpected op {other:?} from shard {number}"),
        }
    }

    fn deliver(&mut self, number: u32, payload: &Value) {
        let now = self.now;
        let link = self.links.get_mut(&number).expect("listed");
        if link.open {
            let text = payload.to_string();
            link.machine.handle_message(now, Message::Text(&text));
        }
    }

    fn all_active(&self) -> bool {
        self.links
            .values()
            .all(|link| link.machine.state() == State::Active)
    }

    /// Closes every shard resumably and collects the sessions, as JSON and back.
    fn shut_down(&mut self, total: u32) -> SavedSessions {
        let mut saved = SavedSessions::new(total);
        let now = self.now;
        for link in self.links.values_mut() {
            link.machine.close(now, CloseFrame::RESUME);
            let session = link.machine.session().cloned().expect("a session to save");
            assert!(saved.insert(link.machine.id(), session));
        }
        self.settle();
        let text = serde_json::to_string(&saved).expect("serializes");
        serde_json::from_str(&text).expect("deserializes")
    }
}

/// Identify times grouped into windows: a window starts with the first Identify at least
/// one window after the previous window's start. Each group lists its shards.
fn windows(identifies: &[(Duration, u32)]) -> Vec<Vec<u32>> {
    let mut sorted = identifies.to_vec();
    sorted.sort();
    let mut groups: Vec<(Duration, Vec<u32>)> = Vec::new();
    for (at, shard) in sorted {
        match groups.last_mut() {
            Some((opened, shards)) if at < *opened + WINDOW => shards.push(shard),
            _ => groups.push((at, vec![shard])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut shards)| {
            shards.sort_unstable();
            shards
        })
        .collect()
}

fn shards(total: u32) -> ShardRange {
    ShardRange::all(total).expect("at least one shard")
}

#[test]
fn n_shards_come_up_in_ceil_n_over_c_windows_with_buckets_in_order() {
    for (total, concurrency) in [(100, 16), (32, 16), (33, 4), (5, 8), (7, 1), (1, 1)] {
        let mut fleet = Fleet::new(shards(total), concurrency, None);
        fleet.run_until(WINDOW * (total + 2), Fleet::all_active);
        let seen = &fleet.seen;
        assert_eq!(seen.invalid_sessions, [], "{total}/{concurrency}: no op 9");
        assert_eq!(seen.identifies.len(), total as usize);
        let expected: Vec<Vec<u32>> = (0..total.div_ceil(concurrency))
            .map(|window| (window * concurrency..total.min((window + 1) * concurrency)).collect())
            .collect();
        assert_eq!(windows(&seen.identifies), expected, "{total}/{concurrency}");
        // Each wave identifies at one instant, once its last Hello arrived (at most 300 ms
        // in); the next wave exactly one window later.
        let mut instants: Vec<Duration> = Vec::new();
        for wave in 0..total.div_ceil(concurrency) {
            let times: Vec<Duration> = seen
                .identifies
                .iter()
                .filter(|(_, shard)| shard / concurrency == wave)
                .map(|(at, _)| *at)
                .collect();
            assert!(times.windows(2).all(|pair| pair[0] == pair[1]), "{times:?}");
            instants.push(times[0]);
        }
        assert!(instants[0] < Duration::from_millis(300));
        assert!(
            instants.windows(2).all(|pair| pair[1] - pair[0] == WINDOW),
            "{instants:?}"
        );
    }
}

#[test]
fn without_announced_shards_the_network_decides_the_order_within_a_bucket() {
    // The same start as above, but the scheduler does not know who is coming: a bucket
    // grants whoever asks first. Still ceil(N / C) windows and no op 9; only the order is lost.
    let mut fleet = Fleet::new(shards(100), 16, None);
    fleet.schedulers = vec![IdentifyScheduler::new(16)];
    fleet.run_until(WINDOW * 20, Fleet::all_active);
    assert_eq!(fleet.seen.invalid_sessions, []);
    let groups = windows(&fleet.seen.identifies);
    assert_eq!(groups.len(), 7);
    assert_ne!(
        groups[0],
        (0..16).collect::<Vec<u32>>(),
        "the Hellos were shuffled"
    );
}

#[test]
fn identify_waits_for_the_windows_not_for_the_hellos() {
    // Hellos arrive together: the first window is at once, the others exactly one window apart.
    let mut fleet = Fleet::new(shards(48), 16, None);
    fleet.delay = |_| Duration::ZERO;
    fleet.run_until(WINDOW * 10, Fleet::all_active);
    let times: Vec<Duration> = fleet.seen.identifies.iter().map(|(at, _)| *at).collect();
    let mut distinct = times.clone();
    distinct.dedup();
    assert_eq!(distinct, [Duration::ZERO, WINDOW, WINDOW * 2]);
    assert_eq!(fleet.seen.permit_requests, 48, "one permit per shard");
}

#[test]
fn processes_owning_whole_buckets_need_no_shared_queue() {
    // Three processes, each with its own scheduler, against one gateway: the buckets they
    // own are disjoint, so the gateway's per-bucket limit holds without coordination.
    let (total, concurrency) = (100, 16);
    let ranges: Vec<ShardRange> = (0..3)
        .map(|index| ShardRange::process(total, concurrency, index, 3).expect("a valid split"))
        .collect();
    let mut fleet = Fleet::new(ranges[0].clone(), concurrency, None);
    for range in &ranges[1..] {
        fleet.add_process(range.clone(), None);
    }
    fleet.run_until(WINDOW * 20, Fleet::all_active);
    assert_eq!(fleet.seen.invalid_sessions, [], "no op 9 across processes");
    assert_eq!(fleet.seen.identifies.len(), 100);
    assert_eq!(windows(&fleet.seen.identifies).len(), 7);
    for range in &ranges {
        let mine: Vec<(Duration, u32)> = fleet
            .seen
            .identifies
            .iter()
            .copied()
            .filter(|(_, n)| range.contains(ShardId::new(*n, total).unwrap()))
            .collect();
        assert_eq!(mine.len(), range.len());
        assert_eq!(windows(&mine).len() as u32, range.identify_windows());
    }
}

#[test]
fn the_session_start_budget_is_never_overdrawn() {
    let mut fleet = Fleet::new(shards(32), 16, None);
    let limits = SessionStartLimits {
        total: 1000,
        remaining: 20,
        reset_after: Duration::from_secs(60),
        max_concurrency: 16,
    };
    fleet.schedulers[0].set_session_start_limit(fleet.now, limits.budget());
    fleet.starts_left = 20;
    fleet.run_until(Duration::from_secs(30), |fleet| {
        fleet.seen.identifies.len() == 20
    });
    fleet.run_until(Duration::from_secs(59), |fleet| {
        fleet.elapsed() >= Duration::from_secs(59)
    });
    assert_eq!(
        fleet.seen.identifies.len(),
        20,
        "the rest waits for the reset"
    );
    fleet.starts_left = 1000;
    fleet.run_until(Duration::from_secs(90), Fleet::all_active);
    let late = fleet
        .seen
        .identifies
        .iter()
        .filter(|(at, _)| *at >= Duration::from_secs(60))
        .count();
    assert_eq!(late, 12);
    assert_eq!(fleet.seen.invalid_sessions, []);
    // Which buckets got the last 4 starts of the budget depends on which window ended
    // first; within every bucket, shards still started in order.
    let mut by_bucket: BTreeMap<u32, Vec<(Duration, u32)>> = BTreeMap::new();
    for (at, shard) in &fleet.seen.identifies {
        by_bucket.entry(shard % 16).or_default().push((*at, *shard));
    }
    for (bucket, mut starts) in by_bucket {
        starts.sort();
        let order: Vec<u32> = starts.iter().map(|(_, shard)| *shard).collect();
        assert_eq!(order, [bucket, bucket + 16], "bucket {bucket}");
    }
}

#[test]
fn saved_sessions_bring_every_shard_back_without_identifying() {
    let mut fleet = Fleet::new(shards(100), 16, None);
    fleet.run_until(WINDOW * 10, Fleet::all_active);
    let saved = fleet.shut_down(100);
    assert_eq!(saved.len(), 100);
    assert!(fleet
        .links
        .values()
        .all(|link| link.machine.state() == State::Closed));

    // A new process: new machines from the saved sessions, the same gateway.
    let mut next = Fleet::new(saved.shard_ids(), 16, Some(&saved));
    next.sessions = std::mem::take(&mut fleet.sessions);
    next.buckets = std::mem::take(&mut fleet.buckets);
    assert_eq!(
        next.schedulers[0].expected(),
        0,
        "resuming shards are not announced"
    );
    next.run_until(WINDOW, Fleet::all_active);
    assert_eq!(next.seen.identifies, [], "not a single Identify");
    assert_eq!(
        next.seen.permit_requests, 0,
        "not a single permit asked for"
    );
    assert_eq!(next.seen.resumes.len(), 100);
    assert!(
        next.elapsed() < Duration::from_millis(300),
        "no identify window to wait for"
    );
}
