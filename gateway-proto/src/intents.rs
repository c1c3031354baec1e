//! Gateway intents (protocol.md §10).
//!
//! This file owns the intent bitfield sent in Identify: the documented bits, the privileged mask,
//! and the text form used in configuration (`GUILDS,GUILD_MESSAGES`). It does not know which
//! dispatch events each intent gates; that table lives in [`crate::event_type`].
use bitflags::bitflags;
use std::{fmt, str::FromStr};

bitflags! {
    /// Which groups of events the gateway sends to this shard (protocol.md §10).
    ///
    /// Sent as the integer `intents` of Identify (protocol.md §4.1). Bits 17–19 and 22–23 are not
    /// documented; Discord closes with 4013 when they are set, so parsing rejects them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Intents: u64 {
        /// Bit 0. Guild, role, channel, thread and stage lifecycle, voice channel status.
        const GUILDS = 1;
        /// Bit 1, privileged. Member add, update and remove.
        const GUILD_MEMBERS = 1 << 1;
        /// Bit 2 (formerly `GUILD_BANS`). Audit log entries, bans.
        const GUILD_MODERATION = 1 << 2;
        /// Bit 3 (formerly `GUILD_EMOJIS_AND_STICKERS`). Emojis, stickers, soundboard sounds.
        const GUILD_EXPRESSIONS = 1 << 3;
        /// Bit 4. Integrations.
        const GUILD_INTEGRATIONS = 1 << 4;
        /// Bit 5. Webhook updates.
        const GUILD_WEBHOOKS = 1 << 5;
        /// Bit 6. Invite create and delete.
        const GUILD_INVITES = 1 << 6;
        /// Bit 7. Voice states and voice channel effects.
        const GUILD_VOICE_STATES = 1 << 7;
        /// Bit 8, privileged. Presence updates.
        const GUILD_PRESENCES = 1 << 8;
        /// Bit 9. Messages in guilds.
        const GUILD_MESSAGES = 1 << 9;
        /// Bit 10. Reactions in guilds.
        const GUILD_MESSAGE_REACTIONS = 1 << 10;
        /// Bit 11. Typing in guilds.
        const GUILD_MESSAGE_TYPING = 1 << 11;
        /// Bit 12. Messages and pins in DMs.
        const DIRECT_MESSAGES = 1 << 12;
        /// Bit 13. Reactions in DMs.
        const DIRECT_MESSAGE_REACTIONS = 1 << 13;
        /// Bit 14. Typing in DMs.
        const DIRECT_MESSAGE_TYPING = 1 << 14;
        /// Bit 15, privileged. Gates no events; fills message `content`, `embeds`, `attachments`,
        /// `components` and `poll`.
        const MESSAGE_CONTENT = 1 << 15;
        /// Bit 16. Scheduled events.
        const GUILD_SCHEDULED_EVENTS = 1 << 16;
        /// Bit 20. Auto-moderation rules.
        const AUTO_MODERATION_CONFIGURATION = 1 << 20;
        /// Bit 21. Auto-moderation action executions.
        const AUTO_MODERATION_EXECUTION = 1 << 21;
        /// Bit 24. Poll votes in guilds.
        const GUILD_MESSAGE_POLLS = 1 << 24;
        /// Bit 25. Poll votes in DMs.
        const DIRECT_MESSAGE_POLLS = 1 << 25;
    }
}

impl Intents {
    /// The privileged intents: GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT, 33026
    /// (protocol.md §10). Each must be switched on in the Developer Portal, else close 4014.
    pub const PRIVILEGED: Self = Self::GUILD_MEMBERS
        .union(Self::GUILD_PRESENCES)
        .union(Self::MESSAGE_CONTENT);

    /// Every documented intent that is not privileged, 53575421 (protocol.md §10).
    pub const NON_PRIVILEGED: Self = Self::all().difference(Self::PRIVILEGED);

    /// Whether any privileged intent is set (protocol.md §10).
    pub const fn is_privileged(self) -> bool {
        self.intersects(Self::PRIVILEGED)
    }

    /// The privileged intents within this set.
    pub const fn privileged(self) -> Self {
        self.intersection(Self::PRIVILEGED)
    }
}

/// Serialized as the integer Discord expects in Identify (protocol.md §4.1), e.g. `33281`.
///
/// bitflags' own serde support writes names for human-readable formats, which Discord rejects.
impl serde::Serialize for Intents {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.bits())
    }
}

/// Read from an integer; undocumented bits are an error (Discord would close with 4013).
impl<'de> serde::Deserialize<'de> for Intents {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bits = u64::deserialize(deserializer)?;
        Self::from_bits(bits).ok_or_else(|| {
            serde::de::Error::custom(ParseIntentsError::UndocumentedBits(
                bits & !Self::all().bits(),
            ))
        })
    }
}

/// Names joined by `,` in bit order, e.g. `GUILDS,GUILD_MESSAGES`; empty for no intents.
///
/// Bits outside the documented set (only reachable through `from_bits_retain`) are written as one
/// trailing decimal number, so nothing is hidden; parsing such text fails like any undocumented bit.
impl fmt::Display for Intents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| {
            let result = if first { Ok(()) } else { f.write_str(",") };
            first = false;
            result
        };
        for (name, _) in self.iter_names() {
            sep(f)?;
            f.write_str(name)?;
        }
        let rest = self.bits() & !Self::all().bits();
        if rest != 0 {
            sep(f)?;
            write!(f, "{rest}")?;
        }
        Ok(())
    }
}

/// Former names Discord renamed (protocol.md §10, §14); accepted when parsing.
const ALIASES: &[(&str, Intents)] = &[
    ("GUILD_BANS", Intents::GUILD_MODERATION),
    ("GUILD_EMOJIS_AND_STICKERS", Intents::GUILD_EXPRESSIONS),
];

/// Parses a decimal number (`33281`) or names separated by `,` or `|`
/// (`guilds, GUILD_MESSAGES`): case-insensitive, whitespace around names ignored, empty items
/// skipped, so the empty string is no intents. Each item may also be a decimal number.
/// Undocumented bits and unknown names are errors; every unknown name is reported.
///
/// ```
/// use gateway_proto::intents::Intents;
///
/// let intents: Intents = "guilds, GUILD_MESSAGES,MESSAGE_CONTENT".parse()?;
/// assert_eq!(intents.bits(), 33281);
/// assert_eq!(intents.to_string(), "GUILDS,GUILD_MESSAGES,MESSAGE_CONTENT");
/// assert_eq!("33281".parse::<Intents>()?, intents);
/// assert!(intents.is_privileged());
/// # Ok::<(), gateway_proto::intents::ParseIntentsError>(())
/// ```
impl FromStr for Intents {
    type Err = ParseIntentsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut intents = Self::empty();
        let mut unknown = Vec::new();
        for item in text.split([',', '|']).map(str::trim) {
            if item.is_empty() {
                continue;
            }
            if item.bytes().all(|b| b.is_ascii_digit()) {
                let bits: u64 = item
                    .parse()
                    .map_err(|_| ParseIntentsError::NumberTooLarge)?;
                let extra = bits & !Self::all().bits();
                if extra != 0 {
                    return Err(ParseIntentsError::UndocumentedBits(extra));
                }
                intents |= Self::from_bits_retain(bits);
                continue;
            }
            let found = Self::all()
                .iter_names()
                .chain(ALIASES.iter().copied())
                .find(|(name, _)| name.eq_ignore_ascii_case(item));
            match found {
                Some((_, flag)) => intents |= flag,
                None => unknown.push(item.to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(intents)
        } else {
            Err(ParseIntentsError::UnknownNames(unknown))
        }
    }
}

/// Why a text could not be read as [`Intents`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseIntentsError {
    /// These items are neither an intent name of protocol.md §10 nor a number.
    UnknownNames(Vec<String>),
    /// The number sets bits protocol.md §10 does not document (these bits); Discord closes
    /// with 4013 for them.
    UndocumentedBits(u64),
    /// The number does not fit in 64 bits.
    NumberTooLarge,
}

impl fmt::Display for ParseIntentsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownNames(names) => write!(f, "unknown intents: {}", names.join(", ")),
            Self::UndocumentedBits(bits) => write!(f, "undocumented intent bits: {bits:#x}"),
            Self::NumberTooLarge => f.write_str("intent number does not fit in 64 bits"),
        }
    }
}

impl std::error::Error for ParseIntentsError {}

#[cfg(test)]
mod tests {
    use super::{Intents, ParseIntentsError};

    #[test]
    fn sums_match_protocol_md() {
        assert_eq!(Intents::all().bits(), 53_608_447);
        assert_eq!(Intents::NON_PRIVILEGED.bits(), 53_575_421);
        assert_eq!(Intents::PRIVILEGED.bits(), 33_026);
        assert_eq!(Intents::all().iter().count(), 21);
    }

    #[test]
    fn documented_bits_are_exact() {
        let table: &[(&str, u32)] = &[
            ("GUILDS", 0),
            ("GUILD_MEMBERS", 1),
            ("GUILD_MODERATION", 2),
            ("GUILD_EXPRESSIONS", 3),
            ("GUILD_INTEGRATIONS", 4),
            ("GUILD_WEBHOOKS", 5),
            ("GUILD_INVITES", 6),
            ("GUILD_VOICE_STATES", 7),
            ("GUILD_PRESENCES", 8),
            ("GUILD_MESSAGES", 9),
            ("GUILD_MESSAGE_REACTIONS", 10),
            ("GUILD_MESSAGE_TYPING", 11),
            ("DIRECT_MESSAGES", 12),
            ("DIRECT_MESSAGE_REACTIONS", 13),
            ("DIRECT_MESSAGE_TYPING", 14),
            ("MESSAGE_CONTENT", 15),
            ("GUILD_SCHEDULED_EVENTS", 16),
            ("AUTO_MODERATION_CONFIGURATION", 20),
            ("AUTO_MODERATION_EXECUTION", 21),
            ("GUILD_MESSAGE_POLLS", 24),
            ("DIRECT_MESSAGE_POLLS", 25),
        ];
        let names: Vec<(&str, u32)> = Intents::all()
            .iter_names()
            .map(|(name, flag)| (name, flag.bits().trailing_zeros()))
            .collect();
        assert_eq!(names, table);
    }

    #[test]
    fn identify_example_is_guilds_messages_content() {
        let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
        assert_eq!(intents.bits(), 33_281);
        assert_eq!("33281".parse::<Intents>(), Ok(intents));
        assert!(intents.is_privileged());
        assert_eq!(intents.privileged(), Intents::MESSAGE_CONTENT);
        assert!(!(Intents::GUILDS | Intents::GUILD_MESSAGES).is_privileged());
    }

    #[test]
    fn privileged_is_members_presences_content() {
        assert_eq!(
            Intents::PRIVILEGED,
            Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES | Intents::MESSAGE_CONTENT
        );
        assert!(Intents::NON_PRIVILEGED
            .intersection(Intents::PRIVILEGED)
            .is_empty());
        assert!(!Intents::NON_PRIVILEGED.is_privileged());
    }

    #[test]
    fn parses_names_case_insensitive_with_whitespace() {
        assert_eq!(
            "GUILDS,GUILD_MESSAGES".parse::<Intents>(),
            Ok(Intents::GUILDS | Intents::GUILD_MESSAGES)
        );
        assert_eq!(
            " guilds ,\tGuild_Messages , message_content ".parse::<Intents>(),
            Ok(Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT)
        );
        // bitflags' own `A | B` form and the renamed intents' old names.
        assert_eq!(
            "GUILD_BANS | GUILD_EMOJIS_AND_STICKERS".parse::<Intents>(),
            Ok(Intents::GUILD_MODERATION | Intents::GUILD_EXPRESSIONS)
        );
        assert_eq!("".parse::<Intents>(), Ok(Intents::empty()));
        assert_eq!("GUILDS,".parse::<Intents>(), Ok(Intents::GUILDS));
    }

    #[test]
    fn display_then_parse_round_trips() {
        for bits in [0, 1, 513, 33_281, 33_026, 53_575_421, 53_608_447] {
            let intents = Intents::from_bits(bits).expect("documented bits");
            let text = intents.to_string();
            assert_eq!(text.parse::<Intents>(), Ok(intents), "{text}");
            assert_eq!(intents.bits().to_string().parse::<Intents>(), Ok(intents));
        }
        assert_eq!(
            (Intents::GUILDS | Intents::GUILD_MESSAGES).to_string(),
            "GUILDS,GUILD_MESSAGES"
        );
        assert_eq!(Intents::empty().to_string(), "");
        // Every single intent round-trips through its name.
        for (name, flag) in Intents::all().iter_names() {
            assert_eq!(flag.to_string(), name);
            assert_eq!(name.to_ascii_lowercase().parse::<Intents>(), Ok(flag));
        }
    }

    #[test]
    fn unknown_names_are_all_listed() {
        let err = "GUILDS, GUILD_MESAGES, nope"
            .parse::<Intents>()
            .unwrap_err();
        assert_eq!(
            err,
            ParseIntentsError::UnknownNames(vec!["GUILD_MESAGES".into(), "nope".into()])
        );
        assert_eq!(err.to_string(), "unknown intents: GUILD_MESAGES, nope");
        assert!(matches!(
            "GUILDS-1".parse::<Intents>(),
            Err(ParseIntentsError::UnknownNames(_))
        ));
    }

    #[test]
    fn undocumented_bits_are_rejected() {
        assert_eq!(
            (1u64 << 17).to_string().parse::<Intents>(),
            Err(ParseIntentsError::UndocumentedBits(1 << 17))
        );
        assert_eq!(
            "99999999999999999999999".parse::<Intents>(),
            Err(ParseIntentsError::NumberTooLarge)
        );
        assert!(serde_json::from_str::<Intents>("131072").is_err());
        let odd = Intents::from_bits_retain(1 | 1 << 22);
        assert_eq!(odd.to_string(), "GUILDS,4194304");
        assert!(odd.to_string().parse::<Intents>().is_err());
    }

    #[test]
    fn serde_uses_the_integer() {
        let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
        assert_eq!(serde_json::to_string(&intents).unwrap(), "33281");
        assert_eq!(serde_json::from_str::<Intents>("33281").unwrap(), intents);
        assert!(serde_json::from_str::<Intents>("\"GUILDS\"").is_err());
    }
}
