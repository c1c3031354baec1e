//! The deadline table: one slot per timer kind. `next` is the earliest slot and the
//! reason it exists, so a test can assert "next: heartbeat at t+41.25 s".

use std::time::Instant;

/// Why the machine wants to be called back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The next heartbeat is due (and, if the last one was not acknowledged, the
    /// connection is a zombie).
    Heartbeat,
    /// Hello has not arrived since the socket opened.
    Hello,
    /// Reconnect backoff, or the 1–5 s wait after Invalid Session, is over.
    Reconnect,
    /// A rate-limit slot frees up for a queued command.
    Send,
}

const TIMERS: [Timer; 4] = [
    Timer::Heartbeat,
    Timer::Hello,
    Timer::Reconnect,
    Timer::Send,
];

/// One optional deadline per [`Timer`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Timers {
    slots: [Option<Instant>; 4],
}

impl Timers {
    fn index(timer: Timer) -> usize {
        match timer {
            Timer::Heartbeat => 0,
            Timer::Hello => 1,
            Timer::Reconnect => 2,
            Timer::Send => 3,
        }
    }

    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        self.slots[Self::index(timer)] = Some(at);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.slots[Self::index(timer)] = None;
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.slots[Self::index(timer)]
    }

    pub(crate) fn clear(&mut self) {
        self.slots = [None; 4];
    }

    /// Whether `timer` is set and due at `now`; a due timer is stopped.
    pub(crate) fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        let slot = &mut self.slots[Self::index(timer)];
        match *slot {
            Some(at) if at <= now => {
                *slot = None;
                true
            }
            _ => false,
        }
    }

    /// The earliest deadline and its reason.
    pub(crate) fn next(&self) -> Option<(Instant, Timer)> {
        TIMERS
            .iter()
            .filter_map(|&timer| self.get(timer).map(|at| (at, timer)))
            .min_by_key(|&(at, _)| at)
    }
}
