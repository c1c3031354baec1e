//! Snowflake ids (protocol.md §13.1) and shard routing (protocol.md §8).
//!
//! This file owns the id type, its JSON forms (a string on the wire, but an integer is accepted,
//! protocol.md §9.1) and the arithmetic on its bits. It knows nothing about what an id names.
use std::{fmt, str::FromStr};

/// The Discord epoch, 2015-01-01T00:00:00Z, in Unix milliseconds (protocol.md §13.1).
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A Discord snowflake: a 64-bit id whose top 42 bits are a timestamp (protocol.md §13.1).
///
/// Serialized as a JSON string (`"820627323903672320"`); deserialized from a string or an
/// integer, because Discord echoes small ids back as numbers (protocol.md §9.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);

impl Id {
    /// Wraps a raw number.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// Builds an id from its parts with protocol.md §13.1's formula:
    /// `((unix_ms - epoch) << 22) | (worker << 17) | (process << 12) | increment`.
    ///
    /// Times before the Discord epoch count as the epoch; each part is cut to its width
    /// (42, 5, 5 and 12 bits).
    pub const fn from_parts(unix_ms: u64, worker: u8, process: u8, increment: u16) -> Self {
        let since_epoch = unix_ms.saturating_sub(DISCORD_EPOCH_MS) & ((1 << 42) - 1);
        Self(
            since_epoch << 22
                | (worker as u64 & 0x1F) << 17
                | (process as u64 & 0x1F) << 12
                | (increment as u64 & 0xFFF),
        )
    }

    /// The raw number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// When the id was made, in Unix milliseconds: `(id >> 22) + 1420070400000`
    /// (protocol.md §13.1).
    pub const fn timestamp_ms(self) -> u64 {
        // (id >> 22) < 2^42, so adding the epoch (< 2^41) cannot overflow.
        (self.0 >> 22) + DISCORD_EPOCH_MS
    }

    /// The internal worker id, bits 21–17 (protocol.md §13.1).
    pub const fn worker_id(self) -> u8 {
        ((self.0 & 0x3E_0000) >> 17) as u8
    }

    /// The internal process id, bits 16–12 (protocol.md §13.1).
    pub const fn process_id(self) -> u8 {
        ((self.0 & 0x1_F000) >> 12) as u8
    }

    /// The per-process increment, bits 11–0 (protocol.md §13.1).
    pub const fn increment(self) -> u16 {
        (self.0 & 0xFFF) as u16
    }

    /// The shard that receives this guild's events: `(guild_id >> 22) % num_shards`
    /// (protocol.md §8).
    ///
    /// `num_shards` 0 is treated as 1 (everything on shard 0) instead of dividing by zero; a
    /// validated shard count is the caller's business.
    ///
    /// ```
    /// use gateway_proto::id::Id;
    ///
    /// // protocol.md §8's example.
    /// assert_eq!(Id::new(41771983444115456).shard_for(16), 11);
    /// ```
    pub const fn shard_for(self, num_shards: u32) -> u32 {
        let num_shards = if num_shards == 0 { 1 } else { num_shards };
        // The remainder is below `num_shards`, so it fits in a u32.
        ((self.0 >> 22) % num_shards as u64) as u32
    }
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(id)
    }
}

impl From<Id> for u64 {
    fn from(id: Id) -> Self {
        id.0
    }
}

/// The decimal number, as Discord writes it.
impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Reads a decimal number of ASCII digits only (no sign, no whitespace), at most `u64::MAX`.
impl FromStr for Id {
    type Err = ParseIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(ParseIdError::Empty);
        }
        // `u64::from_str` would also take a leading `+`; a snowflake never has one.
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseIdError::InvalidDigit);
        }
        text.parse().map(Self).map_err(|_| ParseIdError::TooLarge)
    }
}

/// Why a text is not a snowflake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseIdError {
    /// The text is empty.
    Empty,
    /// The text holds something other than the digits 0–9.
    InvalidDigit,
    /// The number does not fit in 64 bits.
    TooLarge,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty snowflake",
            Self::InvalidDigit => "snowflake has a non-digit",
            Self::TooLarge => "snowflake does not fit in 64 bits",
        })
    }
}

impl std::error::Error for ParseIdError {}

/// Written as a JSON string (protocol.md §9.1, §13.1).
impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Read from a string or a non-negative integer (protocol.md §9.1).
impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a snowflake as a string or a non-negative integer")
            }

            fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<Id, E> {
                Ok(Id(id))
            }

            fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<Id, E> {
                u64::try_from(id)
                    .map(Id)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(id), &self))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Id, E> {
                text.parse()
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(text), &self))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{Id, ParseIdError, DISCORD_EPOCH_MS};

    /// Guild G of protocol.md §13.1.
    const GUILD_G: Id = Id::new(820_627_323_903_672_320);
    /// The message of protocol.md §13.1.
    const MESSAGE: Id = Id::new(1_533_128_192_024_510_473);

    #[test]
    fn shard_routing_matches_protocol_md() {
        // protocol.md §8: 41771983444115456 >> 22 = 9959216939, shard 11 of 16.
        let guild = Id::new(41_771_983_444_115_456);
        assert_eq!(guild.get() >> 22, 9_959_216_939);
        assert_eq!(guild.shard_for(16), 11);
        // protocol.md §13.1: guild G is on shard 1 of 2 and 1 of 4; guild H on 1 of 2.
        assert_eq!(GUILD_G.shard_for(2), 1);
        assert_eq!(GUILD_G.shard_for(4), 1);
        assert_eq!(Id::new(981_346_340_065_902_592).shard_for(2), 1);
        assert_eq!(GUILD_G.shard_for(1), 0);
        assert_eq!(GUILD_G.shard_for(0), 0);
        assert!(Id::new(u64::MAX).shard_for(u32::MAX) < u32::MAX);
    }

    #[test]
    fn timestamps_match_protocol_md() {
        // 2021-03-14T12:00:00.537Z and 2026-08-01T15:04:05.123Z.
        assert_eq!(GUILD_G.timestamp_ms(), 1_615_723_200_537);
        assert_eq!(MESSAGE.timestamp_ms(), 1_785_596_645_123);
        assert_eq!(Id::new(0).timestamp_ms(), DISCORD_EPOCH_MS);
        // No overflow at the top.
        assert_eq!(
            Id::new(u64::MAX).timestamp_ms(),
            (u64::MAX >> 22) + DISCORD_EPOCH_MS
        );
    }

    #[test]
    fn parts_follow_the_bit_layout() {
        // protocol.md §13.1's ids were made with worker 1, process 0.
        assert_eq!(
            (
                GUILD_G.worker_id(),
                GUILD_G.process_id(),
                GUILD_G.increment()
            ),
            (1, 0, 0)
        );
        assert_eq!(
            (
                MESSAGE.worker_id(),
                MESSAGE.process_id(),
                MESSAGE.increment()
            ),
            (1, 0, 9)
        );
        assert_eq!(Id::from_parts(1_615_723_200_537, 1, 0, 0), GUILD_G);
        assert_eq!(Id::from_parts(1_785_596_645_123, 1, 0, 9), MESSAGE);
        let id = Id::from_parts(DISCORD_EPOCH_MS + 5, 31, 31, 4095);
        assert_eq!(
            (
                id.timestamp_ms(),
                id.worker_id(),
                id.process_id(),
                id.increment()
            ),
            (DISCORD_EPOCH_MS + 5, 31, 31, 4095)
        );
        // Out-of-range parts are cut, never spill into their neighbours.
        assert_eq!(
            Id::from_parts(0, 0xFF, 0, 0xFFFF),
            Id::new(0x1F << 17 | 0xFFF)
        );
    }

    #[test]
    fn display_and_from_str_round_trip() {
        assert_eq!(GUILD_G.to_string(), "820627323903672320");
        assert_eq!("820627323903672320".parse::<Id>(), Ok(GUILD_G));
        assert_eq!(u64::MAX.to_string().parse::<Id>(), Ok(Id::new(u64::MAX)));
        assert_eq!("".parse::<Id>(), Err(ParseIdError::Empty));
        assert_eq!("+1".parse::<Id>(), Err(ParseIdError::InvalidDigit));
        assert_eq!("-1".parse::<Id>(), Err(ParseIdError::InvalidDigit));
        assert_eq!(" 1".parse::<Id>(), Err(ParseIdError::InvalidDigit));
        assert_eq!(
            "18446744073709551616".parse::<Id>(),
            Err(ParseIdError::TooLarge)
        );
    }

    #[test]
    fn serializes_as_json_string() {
        assert_eq!(
            serde_json::to_string(&GUILD_G).unwrap(),
            "\"820627323903672320\""
        );
        assert_eq!(
            serde_json::to_string(&[Id::new(1), Id::new(u64::MAX)]).unwrap(),
            "[\"1\",\"18446744073709551615\"]"
        );
    }

    #[test]
    fn deserializes_from_string_or_integer() {
        assert_eq!(
            serde_json::from_str::<Id>("\"820627323903672320\"").unwrap(),
            GUILD_G
        );
        assert_eq!(
            serde_json::from_str::<Id>("820627323903672320").unwrap(),
            GUILD_G
        );
        // protocol.md §9.1: `user_ids:["123123"]` may come back as `not_found:[123123]`.
        let not_found: Vec<Id> = serde_json::from_str("[123123, \"123123\"]").unwrap();
        assert_eq!(not_found, [Id::new(123_123), Id::new(123_123)]);
        assert_eq!(
            serde_json::from_str::<Id>("18446744073709551615").unwrap(),
            Id::new(u64::MAX)
        );
        let round = serde_json::to_string(&MESSAGE).unwrap();
        assert_eq!(serde_json::from_str::<Id>(&round).unwrap(), MESSAGE);
    }

    #[test]
    fn rejects_what_is_not_a_snowflake() {
        for bad in [
            "-1", "1.5", "\"\"", "\"12a\"", "\"-1\"", "null", "true", "[]", "{}",
        ] {
            assert!(serde_json::from_str::<Id>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Id>("\"18446744073709551616\"").is_err());
        assert!(serde_json::from_str::<Id>("18446744073709551616").is_err());
    }
}
