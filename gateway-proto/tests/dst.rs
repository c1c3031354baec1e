//! Deterministic simulation of the shard machine against a model gateway (`sim/`), with a
//! seeded fault schedule and issue 8's invariants checked after every step.
//!
//! Default: 200 seeds of 2 virtual hours each, spread over the machine's cores. Environment:
//! - `DST_SEED=n`: run only seed `n`, with a trace of the last steps on failure (how to
//!   replay a failure; the failure message prints the command);
//! - `DST_SEEDS=n`: run seeds `DST_FIRST..DST_FIRST+n` (`DST_FIRST` defaults to 0);
//! - `DST_HOURS=h`: virtual hours per seed (fractions allowed; at least 30 minutes run).
//!
//! A long run: `DST_SEEDS=20000 DST_HOURS=6 cargo test --release -p gateway-proto --test dst`.

mod sim;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn every_seed_keeps_every_invariant() {
    let hours: f64 = env("DST_HOURS").unwrap_or(2.0);
    let duration = Duration::from_secs_f64(hours * 3600.0);
    let seeds: Vec<u64> = match env::<u64>("DST_SEED") {
        Some(seed) => vec![seed],
        None => {
            let first = env("DST_FIRST").unwrap_or(0);
            (first..first + env::<u64>("DST_SEEDS").unwrap_or(200)).collect()
        }
    };
    let tracing = seeds.len() == 1;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let started = Instant::now();
    let total = Mutex::new(sim::Summary::default());
    let failures = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (seeds, total, failures, stop) = (&seeds, &total, &failures, &stop);
            scope.spawn(move || {
                for &seed in seeds.iter().skip(worker).step_by(workers) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match sim::run(seed, duration, tracing) {
                        Ok(summary) => total.lock().unwrap().add(&summary),
                        Err(why) => {
                            stop.store(true, Ordering::Relaxed);
                            failures.lock().unwrap().push((seed, why));
                        }
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(seed, _)| *seed);
    if let Some((seed, why)) = failures.first() {
        panic!(
            "seed {seed} failed; replay it (with a trace of the last steps):\n  \
             DST_SEED={seed} DST_HOURS={hours} cargo test -p gateway-proto --test dst\n{why}"
        );
    }
    eprintln!(
        "dst: {} seeds x {hours} h virtual in {:?} on {workers} threads: {:?}",
        seeds.len(),
        started.elapsed(),
        total.into_inner().unwrap()
    );
}
