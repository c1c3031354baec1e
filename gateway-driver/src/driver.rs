//! The shard's task: the loop around gateway-proto's [`ShardMachine`].
//!
//! 1. Apply a close request, update the telemetry (span, metrics), then drain every machine
//!    output: connect, send, close, ask for an identify permit, collect an event for the reader.
//! 2. If the deadline is due, handle it at once and go to 1 (a runtime may leave an elapsed
//!    timer pending, as tokio's coop budget can, so the clock is checked).
//! 3. If the socket already holds another message and the batch is short of [`MAX_BATCH`]
//!    messages (and the collected events still fit in the channel), feed it and go to 1.
//! 4. Publish the status snapshot, hand the collected events to the channel at once, then wait
//!    for the first of: the deadline, a close request, room in the event channel for events
//!    still collected, socket I/O (reads only while the event channel has room), the
//!    connection attempt, the identify permit, a user command (while the machine's queue has
//!    room). Feed it to the machine with the current time and go to 1.
//!
//! Step 3 makes a burst cost one wake of the reader per batch instead of one per message (the
//! reader usually runs on another thread, and a wake per message is a futex call and a context
//! switch each), and skips the wait's bookkeeping for messages that are already there. Timers
//! and close requests are still checked between the messages of a batch; commands wait for
//! the end of the batch, at most [`MAX_BATCH`] messages.
//!
//! Backpressure from a slow reader stops socket reads, never timers: heartbeats keep going,
//! memory stays bounded, and a reader stalled for longer than a heartbeat interval makes the
//! machine see a zombie (its ACK is unread) and resume, which loses nothing.
//! Every protocol decision is the machine's; this file only moves bytes and instants. It is
//! generic over the [`Runtime`], which supplies the clock, the timer, spawning and sockets.

use crate::{
    error::{Error, ErrorKind},
    net::{self, Connector, Socket},
    queue::{PermitFuture, Queue},
    runtime::{self, Runtime, Timer},
    shard::Status,
};
use async_tungstenite::tungstenite::{self, protocol::frame::coding::CloseCode, Message as Ws};
use futures_util::{SinkExt, StreamExt};
use gateway_proto::{
    telemetry::Telemetry, CloseCause, CloseFrame, Event, Message, Next, Output, ShardMachine, State,
};
use std::{
    collections::VecDeque,
    future::{poll_fn, Future},
    marker::PhantomData,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::Poll,
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, watch};

/// How long a closing connection may take to send its close frame and hear the answer.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Most socket messages fed to the machine between two hand-overs to the reader.
const MAX_BATCH: usize = 32;

/// What the user side reads.
pub(crate) type Item = Result<Event, Error>;

type Connecting<R> = Pin<Box<dyn Future<Output = Result<Socket<R>, Error>> + Send>>;

/// Everything the shard's task owns.
#[derive(Debug)]
pub(crate) struct Driver<R> {
    pub(crate) machine: ShardMachine,
    pub(crate) queue: Arc<dyn Queue>,
    pub(crate) connector: Connector,
    pub(crate) events: mpsc::Sender<Item>,
    pub(crate) commands: mpsc::Receiver<String>,
    pub(crate) close: watch::Receiver<Option<CloseFrame>>,
    pub(crate) status: Arc<Mutex<Status>>,
    pub(crate) stopped: watch::Sender<bool>,
    /// The shard's span and metrics, updated after every step.
    pub(crate) telemetry: Telemetry,
    pub(crate) runtime: PhantomData<fn() -> R>,
}

/// The connection-shaped state of the loop.
struct Io<R: Runtime> {
    socket: Option<Socket<R>>,
    /// Frames waiting to be written.
    outgoing: VecDeque<Ws>,
    connecting: Option<Connecting<R>>,
    permit: Option<PermitFuture>,
    /// Drained items not yet in the event channel: the current batch's, and those the
    /// channel had no room for.
    pending: VecDeque<Item>,
}

impl<R: Runtime> Default for Io<R> {
    fn default() -> Self {
        Self {
            socket: None,
            outgoing: VecDeque::new(),
            connecting: None,
            permit: None,
            pending: VecDeque::new(),
        }
    }
}

/// What happened on the socket.
enum SocketEvent {
    Message(Ws),
    Failed(tungstenite::Error),
    Ended,
}

/// One thing the loop waited for.
enum Wake<R: Runtime> {
    Deadline,
    Close,
    ShardDropped,
    Socket(SocketEvent),
    /// Boxed: a socket is large and this enum is built on every wake.
    Connected(Box<Result<Socket<R>, Error>>),
    Permit,
    Command(Option<String>),
}

impl<R: Runtime> Driver<R> {
    /// Runs the shard until it stops and its events are handed over (or nobody listens).
    pub(crate) async fn run(mut self) {
        let mut io = Io::<R>::default();
        // Armed below whenever the machine has a deadline; only polled then.
        let mut sleep = R::timer(R::now());
        let mut close_open = true;
        let mut commands_open = true;
        let capacity = self.machine.config().queue_capacity();
        // Socket messages fed since the last hand-over to the reader.
        let mut batch = 0;
        loop {
            if close_open && self.close.has_changed().unwrap_or(false) {
                let frame = self.close.borrow_and_update().clone();
                if let Some(frame) = frame {
                    self.machine.close(R::now(), frame);
                }
            }
            // Every step, so each log line of the next step is in an up-to-date span.
            self.telemetry.observe(&self.machine, R::now());
            self.drain(&mut io).await;
            let now = R::now();
            if self.machine.state() == State::Closed {
                io.connecting = None;
                io.permit = None;
                // Sends fail from now on instead of waiting in a queue nobody drains.
                self.commands.close();
                // `close()` returns on `stopped` and then reads the session.
                self.publish(now);
                self.hand_over(&mut io);
                self.stopped.send_replace(true);
                if io.pending.is_empty() {
                    return;
                }
            }
            let deadline = self.machine.poll_timeout();
            if let Some(at) = deadline {
                if at <= now {
                    self.machine.handle_timeout(now);
                    continue;
                }
                sleep.reset(at);
            }
            if batch < MAX_BATCH && io.pending.len() < self.events.capacity() {
                if let Poll::Ready(event) = poll_socket::<R>(&mut io).await {
                    batch += 1;
                    self.handle(&mut io, Wake::Socket(event), &mut commands_open);
                    continue;
                }
            }
            batch = 0;
            // Before the events go out: a reader never sees an event newer than the status.
            self.publish(now);
            self.hand_over(&mut io);
            let read = io.pending.is_empty() && self.events.capacity() > 0;
            let take_commands = commands_open
                && self.machine.state() != State::Closed
                && self.machine.queued_commands() < capacity;
            let (socket, outgoing) = (&mut io.socket, &mut io.outgoing);
            let (connecting, permit) = (&mut io.connecting, &mut io.permit);
            let wake = tokio::select! {
                biased;
                () = self.events.closed() => Wake::ShardDropped,
                () = &mut sleep, if deadline.is_some() => Wake::Deadline,
                changed = self.close.changed(), if close_open => {
                    // `changed` marked the request seen: apply it now, not at the top.
                    close_open = changed.is_ok();
                    Wake::Close
                }
                // Waits for the reader: to hand over a parked item, or for room to read again.
                room = self.events.reserve(), if !read => {
                    match (room, io.pending.pop_front()) {
                        (Ok(room), Some(item)) => room.send(item),
                        (Ok(_), None) => {}
                        (Err(_), _) => io.pending.clear(),
                    }
                    continue;
                }
                event = socket_io::<R>(socket, outgoing, read), if socket.is_some() => {
                    Wake::Socket(event)
                }
                result = some(connecting), if connecting.is_some() => Wake::Connected(Box::new(result)),
                () = some(permit), if permit.is_some() => Wake::Permit,
                command = self.commands.recv(), if take_commands => Wake::Command(command),
            };
            self.handle(&mut io, wake, &mut commands_open);
        }
    }

    /// Feeds what the loop woke for to the machine.
    fn handle(&mut self, io: &mut Io<R>, wake: Wake<R>, commands_open: &mut bool) {
        let now = R::now();
        match wake {
            Wake::Deadline => self.machine.handle_timeout(now),
            Wake::Close => {
                let frame = self.close.borrow_and_update().clone();
                if let Some(frame) = frame {
                    self.machine.close(now, frame);
                }
            }
            Wake::ShardDropped => {
                // Nobody reads any more: keep the session resumable and stop.
                io.pending.clear();
                self.machine.close(now, CloseFrame::RESUME);
            }
            Wake::Socket(SocketEvent::Message(message)) => self.on_message(io, now, message),
            Wake::Socket(SocketEvent::Failed(error)) => {
                self.deliver(io, Err(Error::with_source(ErrorKind::Transport, error)));
                self.socket_lost(io, now);
            }
            Wake::Socket(SocketEvent::Ended) => self.socket_lost(io, now),
            Wake::Connected(result) => {
                io.connecting = None;
                match *result {
                    Ok(socket) => {
                        io.socket = Some(socket);
                        self.machine.handle_open(now);
                    }
                    Err(error) => {
                        self.deliver(io, Err(error));
                        self.machine.handle_close(now, None);
                    }
                }
            }
            Wake::Permit => {
                io.permit = None;
                self.machine.handle_identify_permit(now);
            }
            Wake::Command(Some(payload)) => {
                if let Err(error) = self.machine.send_raw(now, payload) {
                    self.deliver(io, Err(error.into()));
                }
            }
            Wake::Command(None) => *commands_open = false,
        }
    }

    fn on_message(&mut self, io: &mut Io<R>, now: Instant, message: Ws) {
        match message {
            Ws::Text(text) => self
                .machine
                .handle_message(now, Message::Text(text.as_str())),
            Ws::Binary(bytes) => self.machine.handle_message(now, Message::Binary(&bytes)),
            Ws::Close(frame) => {
                let frame = frame.map(|frame| {
                    CloseFrame::new(u16::from(frame.code), frame.reason.as_str().to_owned())
                });
                self.machine.handle_close(now, frame);
                if let Some(socket) = io.socket.take() {
                    // Reading on lets tungstenite answer the close frame and see the end.
                    R::spawn(finish::<R>(socket));
                }
                io.outgoing.clear();
            }
            Ws::Ping(_) | Ws::Pong(_) | Ws::Frame(_) => {}
        }
    }

    fn socket_lost(&mut self, io: &mut Io<R>, now: Instant) {
        io.socket = None;
        io.outgoing.clear();
        self.machine.handle_close(now, None);
    }

    /// Acts on every output the machine has, in order.
    async fn drain(&mut self, io: &mut Io<R>) {
        while let Some(output) = self.machine.poll_output() {
            match output {
                Output::Connect(url) => {
                    // A machine closed meanwhile (user close before the first poll) has
                    // nothing left to connect for.
                    if self.machine.state() == State::Closed {
                        continue;
                    }
                    tracing::debug!(shard = %self.machine.id(), %url, "connecting");
                    io.socket = None;
                    io.outgoing.clear();
                    let connect = net::connect::<R>(url, self.connector.clone());
                    io.connecting = Some(Box::pin(connect));
                }
                Output::Send(text) => {
                    if io.socket.is_some() {
                        io.outgoing.push_back(Ws::text(text));
                    }
                }
                Output::Close(frame) => {
                    let Some(mut socket) = io.socket.take() else {
                        continue;
                    };
                    let outgoing = std::mem::take(&mut io.outgoing);
                    // The close frame leaves before any new connection opens, so the gateway
                    // sees this session's connections in order.
                    send_close::<R>(&mut socket, outgoing, frame).await;
                    if self.machine.state() == State::Closed {
                        // The last connection: close() returns once the gateway answered.
                        finish::<R>(socket).await;
                    } else {
                        R::spawn(finish::<R>(socket));
                    }
                }
                Output::RequestIdentify => {
                    if io.permit.is_none() {
                        io.permit = Some(self.queue.request(self.machine.id()));
                    }
                }
                Output::Event(event) => {
                    let item = item(event);
                    self.deliver(io, item);
                }
            }
        }
    }

    /// Collects an item for the user side; [`hand_over`](Self::hand_over) sends it, in order.
    fn deliver(&self, io: &mut Io<R>, item: Item) {
        io.pending.push_back(item);
    }

    /// Moves collected items into the event channel while it has room; the rest stay parked
    /// until the reader makes room. Items for a reader that is gone are dropped.
    fn hand_over(&self, io: &mut Io<R>) {
        while let Some(item) = io.pending.pop_front() {
            match self.events.try_send(item) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(item)) => {
                    io.pending.push_front(item);
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    io.pending.clear();
                    return;
                }
            }
        }
    }

    /// Updates what the shard's accessors read.
    fn publish(&mut self, now: Instant) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.update(&mut self.machine, now);
    }
}

/// The user-side form of a machine event: bad input and final closes are errors.
fn item(event: Event) -> Item {
    match event {
        Event::Error(error) => Err(Error::new(ErrorKind::Receive(error))),
        Event::Closed(closed) if closed.next == Next::Stop && closed.cause != CloseCause::User => {
            Err(Error::new(ErrorKind::Closed(closed)))
        }
        event => Ok(event),
    }
}

/// Writes what is queued and flushes; with `read`, also waits for the next message.
async fn socket_io<R: Runtime>(
    socket: &mut Option<Socket<R>>,
    outgoing: &mut VecDeque<Ws>,
    read: bool,
) -> SocketEvent {
    let Some(socket) = socket.as_mut() else {
        return std::future::pending().await;
    };
    poll_fn(|cx| poll_io::<R>(socket, outgoing, read, cx)).await
}

/// One poll of the socket without waiting: writes what is queued and returns the next message
/// if one is already there. `Pending` leaves the task's waker registered, as any poll does;
/// the loop's wait polls the socket again.
async fn poll_socket<R: Runtime>(io: &mut Io<R>) -> Poll<SocketEvent> {
    let Some(socket) = io.socket.as_mut() else {
        return Poll::Pending;
    };
    let outgoing = &mut io.outgoing;
    poll_fn(|cx| Poll::Ready(poll_io::<R>(socket, outgoing, true, cx))).await
}

/// Writes what is queued and flushes; with `read`, also polls for the next message.
fn poll_io<R: Runtime>(
    socket: &mut Socket<R>,
    outgoing: &mut VecDeque<Ws>,
    read: bool,
    cx: &mut std::task::Context<'_>,
) -> Poll<SocketEvent> {
    while !outgoing.is_empty() {
        match socket.poll_ready_unpin(cx) {
            Poll::Ready(Ok(())) => {
                if let Some(frame) = outgoing.pop_front() {
                    if let Err(error) = socket.start_send_unpin(frame) {
                        return Poll::Ready(SocketEvent::Failed(error));
                    }
                }
            }
            Poll::Ready(Err(error)) => return Poll::Ready(SocketEvent::Failed(error)),
            Poll::Pending => break,
        }
    }
    // Cheap when nothing is buffered: frames are written as they are queued.
    if let Poll::Ready(Err(error)) = socket.poll_flush_unpin(cx) {
        return Poll::Ready(SocketEvent::Failed(error));
    }
    if !read {
        return Poll::Pending;
    }
    match socket.poll_next_unpin(cx) {
        Poll::Ready(Some(Ok(message))) => Poll::Ready(SocketEvent::Message(message)),
        Poll::Ready(Some(Err(error))) => Poll::Ready(SocketEvent::Failed(error)),
        Poll::Ready(None) => Poll::Ready(SocketEvent::Ended),
        Poll::Pending => Poll::Pending,
    }
}

/// Writes what was queued before the close, then the close frame, within [`CLOSE_TIMEOUT`].
async fn send_close<R: Runtime>(socket: &mut Socket<R>, outgoing: VecDeque<Ws>, frame: CloseFrame) {
    let frame = tungstenite::protocol::CloseFrame {
        code: CloseCode::from(frame.code),
        reason: frame.reason.into_owned().into(),
    };
    let send = async {
        for message in outgoing {
            socket.feed(message).await?;
        }
        socket.send(Ws::Close(Some(frame))).await
    };
    if let Some(Err(error)) = runtime::timeout::<R, _>(CLOSE_TIMEOUT, send).await {
        tracing::debug!(%error, "sending the close frame");
    }
}

/// Reads a connection the machine is done with until it ends (tungstenite answers a close
/// frame and sees the peer's), within [`CLOSE_TIMEOUT`].
async fn finish<R: Runtime>(mut socket: Socket<R>) {
    let _ = runtime::timeout::<R, _>(CLOSE_TIMEOUT, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

/// Awaits the future in `slot`; never resolves while the slot is empty.
async fn some<F: Future + Unpin>(slot: &mut Option<F>) -> F::Output {
    match slot.as_mut() {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}
