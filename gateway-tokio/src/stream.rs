//! Many shards read as one: [`ShardStream`], a fair fan-in of their events, and its clean
//! shutdown into [`SavedSessions`].
//!
//! Each shard already runs in its own task, which heartbeats, reconnects and reads its socket
//! whether or not anyone reads its events; a full event channel only pauses that shard's
//! socket reads. The fan-in adds no task: it polls only the shards that signalled an event
//! (each shard gets its own waker, which queues the shard's index) and serves them round
//! robin, one event per shard per turn. A shard flooded with events therefore cannot hold
//! back another shard's events by more than one turn, and cannot hold back anyone's
//! heartbeats at all. It knows nothing of the protocol: events pass through unchanged.

use crate::proto::{CloseFrame, Event, EventTypeFlags, SavedSessions, ShardId};
use crate::{Error, MessageSender, Shard};
use futures_util::{future::join_all, task::AtomicWaker, Stream};
use std::{
    collections::VecDeque,
    future::poll_fn,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, PoisonError,
    },
    task::{Context, Poll, Wake, Waker},
};

/// One item of a [`ShardStream`]: the shard it came from and what the shard yielded.
pub type ShardItem = (ShardId, Result<Event, Error>);

/// The events of many shards as one [`Stream`] of `(ShardId, item)`, served fairly.
///
/// Fairness: shards with events waiting are served in turn, one event each, in the order
/// they became ready; a shard that yielded goes to the back of the line. With `n` shards, an
/// event that has reached the front of its shard's channel is returned after at most `n - 1`
/// events of other shards. Heartbeats do not depend on reading at all (see the module docs).
///
/// Shutdown: [`close`](Self::close) closes every shard at once and returns their sessions;
/// events received before the close can still be read until the stream ends.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use gateway_tokio::{CloseFrame, Config, Intents, Shard, ShardId, ShardStream};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let builder = Shard::builder(Config::new("token", Intents::GUILDS));
/// let shards = (0..4).map(|n| builder.build(ShardId::new(n, 4).expect("n < 4")));
/// let mut stream = ShardStream::new(shards);
/// while let Some((id, item)) = stream.next().await {
///     println!("shard {id}: {:?}", item.map(|event| event.kind()));
/// #   break;
/// }
/// let saved = stream.close(CloseFrame::RESUME).await;
/// std::fs::write("sessions.json", serde_json::to_string(&saved)?)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ShardStream {
    shards: Vec<Shard>,
    /// Per shard: the waker that queues it, and whether its stream ended.
    slots: Vec<Slot>,
    ready: Arc<Ready>,
    live: usize,
}

#[derive(Debug)]
struct Slot {
    waker: Waker,
    signal: Arc<Signal>,
    ended: bool,
}

/// The shards that signalled, in order, and the task reading the stream.
#[derive(Debug, Default)]
struct Ready {
    queue: Mutex<VecDeque<usize>>,
    reader: AtomicWaker,
}

impl Ready {
    fn push(&self, index: usize) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(index);
    }

    fn pop(&self) -> Option<usize> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }

    fn len(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// One shard's waker: queues the shard once, however often it is woken.
#[derive(Debug)]
struct Signal {
    index: usize,
    queued: AtomicBool,
    ready: Arc<Ready>,
}

impl Signal {
    /// Queues the shard unless it already is; returns whether it was queued now.
    fn enqueue(&self) -> bool {
        if self.queued.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.ready.push(self.index);
        true
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.enqueue() {
            self.ready.reader.wake();
        }
    }
}

impl ShardStream {
    /// A stream over `shards`. Every shard is polled on the first read, which starts the
    /// shards that are not running yet.
    pub fn new(shards: impl IntoIterator<Item = Shard>) -> Self {
        let shards: Vec<Shard> = shards.into_iter().collect();
        let ready = Arc::new(Ready::default());
        let slots = (0..shards.len())
            .map(|index| {
                let signal = Arc::new(Signal {
                    index,
                    queued: AtomicBool::new(false),
                    ready: ready.clone(),
                });
                signal.enqueue();
                Slot {
                    waker: Waker::from(signal.clone()),
                    signal,
                    ended: false,
                }
            })
            .collect();
        Self {
            live: shards.len(),
            shards,
            slots,
            ready,
        }
    }

    /// How many shards it holds.
    pub fn len(&self) -> usize {
        self.shards.len()
    }

    /// Whether it holds no shard.
    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    /// The shards, in the order given.
    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// The shard with `id`'s number, if held.
    pub fn shard(&self, id: ShardId) -> Option<&Shard> {
        self.shards.iter().find(|shard| shard.id() == id)
    }

    /// A sender for the shard with `id`, if held.
    pub fn sender(&self, id: ShardId) -> Option<MessageSender> {
        self.shard(id).map(Shard::sender)
    }

    /// The next event selected by `flags` (errors always are), from any shard; `None` once
    /// every shard ended. Cancel-safe.
    pub async fn next_event(&mut self, flags: EventTypeFlags) -> Option<ShardItem> {
        loop {
            let (id, item) = poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await?;
            match item {
                Ok(event) if !event.is_selected_by(flags) => continue,
                item => return Some((id, item)),
            }
        }
    }

    /// Closes every shard with `frame`, all at once, and returns the sessions to save
    /// ([`CloseFrame::RESUME`] keeps them resumable; 1000/1001 ends them and nothing is
    /// saved). Events received before the close stay readable until the stream ends: read
    /// them before saving, or they are lost, as the sessions' sequence already counts them.
    ///
    /// The sessions are those of the shards whose total is the first shard's.
    pub async fn close(&mut self, frame: CloseFrame) -> SavedSessions {
        let total = self.shards.first().map_or(0, |shard| shard.id().total());
        let closes = self.shards.iter_mut().map(|shard| {
            let frame = frame.clone();
            async move { (shard.id(), shard.close(frame).await) }
        });
        let mut saved = SavedSessions::new(total);
        for (id, session) in join_all(closes).await {
            if let Some(session) = session {
                saved.insert(id, session);
            }
        }
        saved
    }

    /// The shards back, in the order given.
    pub fn into_shards(self) -> Vec<Shard> {
        self.shards
    }
}

impl From<Vec<Shard>> for ShardStream {
    fn from(shards: Vec<Shard>) -> Self {
        Self::new(shards)
    }
}

impl Stream for ShardStream {
    type Item = ShardItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ShardItem>> {
        let this = self.get_mut();
        this.ready.reader.register(cx.waker());
        // Each shard queued now is polled at most once per call: one woken again while being
        // polled (tokio's coop budget does that) waits for the next call.
        for _ in 0..this.ready.len() {
            let Some(index) = this.ready.pop() else {
                break;
            };
            let slot = &mut this.slots[index];
            slot.signal.queued.store(false, Ordering::Release);
            if slot.ended {
                continue;
            }
            let shard = &mut this.shards[index];
            let mut shard_cx = Context::from_waker(&slot.waker);
            match Pin::new(&mut *shard).poll_next(&mut shard_cx) {
                Poll::Ready(Some(item)) => {
                    // It may have more: back of the line, behind every shard already waiting.
                    slot.signal.enqueue();
                    return Poll::Ready(Some((shard.id(), item)));
                }
                Poll::Ready(None) => {
                    slot.ended = true;
                    this.live -= 1;
                }
                Poll::Pending => {}
            }
        }
        if this.live == 0 {
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::IdentifyScheduler;
    use crate::{Config, InMemoryQueue, Intents, ShardBuilder};
    use futures_util::StreamExt;
    use gateway_sim::{SimConfig, Simulator};
    use std::time::Duration;

    const PATIENCE: Duration = Duration::from_secs(15);

    fn builder(sim: &Simulator) -> ShardBuilder {
        let config = Config::builder(&sim.config().token, Intents::GUILD_MESSAGES)
            .gateway_url(sim.url())
            .compression(crate::proto::Compression::None)
            .build()
            .expect("config");
        let queue = IdentifyScheduler::new(1).with_window(Duration::ZERO);
        Shard::builder(config).queue(Arc::new(InMemoryQueue::from_scheduler(queue)))
    }

    #[tokio::test]
    async fn an_empty_stream_ends_at_once() {
        let mut stream = ShardStream::new(Vec::new());
        assert!(stream.is_empty());
        assert!(stream.next().await.is_none());
        assert_eq!(
            stream.close(CloseFrame::RESUME).await,
            SavedSessions::new(0)
        );
    }

    #[tokio::test]
    async fn a_backlogged_shard_does_not_hold_back_the_others() {
        let sim = Simulator::start(SimConfig::fast())
            .await
            .expect("simulator");
        let builder = builder(&sim);
        let shards = (0..3).map(|n| builder.build(ShardId::new(n, 3).expect("n < 3")));
        let mut stream = ShardStream::new(shards);
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
                let d = serde_json::json!({"id": n.to_string(), "channel_id": "1",
                    "guild_id": guild.to_string(), "content": "x"});
                assert_eq!(sim.dispatch("MESSAGE_CREATE", Some(guild), d), 1);
            }
        }
        let received = || {
            stream
                .shards()
                .iter()
                .zip(per_shard)
                // READY counts too.
                .all(|(shard, count)| shard.statistics().dispatches > count)
        };
        tokio::time::timeout(PATIENCE, async {
            while !received() {
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
}
