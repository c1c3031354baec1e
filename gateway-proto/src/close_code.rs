//! The close-code registry (protocol.md §6): one table says, for every code the main
//! gateway documents, its name, the docs' meaning and what the client does next.
//!
//! Nothing outside this table decides whether a code is fatal. Codes the table does not
//! know (1000-range websocket codes, undocumented 4xxx) fall back to "resume", which is
//! what protocol.md §6 calls the robust rule.

use std::fmt;

/// What the client does after the gateway closed the connection with a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloseAction {
    /// Never reconnect: the configuration is wrong (token, shard, intents, version).
    Fatal,
    /// Reconnect and identify: the session is gone, a resume would be refused.
    NewSession,
    /// Reconnect and resume the session if one is held.
    Resume,
}

/// A close code of the main gateway (protocol.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseCode {
    /// 4000: unknown server problem.
    UnknownError,
    /// 4001: invalid opcode, or invalid payload for an opcode.
    UnknownOpcode,
    /// 4002: invalid payload, payload over 4096 bytes, or atom keys in ETF.
    DecodeError,
    /// 4003: payload sent before Identify, or the session was invalidated.
    NotAuthenticated,
    /// 4004: bad token.
    AuthenticationFailed,
    /// 4005: more than one Identify.
    AlreadyAuthenticated,
    /// 4007: bad sequence in Resume.
    InvalidSeq,
    /// 4008: payloads sent too fast.
    RateLimited,
    /// 4009: the session timed out.
    SessionTimedOut,
    /// 4010: bad `shard` in Identify.
    InvalidShard,
    /// 4011: the session would hold too many guilds.
    ShardingRequired,
    /// 4012: bad API version.
    InvalidApiVersion,
    /// 4013: bad intent bitfield.
    InvalidIntents,
    /// 4014: privileged intent not enabled or approved.
    DisallowedIntents,
}

/// One row of the registry.
struct Row {
    code: CloseCode,
    number: u16,
    name: &'static str,
    meaning: &'static str,
    action: CloseAction,
}

use CloseAction::{Fatal, NewSession, Resume};

/// protocol.md §6, in the docs' order.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    Row { code: CloseCode::UnknownError, number: 4000, name: "Unknown error", meaning: "unknown server problem", action: Resume },
    Row { code: CloseCode::UnknownOpcode, number: 4001, name: "Unknown opcode", meaning: "invalid opcode, or invalid payload for an opcode", action: Resume },
    Row { code: CloseCode::DecodeError, number: 4002, name: "Decode error", meaning: "invalid payload, or a payload over 4096 bytes", action: Resume },
    Row { code: CloseCode::NotAuthenticated, number: 4003, name: "Not authenticated", meaning: "payload sent before identify, or the session was invalidated", action: NewSession },
    Row { code: CloseCode::AuthenticationFailed, number: 4004, name: "Authentication failed", meaning: "the token is invalid", action: Fatal },
    Row { code: CloseCode::AlreadyAuthenticated, number: 4005, name: "Already authenticated", meaning: "more than one identify", action: NewSession },
    Row { code: CloseCode::InvalidSeq, number: 4007, name: "Invalid seq", meaning: "bad sequence in resume; start a new session", action: NewSession },
    Row { code: CloseCode::RateLimited, number: 4008, name: "Rate limited", meaning: "payloads sent too fast", action: Resume },
    Row { code: CloseCode::SessionTimedOut, number: 4009, name: "Session timed out", meaning: "the session timed out; start a new one", action: NewSession },
    Row { code: CloseCode::InvalidShard, number: 4010, name: "Invalid shard", meaning: "bad shard in identify", action: Fatal },
    Row { code: CloseCode::ShardingRequired, number: 4011, name: "Sharding required", meaning: "the session would hold too many guilds", action: Fatal },
    Row { code: CloseCode::InvalidApiVersion, number: 4012, name: "Invalid API version", meaning: "bad gateway version", action: Fatal },
    Row { code: CloseCode::InvalidIntents, number: 4013, name: "Invalid intent(s)", meaning: "bad intent bitfield", action: Fatal },
    Row { code: CloseCode::DisallowedIntents, number: 4014, name: "Disallowed intent(s)", meaning: "privileged intent not enabled or approved", action: Fatal },
];

impl CloseCode {
    fn row(self) -> &'static Row {
        // Every variant has exactly one row: `every_variant_has_one_row` checks it.
        TABLE
            .iter()
            .find(|row| row.code == self)
            .unwrap_or(&TABLE[0])
    }

    /// The code for a number, if the main gateway documents it (4006 is voice-only).
    pub fn from_code(number: u16) -> Option<Self> {
        TABLE
            .iter()
            .find(|row| row.number == number)
            .map(|row| row.code)
    }

    /// The number on the wire.
    pub fn code(self) -> u16 {
        self.row().number
    }

    /// The docs' name.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The docs' meaning, in a few words.
    pub fn meaning(self) -> &'static str {
        self.row().meaning
    }

    /// What the client does next.
    pub fn action(self) -> CloseAction {
        self.row().action
    }

    /// Whether the shard must stop for good.
    pub fn is_fatal(self) -> bool {
        self.action() == CloseAction::Fatal
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

/// What to do after a close with this number, known or not: unknown codes resume.
pub fn action_for(number: u16) -> CloseAction {
    CloseCode::from_code(number).map_or(CloseAction::Resume, CloseCode::action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_one_row() {
        for row in TABLE {
            assert_eq!(TABLE.iter().filter(|r| r.code == row.code).count(), 1);
            assert_eq!(TABLE.iter().filter(|r| r.number == row.number).count(), 1);
            assert_eq!(CloseCode::from_code(row.number), Some(row.code));
            assert_eq!(row.code.code(), row.number);
        }
        assert_eq!(TABLE.len(), 14);
    }

    #[test]
    fn fatal_set_is_4004_and_4010_to_4014() {
        let fatal: Vec<u16> = TABLE
            .iter()
            .filter(|r| r.code.is_fatal())
            .map(|r| r.number)
            .collect();
        assert_eq!(fatal, [4004, 4010, 4011, 4012, 4013, 4014]);
    }

    #[test]
    fn new_session_set_is_4003_4005_4007_4009() {
        let new: Vec<u16> = TABLE
            .iter()
            .filter(|r| r.action == NewSession)
            .map(|r| r.number)
            .collect();
        assert_eq!(new, [4003, 4005, 4007, 4009]);
    }

    #[test]
    fn unknown_and_voice_codes_resume() {
        assert_eq!(CloseCode::from_code(4006), None);
        for number in [1000, 1001, 1006, 1011, 4006, 4015, 4200, 4999] {
            assert_eq!(action_for(number), CloseAction::Resume, "{number}");
        }
    }
}
