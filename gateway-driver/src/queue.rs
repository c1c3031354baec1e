//! Identify permits shared between shards: the [`Queue`] trait a shard asks, and
//! [`InMemoryQueue`], which wraps gateway-proto's [`IdentifyScheduler`] for one process.
//!
//! Sharing is by construction: a [`ShardBuilder`](crate::ShardBuilder) holds an
//! `Arc<dyn Queue>`, clones share it, and without an explicit queue every shard of the process
//! on one runtime uses one default queue. The scheduling rules (buckets, windows,
//! session-start budget) live in gateway-proto; this file only parks waiters and wakes them.
//!
//! [`InMemoryQueue`] has no task of its own: the waiting shards drive the scheduler, each
//! sleeping until its next deadline. A queue task would die with the runtime that spawned it,
//! which would strand the shards of every later runtime using the process-wide queue. It is
//! generic over the runtime only for its clock and timer: tokio's paused test clock must be
//! the one the scheduler sees.

use crate::runtime::{self, Runtime};
use gateway_proto::{queue::SessionStartLimit, IdentifyScheduler, ShardId};
use std::{
    any::TypeId,
    collections::{HashMap, VecDeque},
    fmt,
    future::Future,
    marker::PhantomData,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError},
    time::Instant,
};
use tokio::sync::oneshot;

/// Resolves when the shard may send Identify; dropping it withdraws the request.
pub type PermitFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Hands out identify permits (protocol.md §7). Implement it to share permits between
/// processes; a shard calls [`request`](Self::request) each time it needs to identify.
pub trait Queue: fmt::Debug + Send + Sync {
    /// Asks for a permit for `shard`.
    fn request(&self, shard: ShardId) -> PermitFuture;
}

/// The identify queue of one process: `max_concurrency` buckets, 5 s windows, and the
/// session-start budget once it is known. `R` is the runtime whose clock and timer it uses
/// (adapters name it: `gateway_tokio::InMemoryQueue`).
///
/// ```
/// use gateway_driver::{Config, InMemoryQueue, Intents, Runtime, Shard, ShardId};
/// use std::sync::Arc;
///
/// fn shards<R: Runtime>() -> Vec<Shard<R>> {
///     let queue = Arc::new(InMemoryQueue::<R>::new(16));
///     let config = Config::new("token", Intents::GUILDS);
///     let builder = Shard::builder(config).queue(queue);
///     (0..32)
///         .map(|n| builder.build(ShardId::new(n, 32).expect("n < 32")))
///         .collect()
/// }
/// ```
pub struct InMemoryQueue<R> {
    inner: Arc<Mutex<Waiters>>,
    runtime: PhantomData<fn() -> R>,
}

/// The scheduler and the shards parked on it.
struct Waiters {
    scheduler: IdentifyScheduler,
    next_ticket: u64,
    /// Per shard number, the requests waiting, oldest first.
    tickets: HashMap<u32, VecDeque<(u64, oneshot::Sender<()>)>>,
}

impl<R: Runtime> InMemoryQueue<R> {
    /// A queue with `max_concurrency` buckets and Discord's 5 s window.
    pub fn new(max_concurrency: u32) -> Self {
        Self::from_scheduler(IdentifyScheduler::new(max_concurrency))
    }

    /// A queue around a configured scheduler (e.g. a shorter window for a simulator).
    pub fn from_scheduler(scheduler: IdentifyScheduler) -> Self {
        let waiters = Waiters {
            scheduler,
            next_ticket: 0,
            tickets: HashMap::new(),
        };
        Self {
            inner: Arc::new(Mutex::new(waiters)),
            runtime: PhantomData,
        }
    }

    /// Sets the session-start budget, as `GET /gateway/bot` reports it now.
    pub fn set_session_start_limit(&self, limit: SessionStartLimit) {
        lock(&self.inner)
            .scheduler
            .set_session_start_limit(R::now(), limit);
    }

    /// The session-start budget, if one was set.
    pub fn session_start_limit(&self) -> Option<SessionStartLimit> {
        lock(&self.inner).scheduler.session_start_limit(R::now())
    }

    /// How many shards wait for a permit.
    pub fn waiting(&self) -> usize {
        lock(&self.inner).scheduler.waiting()
    }
}

impl<R> Clone for InMemoryQueue<R> {
    /// Another handle on the same queue.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> Default for InMemoryQueue<R> {
    /// One bucket (`max_concurrency` 1), as for most bots.
    fn default() -> Self {
        Self::new(1)
    }
}

impl<R> fmt::Debug for InMemoryQueue<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = lock(&self.inner);
        f.debug_struct("InMemoryQueue")
            .field("max_concurrency", &waiters.scheduler.max_concurrency())
            .field("window", &waiters.scheduler.window())
            .field("waiting", &waiters.scheduler.waiting())
            .finish()
    }
}

impl<R: Runtime> Queue for InMemoryQueue<R> {
    fn request(&self, shard: ShardId) -> PermitFuture {
        let number = shard.number();
        let (sender, mut permit) = oneshot::channel();
        let ticket = {
            let mut waiters = lock(&self.inner);
            let ticket = waiters.next_ticket;
            waiters.next_ticket += 1;
            let queue = waiters.tickets.entry(number).or_default();
            queue.push_back((ticket, sender));
            waiters.scheduler.request(R::now(), number);
            ticket
        };
        let guard = Withdraw {
            inner: self.inner.clone(),
            shard: number,
            ticket,
        };
        Box::pin(async move {
            loop {
                let next = lock(&guard.inner).grant(R::now());
                let Some(at) = next else {
                    // Nothing else waits: the permit (or the queue's end) is all to wait for.
                    let _ = (&mut permit).await;
                    return;
                };
                tokio::select! {
                    biased;
                    _ = &mut permit => return,
                    () = runtime::sleep_until::<R>(at) => {}
                }
            }
        })
    }
}

impl Waiters {
    /// Hands out every permit due at `now`; returns when to look again.
    fn grant(&mut self, now: Instant) -> Option<Instant> {
        while let Some(shard) = self.scheduler.poll_grant(now) {
            let Some(queue) = self.tickets.get_mut(&shard) else {
                continue;
            };
            // The oldest request still listening gets it.
            while let Some((_, sender)) = queue.pop_front() {
                if sender.send(()).is_ok() {
                    break;
                }
            }
            if queue.is_empty() {
                self.tickets.remove(&shard);
            } else {
                self.scheduler.request(now, shard);
            }
        }
        self.scheduler.poll_timeout()
    }
}

/// Withdraws a request whose future was dropped before its permit came.
struct Withdraw {
    inner: Arc<Mutex<Waiters>>,
    shard: u32,
    ticket: u64,
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        let mut waiters = lock(&self.inner);
        let Some(queue) = waiters.tickets.get_mut(&self.shard) else {
            return;
        };
        queue.retain(|(ticket, _)| *ticket != self.ticket);
        if queue.is_empty() {
            waiters.tickets.remove(&self.shard);
            waiters.scheduler.cancel(self.shard);
        }
    }
}

/// The queue of every shard on `R` built without one: one per process and runtime, never one
/// per config. Runtimes do not share it: each queue sleeps on its own runtime's timer.
pub(crate) fn default_queue<R: Runtime>() -> Arc<dyn Queue> {
    static DEFAULTS: OnceLock<Mutex<HashMap<TypeId, Arc<dyn Queue>>>> = OnceLock::new();
    let defaults = DEFAULTS.get_or_init(Mutex::default);
    let mut defaults = defaults.lock().unwrap_or_else(PoisonError::into_inner);
    defaults
        .entry(TypeId::of::<R>())
        .or_insert_with(|| Arc::new(InMemoryQueue::<R>::default()))
        .clone()
}

/// The waiters stay consistent even if a holder panicked: every update is a single step.
fn lock(inner: &Mutex<Waiters>) -> MutexGuard<'_, Waiters> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_runtime::Paused;
    use std::time::Duration;

    type InMemoryQueue = super::InMemoryQueue<Paused>;

    fn shard(number: u32) -> ShardId {
        ShardId::new(number, 8).expect("number < 8")
    }

    #[test]
    fn the_default_queue_is_one_per_process() {
        assert!(Arc::ptr_eq(
            &default_queue::<Paused>(),
            &default_queue::<Paused>()
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn permits_follow_buckets_and_windows() {
        let window = Duration::from_millis(500);
        let queue = InMemoryQueue::from_scheduler(IdentifyScheduler::new(2).with_window(window));
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for number in 0..5 {
            let permit = queue.request(shard(number));
            tasks.push(tokio::spawn(async move {
                permit.await;
                (number, start.elapsed())
            }));
        }
        let mut granted = Vec::new();
        for task in tasks {
            granted.push(task.await.expect("task"));
        }
        let windows: Vec<u128> = granted
            .iter()
            .map(|(_, at)| at.as_millis() / window.as_millis())
            .collect();
        assert_eq!(windows, [0, 0, 1, 1, 2]);
        assert_eq!(queue.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_request_gives_its_turn_away() {
        let window = Duration::from_secs(5);
        let queue = InMemoryQueue::from_scheduler(IdentifyScheduler::new(1).with_window(window));
        queue.request(shard(0)).await;
        let start = tokio::time::Instant::now();
        // Shard 1 would be next, but gives up; shard 2 gets the next window.
        drop(queue.request(shard(1)));
        queue.request(shard(2)).await;
        assert_eq!(start.elapsed(), window);
        assert_eq!(queue.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn two_requests_of_one_shard_take_two_windows() {
        let window = Duration::from_secs(5);
        let queue = InMemoryQueue::from_scheduler(IdentifyScheduler::new(1).with_window(window));
        let start = tokio::time::Instant::now();
        let first = queue.request(shard(3));
        let second = queue.request(shard(3));
        first.await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        second.await;
        assert_eq!(start.elapsed(), window);
    }
}
