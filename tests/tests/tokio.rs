//! The integration scenarios against gateway-tokio. This file only maps the adapter's API to
//! the suite's [`Adapter`] trait; the scenarios live in `gateway_tests::scenarios`.

use gateway_proto::{
    queue::IdentifyScheduler, CloseFrame, Command, Config, Event, EventTypeFlags, Session, ShardId,
    State, Statistics,
};
use gateway_tests::{Adapter, Failure, FailureKind, Raw, TestSender, TestShard};
use gateway_tokio::{ErrorKind, InMemoryQueue, Message, MessageSender, Shard};
use std::sync::Arc;

struct Tokio;

/// The adapter's shard, wrapped so the suite's trait can be implemented for it.
struct TokioShard(Shard);

/// The adapter's sender, wrapped likewise.
#[derive(Clone)]
struct TokioSender(MessageSender);

impl Adapter for Tokio {
    type Queue = Arc<InMemoryQueue>;
    type Shard = TokioShard;

    fn queue(scheduler: IdentifyScheduler) -> Self::Queue {
        Arc::new(InMemoryQueue::from_scheduler(scheduler))
    }

    fn shard(id: ShardId, config: Config, queue: &Self::Queue) -> TokioShard {
        TokioShard(Shard::builder(config).queue(queue.clone()).build(id))
    }
}

fn failure(error: gateway_tokio::Error) -> Failure {
    let kind = match error.kind().clone() {
        ErrorKind::Closed(closed) => FailureKind::Closed(closed),
        ErrorKind::Connect => FailureKind::Connect,
        ErrorKind::Receive(error) => FailureKind::Receive(error),
        ErrorKind::Send(error) => FailureKind::Send(error),
        ErrorKind::Transport => FailureKind::Transport,
        _ => FailureKind::Other,
    };
    Failure {
        fatal: error.is_fatal(),
        kind,
        message: error.to_string(),
    }
}

impl TestShard for TokioShard {
    type Sender = TokioSender;

    async fn next_event(&mut self, flags: EventTypeFlags) -> Option<Result<Event, Failure>> {
        Some(self.0.next_event(flags).await?.map_err(failure))
    }

    async fn next_message(&mut self) -> Option<Result<Raw, Failure>> {
        let message = self.0.next_message().await?.map_err(failure);
        Some(message.map(|message| match message {
            Message::Close(closed) => Raw::Close(closed),
            Message::Text(text) => Raw::Text(text),
            other => panic!("unexpected {other:?}"),
        }))
    }

    async fn close(&mut self, frame: CloseFrame) -> Option<Session> {
        self.0.close(frame).await
    }

    fn sender(&self) -> TokioSender {
        TokioSender(self.0.sender())
    }

    fn state(&self) -> State {
        self.0.state()
    }

    fn session(&self) -> Option<Session> {
        self.0.session()
    }

    fn statistics(&self) -> Statistics {
        self.0.statistics()
    }
}

impl TestSender for TokioSender {
    fn command<C: Command>(&self, command: &C) -> Result<(), Failure> {
        self.0.command(command).map_err(failure)
    }

    fn send(&self, payload: String) -> Result<(), Failure> {
        self.0.send(payload).map_err(failure)
    }
}

gateway_tests::scenarios!(Tokio);
