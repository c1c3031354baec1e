//! The runtime seam on async-std: [`AsyncStd`], the [`Runtime`] that gateway-driver's loop
//! runs on. This file owns the clock, the timer and spawning; `net.rs` owns sockets. Nothing
//! else in this crate knows which runtime it is.

use gateway_driver::{BoxError, Runtime, Target, Timer, WebSocketConfig, WebSocketStream};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

/// async-std, as gateway-driver's [`Runtime`]: shards spawn their task on async-std's global
/// executor (which needs no setup, so a shard runs from any thread and under any executor,
/// smol's included), and their sockets and timers use async-io's reactor, which async-std and
/// smol share.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncStd;

impl Runtime for AsyncStd {
    type Stream = crate::net::Stream;
    type Timer = Sleep;

    fn now() -> Instant {
        Instant::now()
    }

    fn timer(at: Instant) -> Sleep {
        Sleep(async_io::Timer::at(at))
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        // Detached: the task ends on its own when the shard stops.
        drop(async_std::task::spawn(task));
    }

    fn connect(
        target: Target,
        websocket: WebSocketConfig,
    ) -> impl Future<Output = Result<WebSocketStream<Self::Stream>, BoxError>> + Send {
        crate::net::connect(target, websocket)
    }
}

/// async-io's timer (async-std has no resettable one of its own), moved to each new deadline.
#[derive(Debug)]
pub struct Sleep(async_io::Timer);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

impl Timer for Sleep {
    fn reset(&mut self, at: Instant) {
        self.0.set_at(at);
    }
}
