//! The runtime seam: clock, timers and spawning, the only runtime calls besides `net.rs`.
//! Channels come from `tokio::sync`, which runs on any executor; an adapter for another
//! runtime replaces this file and `net.rs` and keeps the loop.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::{Duration, Instant},
};

/// The clock every input is stamped with: tokio's, so paused test time reaches the machine.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Runs `task` in the background on the current runtime.
pub(crate) fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(task);
}

/// Whether [`spawn`] can run here (a runtime is running on this thread).
pub(crate) fn check_runtime() -> Result<(), tokio::runtime::TryCurrentError> {
    tokio::runtime::Handle::try_current().map(drop)
}

/// `future`'s output, or `None` after `limit`.
pub(crate) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    tokio::time::timeout(limit, future).await.ok()
}

/// Waits until `at`.
pub(crate) async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(at.into()).await;
}

/// One timer, moved to each new deadline rather than created anew.
#[derive(Debug)]
pub(crate) struct Timer(Pin<Box<tokio::time::Sleep>>);

impl Timer {
    pub(crate) fn new() -> Self {
        Self(Box::pin(tokio::time::sleep(Duration::ZERO)))
    }

    /// Fires at `at` from now on.
    pub(crate) fn reset(&mut self, at: Instant) {
        self.0.as_mut().reset(at.into());
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}
