//! The runtime seam on tokio: [`Tokio`], the [`Runtime`] that gateway-driver's loop runs on.
//! This file owns the clock, the timer and spawning; `net.rs` owns sockets. Nothing else in
//! this crate knows tokio is the runtime.

use gateway_driver::{BoxError, Runtime, Target, Timer, WebSocketConfig, WebSocketStream};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

/// The tokio runtime, as gateway-driver's [`Runtime`]: shards spawn their task on the tokio
/// runtime that first polls them, and read tokio's clock, so paused test time (tokio's
/// `test-util`) reaches the protocol machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tokio;

impl Runtime for Tokio {
    type Stream = crate::net::Stream;
    type Timer = Sleep;

    fn now() -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn timer(at: Instant) -> Sleep {
        Sleep(Box::pin(tokio::time::sleep_until(at.into())))
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }

    fn check_spawn() -> Result<(), BoxError> {
        tokio::runtime::Handle::try_current()
            .map(drop)
            .map_err(Into::into)
    }

    fn connect(
        target: Target,
        websocket: WebSocketConfig,
    ) -> impl Future<Output = Result<WebSocketStream<Self::Stream>, BoxError>> + Send {
        crate::net::connect(target, websocket)
    }
}

/// tokio's timer, moved to each new deadline rather than created anew.
#[derive(Debug)]
pub struct Sleep(Pin<Box<tokio::time::Sleep>>);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Timer for Sleep {
    fn reset(&mut self, at: Instant) {
        self.0.as_mut().reset(at.into());
    }
}
