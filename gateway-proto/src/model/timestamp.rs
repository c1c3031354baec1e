//! ISO 8601 timestamps as Discord writes them (protocol.md §13.1), held as Unix microseconds.
//!
//! This file owns the text form: `2021-03-14T12:00:01.204000+00:00` in, the same shape out. It
//! reads what Discord sends (a `T` separator, 0–9 fraction digits, `Z` or a `±HH:MM` offset) and
//! nothing fancier (no week dates, no leap seconds beyond `:60` being refused). It does not
//! know which fields hold timestamps.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// A point in time with microsecond precision, as Unix microseconds (UTC).
///
/// Parsed from ISO 8601 (`2021-03-14T12:00:01.204000+00:00`, `…Z`, fewer or no fraction
/// digits, any `±HH:MM` offset); written back as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, the form
/// of protocol.md §13.1. Years 0000–9999 only.
///
/// ```
/// use gateway_proto::model::Timestamp;
///
/// let at: Timestamp = "2021-03-14T12:00:01.204000+00:00".parse().unwrap();
/// assert_eq!(at.unix_micros(), 1_615_723_201_204_000);
/// assert_eq!(at.to_string(), "2021-03-14T12:00:01.204000+00:00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The first instant this type can write: 0000-01-01T00:00:00Z.
    const MIN_MICROS: i64 = -62_167_219_200 * MICROS_PER_SECOND;
    /// One past the last instant this type can write: 10000-01-01T00:00:00Z.
    const END_MICROS: i64 = 253_402_300_800 * MICROS_PER_SECOND;

    /// The timestamp `micros` microseconds after the Unix epoch, if its year is 0000–9999.
    pub const fn from_unix_micros(micros: i64) -> Option<Self> {
        if micros >= Self::MIN_MICROS && micros < Self::END_MICROS {
            Some(Self(micros))
        } else {
            None
        }
    }

    /// Microseconds since the Unix epoch.
    pub const fn unix_micros(self) -> i64 {
        self.0
    }

    /// Milliseconds since the Unix epoch (rounded towards the past).
    pub const fn unix_millis(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Seconds since the Unix epoch (rounded towards the past).
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(MICROS_PER_SECOND)
    }
}

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Why a text is not a timestamp this type reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseTimestampError;

impl fmt::Display for ParseTimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM))")
    }
}

impl std::error::Error for ParseTimestampError {}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
///
/// Counts in 400-year eras (146097 days each) of years starting in March, so the leap day is
/// the last day of its year and month lengths follow a linear formula.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 days lie between 0000-03-01 (day 0 of era 0) and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads exactly `N` ASCII digits at `at`.
fn digits<const N: usize>(bytes: &[u8], at: usize) -> Result<i64, ParseTimestampError> {
    let slice = bytes.get(at..at + N).ok_or(ParseTimestampError)?;
    slice.iter().try_fold(0, |acc, &b| {
        if b.is_ascii_digit() {
            Ok(acc * 10 + i64::from(b - b'0'))
        } else {
            Err(ParseTimestampError)
        }
    })
}

fn expect(bytes: &[u8], at: usize, byte: u8) -> Result<(), ParseTimestampError> {
    (bytes.get(at) == Some(&byte))
        .then_some(())
        .ok_or(ParseTimestampError)
}

impl FromStr for Timestamp {
    type Err = ParseTimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        let year = digits::<4>(bytes, 0)?;
        expect(bytes, 4, b'-')?;
        let month = digits::<2>(bytes, 5)?;
        expect(bytes, 7, b'-')?;
        let day = digits::<2>(bytes, 8)?;
        expect(bytes, 10, b'T')?;
        let hour = digits::<2>(bytes, 11)?;
        expect(bytes, 13, b':')?;
        let minute = digits::<2>(bytes, 14)?;
        expect(bytes, 16, b':')?;
        let second = digits::<2>(bytes, 17)?;
        if !(1..=12).contains(&month)
            || !(1..=days_in_month(year, month)).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(ParseTimestampError);
        }

        let mut at = 19;
        let mut micros = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                // Digits past the sixth (nanoseconds) are read but dropped.
                if at - start < 6 {
                    micros = micros * 10 + i64::from(bytes[at] - b'0');
                }
                at += 1;
            }
            let count = at - start;
            if count == 0 || count > 9 {
                return Err(ParseTimestampError);
            }
            for _ in count..6 {
                micros *= 10;
            }
        }

        let offset_seconds = match bytes.get(at) {
            Some(b'Z') if at + 1 == bytes.len() => 0,
            Some(&sign @ (b'+' | b'-')) if at + 6 == bytes.len() => {
                let hours = digits::<2>(bytes, at + 1)?;
                expect(bytes, at + 3, b':')?;
                let minutes = digits::<2>(bytes, at + 4)?;
                if hours > 23 || minutes > 59 {
                    return Err(ParseTimestampError);
                }
                let offset = hours * 3600 + minutes * 60;
                if sign == b'+' {
                    offset
                } else {
                    -offset
                }
            }
            _ => return Err(ParseTimestampError),
        };

        let seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY
            + hour * 3600
            + minute * 60
            + second
            - offset_seconds;
        Self::from_unix_micros(seconds * MICROS_PER_SECOND + micros).ok_or(ParseTimestampError)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.div_euclid(MICROS_PER_SECOND);
        let micros = self.0.rem_euclid(MICROS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl de::Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 timestamp string")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, days_from_civil, Timestamp};

    fn parse(text: &str) -> Option<i64> {
        text.parse::<Timestamp>().ok().map(Timestamp::unix_micros)
    }

    #[test]
    fn reads_protocol_md_examples() {
        assert_eq!(
            parse("2021-03-14T12:00:01.204000+00:00"),
            Some(1_615_723_201_204_000)
        );
        // protocol.md §13.1: the message id's time, written with Z and milliseconds.
        assert_eq!(
            parse("2026-08-01T15:04:05.123Z"),
            Some(1_785_596_645_123_000)
        );
        assert_eq!(parse("1970-01-01T00:00:00+00:00"), Some(0));
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn fraction_digits_and_offsets() {
        assert_eq!(parse("1970-01-01T00:00:00.5Z"), Some(500_000));
        assert_eq!(parse("1970-01-01T00:00:00.123456789Z"), Some(123_456));
        assert_eq!(parse("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse("1969-12-31T23:30:00-00:30"), Some(0));
        assert_eq!(parse("1969-12-31T23:59:59.999999Z"), Some(-1));
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "2021-03-14",
            "2021-03-14T12:00:01",
            "2021-03-14 12:00:01Z",
            "2021-13-14T12:00:01Z",
            "2021-02-29T12:00:01Z",
            "2021-03-14T24:00:00Z",
            "2021-03-14T12:00:60Z",
            "2021-03-14T12:00:01.Z",
            "2021-03-14T12:00:01.1234567890Z",
            "2021-03-14T12:00:01+0000",
            "2021-03-14T12:00:01Zjunk",
            "+021-03-14T12:00:01Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("2024-02-29T00:00:00Z"), Some(1_709_164_800_000_000));
    }

    #[test]
    fn writes_the_discord_form_and_round_trips() {
        for micros in [
            0,
            -1,
            1_615_723_201_204_000,
            1_785_596_645_123_456,
            Timestamp::MIN_MICROS,
            Timestamp::END_MICROS - 1,
        ] {
            let at = Timestamp::from_unix_micros(micros).unwrap();
            let text = at.to_string();
            assert_eq!(text.len(), 32, "{text}");
            assert_eq!(text.parse::<Timestamp>(), Ok(at), "{text}");
        }
        assert_eq!(
            Timestamp::from_unix_micros(0).unwrap().to_string(),
            "1970-01-01T00:00:00.000000+00:00"
        );
        assert_eq!(Timestamp::from_unix_micros(Timestamp::END_MICROS), None);
    }

    #[test]
    fn civil_conversion_is_its_own_inverse() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn serde_string_form() {
        let at: Timestamp = serde_json::from_str("\"2021-03-14T12:00:01.204000+00:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"2021-03-14T12:00:01.204000+00:00\""
        );
        assert!(serde_json::from_str::<Timestamp>("1615723201").is_err());
    }
}
