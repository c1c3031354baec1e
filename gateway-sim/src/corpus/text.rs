//! Small building blocks for the corpus: snowflakes (protocol.md §13.1), ISO 8601
//! timestamps with microseconds, image hashes, and the word lists from which names,
//! message contents and activities are drawn.
//!
//! Everything here is a pure function of its arguments (plus an explicit
//! [`fastrand::Rng`]), so the generator stays deterministic.

use fastrand::Rng;

/// Discord epoch (2015-01-01T00:00:00Z) in Unix milliseconds, §13.1.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Builds a snowflake with the §13.1 formula:
/// `((unix_ms - epoch) << 22) | (worker << 17) | (process << 12) | inc`.
///
/// `unix_ms` below the Discord epoch is clamped to the epoch; `worker` and
/// `process` keep 5 bits and `inc` 12 bits.
pub fn snowflake(unix_ms: u64, worker: u64, process: u64, inc: u64) -> u64 {
    (unix_ms.saturating_sub(DISCORD_EPOCH_MS) << 22)
        | ((worker & 0x1F) << 17)
        | ((process & 0x1F) << 12)
        | (inc & 0xFFF)
}

/// Unix milliseconds at which a snowflake was created, §13.1.
pub fn snowflake_ms(id: u64) -> u64 {
    (id >> 22) + DISCORD_EPOCH_MS
}

/// Formats Unix milliseconds as `2021-03-14T12:00:01.204000+00:00` (§13.1: ISO 8601
/// with microseconds, as Discord sends them).
pub fn iso_timestamp(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let millis = unix_ms % 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}000+00:00",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Converts days since 1970-01-01 into a proleptic Gregorian (year, month, day).
///
/// Works in 400-year eras (146,097 days each) with years starting on March 1st so
/// that the leap day is the last day of a year; only dates after 1970 are needed.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the origin from 1970-01-01 to 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153; // month index with March = 0
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A random 32-hex-digit image hash as used for avatars, icons and banners;
/// `animated` prefixes it with `a_` like Discord does for GIF images.
pub fn image_hash(rng: &mut Rng, animated: bool) -> String {
    let mut s = String::with_capacity(34);
    if animated {
        s.push_str("a_");
    }
    push_hex(&mut s, rng, 32);
    s
}

/// Appends `n` random lowercase hex digits to `s`.
pub fn push_hex(s: &mut String, rng: &mut Rng, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for _ in 0..n {
        s.push(char::from(HEX[rng.usize(..16)]));
    }
}

/// A random 32-hex-digit session id (READY `session_id`, voice `session_id`).
pub fn session_id(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(32);
    push_hex(&mut s, rng, 32);
    s
}

/// Picks one element of a non-empty static list.
pub fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    // The lists passed in are the non-empty constants of this module.
    list[rng.usize(..list.len())]
}

/// Upper-cases the first character of `s`.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A username on the new username system (lowercase, digits, `_` and `.`), for
/// example `quietotter42` or `neon.fox`.
pub fn username(rng: &mut Rng) -> String {
    let a = pick(rng, ADJECTIVES);
    let n = pick(rng, NOUNS);
    match rng.u8(..10) {
        0..=3 => format!("{a}{n}{}", rng.u16(1..1000)),
        4..=5 => format!("{a}.{n}"),
        6 => format!("{a}_{n}_"),
        7 => format!("xx{n}xx"),
        8 => format!("{n}{}", rng.u16(1..100)),
        _ => format!("{a}{n}"),
    }
}

/// A display name derived from a username, sometimes with an emoji or a different word.
pub fn global_name(rng: &mut Rng, username: &str) -> String {
    match rng.u8(..10) {
        0..=4 => capitalize(username.trim_end_matches(|c: char| c.is_ascii_digit())),
        5..=6 => capitalize(pick(rng, NOUNS)),
        7 => format!(
            "{} {}",
            capitalize(pick(rng, ADJECTIVES)),
            capitalize(pick(rng, NOUNS))
        ),
        8 => format!("{} {}", capitalize(pick(rng, NOUNS)), pick(rng, EMOJIS)),
        _ => username.to_uppercase(),
    }
}

/// A guild name such as `Cozy Pixel Lounge`.
pub fn guild_name(rng: &mut Rng) -> String {
    match rng.u8(..4) {
        0 => format!(
            "{} {} {}",
            capitalize(pick(rng, ADJECTIVES)),
            capitalize(pick(rng, TOPICS)),
            pick(rng, GUILD_SUFFIXES)
        ),
        1 => format!(
            "The {} {}",
            capitalize(pick(rng, NOUNS)),
            pick(rng, GUILD_SUFFIXES)
        ),
        2 => format!("{} Community", capitalize(pick(rng, TOPICS))),
        _ => format!("{}'s server", capitalize(pick(rng, NOUNS))),
    }
}

/// A realistic chat message body without mentions; the length follows a skewed
/// distribution: mostly a few words, sometimes a paragraph, rarely a wall of text
/// (capped at Discord's 2000 characters).
pub fn message_content(rng: &mut Rng) -> String {
    let words = match rng.u8(..100) {
        0..=44 => rng.usize(1..6),
        45..=79 => rng.usize(6..16),
        80..=94 => rng.usize(16..45),
        95..=98 => rng.usize(45..120),
        _ => rng.usize(120..340),
    };
    let mut s = String::with_capacity(words * 6);
    let mut sentence_start = true;
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let roll = rng.u8(..100);
        if roll < 3 {
            s.push_str(pick(rng, EMOJIS));
            continue;
        }
        if roll < 4 {
            s.push_str(pick(rng, LINKS));
            continue;
        }
        let w = pick(rng, WORDS);
        if sentence_start && rng.bool() {
            s.push_str(&capitalize(w));
        } else {
            s.push_str(w);
        }
        sentence_start = false;
        if words > 8 && rng.u8(..10) == 0 {
            s.push_str(pick(rng, &[".", ",", "!", "?", "...", " lol"]));
            sentence_start = true;
        }
    }
    if words < 10 && rng.u8(..10) == 0 {
        s.push(' ');
        s.push_str(pick(rng, EMOJIS));
    }
    if rng.u8(..40) == 0 {
        s = format!("```rs\n{s}\n```");
    }
    truncate_chars(&mut s, 2000);
    s
}

/// Cuts `s` to at most `max` characters (on a character boundary).
pub fn truncate_chars(s: &mut String, max: usize) {
    if let Some((idx, _)) = s.char_indices().nth(max) {
        s.truncate(idx);
    }
}

/// Common chat words.
pub const WORDS: &[&str] = &[
    "the",
    "a",
    "i",
    "you",
    "it",
    "is",
    "that",
    "to",
    "and",
    "of",
    "in",
    "for",
    "on",
    "with",
    "this",
    "was",
    "just",
    "so",
    "what",
    "lol",
    "lmao",
    "yeah",
    "no",
    "yes",
    "ok",
    "okay",
    "gg",
    "wait",
    "why",
    "how",
    "when",
    "where",
    "who",
    "we",
    "they",
    "he",
    "she",
    "me",
    "my",
    "your",
    "our",
    "their",
    "be",
    "have",
    "do",
    "say",
    "get",
    "make",
    "go",
    "know",
    "think",
    "see",
    "come",
    "want",
    "look",
    "use",
    "find",
    "give",
    "tell",
    "work",
    "call",
    "try",
    "ask",
    "need",
    "feel",
    "leave",
    "put",
    "mean",
    "keep",
    "let",
    "begin",
    "seem",
    "help",
    "play",
    "run",
    "move",
    "live",
    "believe",
    "happen",
    "game",
    "server",
    "bot",
    "update",
    "patch",
    "build",
    "match",
    "rank",
    "queue",
    "stream",
    "video",
    "song",
    "music",
    "movie",
    "anime",
    "meme",
    "discord",
    "voice",
    "chat",
    "channel",
    "role",
    "mod",
    "admin",
    "event",
    "today",
    "tomorrow",
    "tonight",
    "later",
    "now",
    "soon",
    "again",
    "never",
    "always",
    "maybe",
    "probably",
    "really",
    "actually",
    "literally",
    "honestly",
    "basically",
    "anyway",
    "btw",
    "tbh",
    "imo",
    "idk",
    "ngl",
    "fr",
    "rn",
    "brb",
    "afk",
    "nice",
    "cool",
    "great",
    "bad",
    "good",
    "best",
    "worst",
    "new",
    "old",
    "big",
    "small",
    "fast",
    "slow",
    "hard",
    "easy",
    "fun",
    "weird",
    "crazy",
    "insane",
    "cursed",
    "based",
    "cute",
    "funny",
    "sad",
    "happy",
    "tired",
    "hungry",
    "pizza",
    "coffee",
    "cat",
    "dog",
    "code",
    "rust",
    "python",
    "bug",
    "crash",
    "lag",
    "ping",
    "fps",
    "gpu",
    "pc",
    "phone",
    "laptop",
    "keyboard",
    "mouse",
    "headset",
    "mic",
    "camera",
    "school",
    "exam",
    "homework",
    "job",
    "boss",
    "weekend",
    "friday",
    "monday",
    "night",
    "morning",
    "everyone",
    "someone",
    "anyone",
    "nobody",
    "thing",
    "stuff",
    "time",
    "day",
    "week",
    "year",
    "people",
    "guys",
    "bro",
    "dude",
    "man",
    "thanks",
    "thank",
    "please",
    "sorry",
    "hello",
    "hi",
    "hey",
    "bye",
    "welcome",
    "congrats",
    "same",
    "true",
    "false",
    "exactly",
    "definitely",
    "absolutely",
    "kinda",
    "sorta",
    "pretty",
    "very",
    "too",
    "also",
    "but",
    "or",
    "if",
    "then",
    "because",
    "though",
    "still",
    "even",
    "only",
    "all",
    "some",
    "any",
    "more",
    "most",
    "less",
    "much",
    "many",
    "few",
    "one",
    "two",
    "three",
    "first",
    "last",
    "next",
    "can",
    "could",
    "would",
    "should",
    "will",
    "did",
    "does",
    "got",
    "went",
];

/// Emojis used in messages, reactions and custom statuses.
pub const EMOJIS: &[&str] = &[
    "😂", "🤣", "😭", "❤️", "👍", "🔥", "💀", "🙏", "😎", "🥺", "✨", "🎉", "😳", "🤔", "👀", "💯",
    "😅", "🙂", "😡", "🥲", "🤡", "🫡", "🎮", "🍕", "☕", "🐱", "🐶", "⭐", "✅", "❌",
];

/// Links pasted into messages.
pub const LINKS: &[&str] = &[
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://github.com/rust-lang/rust/issues/12345",
    "https://twitter.com/someone/status/1785596400123456789",
    "https://store.steampowered.com/app/730/",
    "https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT",
    "https://tenor.com/view/cat-vibe-gif-20071254",
    "https://en.wikipedia.org/wiki/Snowflake_ID",
    "https://docs.rs/serde_json/latest/serde_json/",
];

/// Adjectives for names.
pub const ADJECTIVES: &[&str] = &[
    "quiet", "neon", "lazy", "brave", "tiny", "cosmic", "silent", "happy", "dark", "golden",
    "frozen", "wild", "sleepy", "crimson", "lucky", "salty", "spicy", "fuzzy", "electric",
    "hidden", "lunar", "solar", "pixel", "retro", "swift", "grumpy", "mellow", "rusty", "shiny",
    "velvet", "cozy", "chaotic",
];

/// Nouns for names.
pub const NOUNS: &[&str] = &[
    "otter", "fox", "panda", "wolf", "raven", "tiger", "koala", "falcon", "dragon", "penguin",
    "turtle", "shark", "llama", "badger", "moth", "frog", "cat", "owl", "bee", "whale", "comet",
    "nebula", "pixel", "ghost", "ninja", "wizard", "knight", "pirate", "robot", "cactus", "noodle",
    "waffle", "mochi", "taco", "bean", "storm", "river", "maple", "ember", "echo",
];

/// Topics for guild and channel names.
pub const TOPICS: &[&str] = &[
    "gaming",
    "anime",
    "music",
    "art",
    "coding",
    "rust",
    "minecraft",
    "valorant",
    "league",
    "fortnite",
    "study",
    "memes",
    "crypto",
    "fitness",
    "cooking",
    "books",
    "movies",
    "photography",
    "pokemon",
    "speedrun",
    "linux",
    "esports",
    "roleplay",
    "chill",
];

/// Suffixes for guild names.
pub const GUILD_SUFFIXES: &[&str] = &[
    "Lounge",
    "Hub",
    "Club",
    "Den",
    "Hangout",
    "Collective",
    "Guild",
    "Corner",
    "HQ",
    "Squad",
];

/// Text channel names.
pub const TEXT_CHANNELS: &[&str] = &[
    "general",
    "memes",
    "off-topic",
    "media",
    "bot-commands",
    "help",
    "announcements",
    "introductions",
    "art",
    "music",
    "gaming",
    "clips",
    "suggestions",
    "lfg",
    "pets",
    "food",
    "screenshots",
    "dev",
    "support",
    "events",
];

/// Voice channel names.
pub const VOICE_CHANNELS: &[&str] = &[
    "General",
    "Gaming",
    "Music",
    "AFK",
    "Chill",
    "Study Room",
    "Squad 1",
    "Squad 2",
    "Stage",
];

/// Role names.
pub const ROLE_NAMES: &[&str] = &[
    "Admin",
    "Moderator",
    "Helper",
    "Member",
    "VIP",
    "Booster",
    "Artist",
    "Developer",
    "Gamer",
    "Level 5",
    "Level 10",
    "Level 25",
    "Level 50",
    "Muted",
    "Events",
    "Streamer",
    "Verified",
    "Bots",
    "OG",
    "Night Owl",
];

/// Games for Playing activities, with a plausible application id each.
pub const GAMES: &[(&str, u64)] = &[
    ("Minecraft", 356_875_570_916_753_438),
    ("League of Legends", 401_518_684_763_586_560),
    ("Valorant", 700_136_079_562_375_258),
    ("Counter-Strike 2", 1_158_877_933_042_143_272),
    ("Fortnite", 432_980_957_394_370_572),
    ("Rocket League", 379_286_085_710_381_999),
    ("Genshin Impact", 762_434_991_303_950_386),
    ("Visual Studio Code", 383_226_320_970_055_681),
    ("Roblox", 363_445_589_247_131_668),
    ("Apex Legends", 542_075_586_886_107_149),
    ("Overwatch 2", 356_875_221_078_245_376),
    ("Stardew Valley", 455_094_919_264_452_619),
];

/// Artists for Listening (Spotify) activities.
pub const ARTISTS: &[&str] = &[
    "Daft Punk",
    "Taylor Swift",
    "Kendrick Lamar",
    "Radiohead",
    "Billie Eilish",
    "Tame Impala",
    "Nujabes",
    "Lorde",
    "The Weeknd",
    "Fleetwood Mac",
    "Aphex Twin",
    "Björk",
];

/// Custom status texts.
pub const STATUSES: &[&str] = &[
    "touching grass",
    "do not disturb pls",
    "studying for finals",
    "vibing",
    "back in 5",
    "coding something cursed",
    "on vacation",
    "ask me about rust",
    "sleeping",
    "grinding ranked",
];

/// Attachment file names (name, content type, is image).
pub const FILES: &[(&str, &str, bool)] = &[
    ("image.png", "image/png", true),
    ("screenshot.png", "image/png", true),
    ("IMG_2041.jpg", "image/jpeg", true),
    ("meme.gif", "image/gif", true),
    ("clip.mp4", "video/mp4", false),
    ("log.txt", "text/plain; charset=utf-8", false),
    ("main.rs", "text/x-rust; charset=utf-8", false),
    ("voice-message.ogg", "audio/ogg", false),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_protocol_examples() {
        // §13.1: guild G was created at 2021-03-14T12:00:00.537Z.
        assert_eq!(snowflake_ms(820_627_323_903_672_320), 1_615_723_200_537);
        assert_eq!(
            iso_timestamp(1_615_723_200_537),
            "2021-03-14T12:00:00.537000+00:00"
        );
        // The message of §13.1 at 2026-08-01T15:04:05.123Z.
        assert_eq!(
            iso_timestamp(snowflake_ms(1_533_128_192_024_510_473)),
            "2026-08-01T15:04:05.123000+00:00"
        );
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000000+00:00");
        // Leap day.
        assert_eq!(
            iso_timestamp(1_709_164_800_000),
            "2024-02-29T00:00:00.000000+00:00"
        );
    }

    #[test]
    fn snowflake_round_trip() {
        let id = snowflake(1_615_723_200_537, 1, 0, 0);
        assert_eq!(id >> 22, 820_627_323_903_672_320 >> 22);
        assert_eq!((id & 0x3E_0000) >> 17, 1);
        assert_eq!(snowflake_ms(id), 1_615_723_200_537);
    }

    #[test]
    fn content_is_bounded() {
        let mut rng = Rng::with_seed(7);
        for _ in 0..2000 {
            let c = message_content(&mut rng);
            assert!(!c.is_empty());
            assert!(c.chars().count() <= 2000);
        }
    }
}
