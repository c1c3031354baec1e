//! The oracle of exactly-once delivery: compares what the user receives with the model
//! server's log of every dispatch it assigned a sequence to.
//!
//! For the session the user holds, the dispatches delivered (READY included, filtered
//! types skipped) must be a prefix of the server's log, each with the server's exact text:
//! nothing lost in the middle, nothing twice, nothing out of order, across any number of
//! resumes and process restarts. At RESUMED everything logged before it must have arrived
//! (replayed if the connection dropped before delivery), and at the end, when the faults
//! have stopped, everything must have. It knows nothing of sockets or time.

use super::server::Logged;
use gateway_proto::{Event, Next};
use std::collections::BTreeMap;

pub struct Oracle {
    /// TYPING_START is filtered out by the config: the user never sees it.
    filter_typing: bool,
    /// The session the user holds, as the events tell it.
    session: Option<String>,
    /// Per session: how many logged dispatches the user has seen or skipped.
    cursor: BTreeMap<String, usize>,
}

fn fail<T>(what: impl Into<String>) -> Result<T, String> {
    Err(what.into())
}

impl Oracle {
    pub fn new(filter_typing: bool) -> Self {
        Self {
            filter_typing,
            session: None,
            cursor: BTreeMap::new(),
        }
    }

    /// A new process starts, holding `session` (exported from the last one) or none.
    pub fn restart(&mut self, session: Option<String>) {
        self.session = session;
    }

    /// One event delivered to the user; `log` is the server's log.
    pub fn observe(
        &mut self,
        log: &BTreeMap<String, Vec<Logged>>,
        event: &Event,
    ) -> Result<(), String> {
        match event {
            Event::Ready(ready) => {
                self.session = Some(ready.session_id.clone());
                self.cursor.insert(ready.session_id.clone(), 0);
                self.expect_next(log, ready.dispatch.seq, ready.dispatch.payload.text())
            }
            Event::Dispatch(dispatch) => {
                self.expect_next(log, dispatch.seq, dispatch.payload.text())
            }
            Event::Resumed(resumed) => {
                let Some(id) = self.session.clone() else {
                    return fail("RESUMED without a session");
                };
                let value: serde_json::Value =
                    serde_json::from_str(resumed.dispatch.payload.text())
                        .map_err(|e| e.to_string())?;
                if let Some(s) = value["s"].as_u64() {
                    if let Some(missing) = self.next_expected(log, &id).filter(|l| l.seq < s) {
                        return fail(format!(
                            "RESUMED (s={s}) before s={} of session {id} was delivered",
                            missing.seq
                        ));
                    }
                }
                Ok(())
            }
            Event::Closed(closed) if closed.next == Next::Identify => {
                self.session = None;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// When the faults have stopped: the user holds a session and has all of it.
    pub fn complete(&mut self, log: &BTreeMap<String, Vec<Logged>>) -> Result<(), String> {
        let Some(id) = self.session.clone() else {
            return fail("active without a session");
        };
        match self.next_expected(log, &id) {
            Some(missing) => fail(format!(
                "session {id}: s={} ({}) never delivered",
                missing.seq, missing.event
            )),
            None => Ok(()),
        }
    }

    /// The next logged dispatch of `id` the user has not seen (skipping filtered ones).
    fn next_expected(&mut self, log: &BTreeMap<String, Vec<Logged>>, id: &str) -> Option<Logged> {
        let log = log.get(id)?;
        let cursor = self.cursor.entry(id.to_owned()).or_insert(0);
        while log
            .get(*cursor)
            .is_some_and(|l| self.filter_typing && l.event == "TYPING_START")
        {
            *cursor += 1;
        }
        log.get(*cursor).cloned()
    }

    fn expect_next(
        &mut self,
        log: &BTreeMap<String, Vec<Logged>>,
        seq: u64,
        text: &str,
    ) -> Result<(), String> {
        let Some(id) = self.session.clone() else {
            return fail(format!("dispatch s={seq} delivered without a session"));
        };
        match self.next_expected(log, &id) {
            Some(logged) if logged.seq == seq && logged.text == text => {
                *self.cursor.get_mut(&id).expect("created by next_expected") += 1;
                Ok(())
            }
            Some(logged) => fail(format!(
                "session {id}: delivered s={seq}, expected s={} ({})\n got: {text:.200}\nwant: {:.200}",
                logged.seq, logged.event, logged.text
            )),
            None => fail(format!("session {id}: delivered s={seq} the server never sent")),
        }
    }
}
