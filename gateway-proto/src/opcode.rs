//! Gateway opcodes (protocol.md §2.1).

/// A gateway opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OpCode {
    /// 0: an event was dispatched.
    Dispatch,
    /// 1: heartbeat (sent, or requested by the server).
    Heartbeat,
    /// 2: start a new session.
    Identify,
    /// 3: update the client's presence.
    PresenceUpdate,
    /// 4: join, move or leave voice channels.
    VoiceStateUpdate,
    /// 6: resume a previous session.
    Resume,
    /// 7: the server asks the client to reconnect and resume.
    Reconnect,
    /// 8: request guild members.
    RequestGuildMembers,
    /// 9: the session was invalidated.
    InvalidSession,
    /// 10: sent right after connecting; carries the heartbeat interval.
    Hello,
    /// 11: acknowledges a heartbeat.
    HeartbeatAck,
    /// 31: request soundboard sounds.
    RequestSoundboardSounds,
    /// 43: request channel info.
    RequestChannelInfo,
}

impl OpCode {
    /// The number Discord uses for this opcode.
    pub const fn code(self) -> u8 {
        match self {
            Self::Dispatch => 0,
            Self::Heartbeat => 1,
            Self::Identify => 2,
            Self::PresenceUpdate => 3,
            Self::VoiceStateUpdate => 4,
            Self::Resume => 6,
            Self::Reconnect => 7,
            Self::RequestGuildMembers => 8,
            Self::InvalidSession => 9,
            Self::Hello => 10,
            Self::HeartbeatAck => 11,
            Self::RequestSoundboardSounds => 31,
            Self::RequestChannelInfo => 43,
        }
    }

    /// The opcode for a number, if Discord documents it.
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => Self::Dispatch,
            1 => Self::Heartbeat,
            2 => Self::Identify,
            3 => Self::PresenceUpdate,
            4 => Self::VoiceStateUpdate,
            6 => Self::Resume,
            7 => Self::Reconnect,
            8 => Self::RequestGuildMembers,
            9 => Self::InvalidSession,
            10 => Self::Hello,
            11 => Self::HeartbeatAck,
            31 => Self::RequestSoundboardSounds,
            43 => Self::RequestChannelInfo,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::OpCode;

    #[test]
    fn codes_round_trip() {
        for code in 0..=255u64 {
            if let Some(op) = OpCode::from_code(code) {
                assert_eq!(u64::from(op.code()), code);
            }
        }
        assert_eq!(OpCode::from_code(5), None);
        assert_eq!(OpCode::from_code(12), None);
    }
}
