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

use crate::{
    error::Error,
    runtime::Runtime,
    shard::{typed, MessageSender, Shard},
};
use futures_util::{future::join_all, task::AtomicWaker, Stream};
use gateway_proto::{model::TypedEvent, CloseFrame, Event, EventTypeFlags, SavedSessions, ShardId};
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
/// `R` is the shards' runtime; the stream itself runs on any executor.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use gateway_driver::{CloseFrame, Config, Intents, Runtime, Shard, ShardId, ShardStream};
///
/// async fn run<R: Runtime>() {
///     let builder = Shard::<R>::builder(Config::new("token", Intents::GUILDS));
///     let shards = (0..4).map(|n| builder.build(ShardId::new(n, 4).expect("n < 4")));
///     let mut stream = ShardStream::new(shards);
///     while let Some((id, item)) = stream.next().await {
///         println!("shard {id}: {:?}", item.map(|event| event.kind()));
///     #   break;
///     }
///     let saved = stream.close(CloseFrame::RESUME).await;
///     println!("{} sessions to resume", saved.len());
/// }
/// ```
#[derive(Debug)]
pub struct ShardStream<R> {
    shards: Vec<Shard<R>>,
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

impl<R: Runtime> ShardStream<R> {
    /// A stream over `shards`. Every shard is polled on the first read, which starts the
    /// shards that are not running yet.
    pub fn new(shards: impl IntoIterator<Item = Shard<R>>) -> Self {
        let shards: Vec<Shard<R>> = shards.into_iter().collect();
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
    pub fn shards(&self) -> &[Shard<R>] {
        &self.shards
    }

    /// The shard with `id`'s number, if held.
    pub fn shard(&self, id: ShardId) -> Option<&Shard<R>> {
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

    /// The next event selected by `flags`, from any shard, typed as
    /// [`Shard::next_typed_event`] types it: parsed in the caller's task, a dispatch that does
    /// not parse is a non-fatal [`ErrorKind::Parse`](crate::ErrorKind::Parse) holding the raw
    /// dispatch. Cancel-safe.
    pub async fn next_typed_event(
        &mut self,
        flags: EventTypeFlags,
    ) -> Option<(ShardId, Result<TypedEvent, Error>)> {
        let (id, item) = self.next_event(flags).await?;
        Some((id, typed(item)))
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
    pub fn into_shards(self) -> Vec<Shard<R>> {
        self.shards
    }
}

impl<R: Runtime> From<Vec<Shard<R>>> for ShardStream<R> {
    fn from(shards: Vec<Shard<R>>) -> Self {
        Self::new(shards)
    }
}

impl<R: Runtime> Stream for ShardStream<R> {
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
    use crate::test_runtime::Paused;
    use futures_util::StreamExt;

    // The fairness of a stream over real shards is a scenario of the `gateway-tests` suite,
    // run on every adapter.
    #[tokio::test]
    async fn an_empty_stream_ends_at_once() {
        let mut stream = ShardStream::<Paused>::new(Vec::new());
        assert!(stream.is_empty());
        assert!(stream.next().await.is_none());
        assert_eq!(
            stream.close(CloseFrame::RESUME).await,
            SavedSessions::new(0)
        );
    }
}
