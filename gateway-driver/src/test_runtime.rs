//! Runtimes for this crate's unit tests: tokio's clock and timer (so `start_paused` tests
//! control time) and no network. The adapters' own tests and the `gateway-tests` suite cover
//! the real runtimes.

use crate::{BoxError, Runtime, Target, Timer, WebSocketConfig, WebSocketStream};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

/// tokio's (pausable) clock, no sockets.
#[derive(Debug)]
pub(crate) struct Paused;

/// Another runtime type, to tell per-runtime state apart.
#[derive(Debug)]
pub(crate) struct Other;

pub(crate) struct Sleep(Pin<Box<tokio::time::Sleep>>);

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

macro_rules! test_runtime {
    ($name:ty) => {
        impl Runtime for $name {
            type Stream = futures_util::io::Cursor<Vec<u8>>;
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

            async fn connect(
                _: Target,
                _: WebSocketConfig,
            ) -> Result<WebSocketStream<Self::Stream>, BoxError> {
                Err("no network in unit tests".into())
            }
        }
    };
}

test_runtime!(Paused);
test_runtime!(Other);
