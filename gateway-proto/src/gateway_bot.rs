//! `GET /gateway/bot` (protocol.md §1.1): the request to make and the answer's model, without
//! making the request. An adapter sends [`GatewayBotRequest`] with the HTTP client of its
//! runtime and hands the status and body to [`GatewayBotRequest::parse_response`]; what comes
//! back configures the shard count, the gateway URL and the identify queue
//! ([`GatewayBot::scheduler`]).
//!
//! This file knows HTTP only as a method, a URL, headers, a status and bytes. It never holds
//! a socket, and the token it carries shows in no `Debug` output.
//!
//! ```
//! use gateway_proto::gateway_bot::{GatewayBotRequest, DISCORD_API_BASE};
//! use gateway_proto::Token;
//!
//! let request = GatewayBotRequest::new(DISCORD_API_BASE, Token::new("secret"));
//! assert_eq!(request.url(), "https://discord.com/api/v10/gateway/bot");
//! assert!(!format!("{request:?}").contains("secret"));
//!
//! let body = br#"{"url":"wss://gateway.discord.gg","shards":9,
//!     "session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}"#;
//! let bot = GatewayBotRequest::parse_response(200, body).unwrap();
//! assert_eq!(bot.shards, 9);
//! assert_eq!(bot.session_start_limit.max_concurrency, 1);
//! ```

use crate::{
    config::Token,
    queue::{IdentifyScheduler, SessionStartLimit},
};
use serde::{Deserialize, Serialize};
use std::{
    fmt,
    time::{Duration, Instant},
};

/// Discord's HTTP API base, version 10 (protocol.md §1.1).
pub const DISCORD_API_BASE: &str = "https://discord.com/api/v10";

/// The route, relative to the API base.
pub const GATEWAY_BOT_PATH: &str = "/gateway/bot";

/// The `User-Agent` sent with the request; Discord asks bots to name themselves with
/// `DiscordBot (url, version)`.
pub const USER_AGENT: &str = concat!(
    "DiscordBot (https://crates.io/crates/gateway-proto, ",
    env!("CARGO_PKG_VERSION"),
    ")"
);

/// What `GET /gateway/bot` answers (protocol.md §1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayBot {
    /// The gateway URL to connect to (`wss://…`, without query).
    pub url: String,
    /// The recommended shard count.
    pub shards: u32,
    /// The session-start budget and the identify concurrency.
    pub session_start_limit: SessionStartLimits,
}

/// The `session_start_limit` object of [`GatewayBot`] (protocol.md §1.1, §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStartLimits {
    /// Session starts (Identifies) allowed per period (normally per 24 h).
    pub total: u32,
    /// Session starts left until the reset.
    pub remaining: u32,
    /// Time until `remaining` is refilled; milliseconds on the wire.
    #[serde(with = "millis")]
    pub reset_after: Duration,
    /// Identify buckets: Identifies allowed per 5 s, one per `shard_id % max_concurrency`.
    pub max_concurrency: u32,
}

impl SessionStartLimits {
    /// The budget part, as [`IdentifyScheduler::set_session_start_limit`] takes it.
    pub fn budget(&self) -> SessionStartLimit {
        SessionStartLimit {
            total: self.total,
            remaining: self.remaining,
            reset_after: self.reset_after,
        }
    }
}

impl GatewayBot {
    /// `max_concurrency`, at least 1.
    pub fn max_concurrency(&self) -> u32 {
        self.session_start_limit.max_concurrency.max(1)
    }

    /// An identify scheduler for this answer, received at `now`: `max_concurrency` buckets
    /// with Discord's 5 s window, and the session-start budget. Set a shorter window with
    /// [`IdentifyScheduler::with_window`] for a simulator.
    pub fn scheduler(&self, now: Instant) -> IdentifyScheduler {
        let mut scheduler = IdentifyScheduler::new(self.max_concurrency());
        scheduler.set_session_start_limit(now, self.session_start_limit.budget());
        scheduler
    }
}

/// `GET {api_base}/gateway/bot` with `Authorization: Bot <token>`.
///
/// `Debug` shows the URL and a redacted token; only [`authorization`](Self::authorization)
/// and [`headers`](Self::headers) expose the secret, for the request itself.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayBotRequest {
    api_base: String,
    token: Token,
}

impl GatewayBotRequest {
    /// The HTTP method.
    pub const METHOD: &'static str = "GET";

    /// The request against `api_base` (e.g. [`DISCORD_API_BASE`], or a simulator's
    /// `http://127.0.0.1:PORT`), authenticated with `token`.
    pub fn new(api_base: &str, token: Token) -> Self {
        Self {
            api_base: api_base.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// The API base, without a trailing `/`.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The full URL: the base followed by [`GATEWAY_BOT_PATH`].
    pub fn url(&self) -> String {
        format!("{}{GATEWAY_BOT_PATH}", self.api_base)
    }

    /// The `Authorization` header's value, `Bot <token>`: secret.
    pub fn authorization(&self) -> String {
        format!("Bot {}", self.token.expose())
    }

    /// Every header to send, as (name, value): `Authorization` (secret), `User-Agent` and
    /// `Accept`.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("Authorization", self.authorization()),
            ("User-Agent", USER_AGENT.to_owned()),
            ("Accept", "application/json".to_owned()),
        ]
    }

    /// Reads the answer: a 2xx status with a [`GatewayBot`] body, checked (at least one
    /// shard, a `ws://` or `wss://` URL); any other status as the matching error.
    pub fn parse_response(status: u16, body: &[u8]) -> Result<GatewayBot, GatewayBotError> {
        match status {
            200..=299 => {}
            401 => return Err(GatewayBotError::Unauthorized),
            429 => {
                let retry_after = serde_json::from_slice::<RateLimited>(body)
                    .ok()
                    .and_then(|limited| Duration::try_from_secs_f64(limited.retry_after).ok());
                return Err(GatewayBotError::RateLimited { retry_after });
            }
            status => {
                let message = serde_json::from_slice::<ApiError>(body)
                    .ok()
                    .map(|error| error.message);
                return Err(GatewayBotError::Status { status, message });
            }
        }
        let bot: GatewayBot = serde_json::from_slice(body)
            .map_err(|error| GatewayBotError::InvalidBody(error.to_string()))?;
        if bot.shards == 0 {
            return Err(GatewayBotError::InvalidBody("shards is 0".to_owned()));
        }
        if !(bot.url.starts_with("wss://") || bot.url.starts_with("ws://")) {
            return Err(GatewayBotError::InvalidBody(format!(
                "url {:?} is not ws:// or wss://",
                bot.url
            )));
        }
        Ok(bot)
    }
}

impl fmt::Debug for GatewayBotRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayBotRequest")
            .field("url", &self.url())
            .field("token", &self.token)
            .finish()
    }
}

/// `GET /gateway/bot` did not give a usable answer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GatewayBotError {
    /// 401: the token was refused.
    Unauthorized,
    /// 429: too many requests; try again after `retry_after` when the body said.
    RateLimited {
        /// The body's `retry_after`.
        retry_after: Option<Duration>,
    },
    /// Another status outside 2xx.
    Status {
        /// The HTTP status.
        status: u16,
        /// The body's `message`, if it had one.
        message: Option<String>,
    },
    /// A 2xx answer whose body is not a usable `/gateway/bot` object.
    InvalidBody(String),
}

impl fmt::Display for GatewayBotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("the token was refused (401)"),
            Self::RateLimited {
                retry_after: Some(after),
            } => write!(f, "rate limited (429), retry after {after:?}"),
            Self::RateLimited { retry_after: None } => f.write_str("rate limited (429)"),
            Self::Status {
                status,
                message: Some(message),
            } => write!(f, "http status {status}: {message}"),
            Self::Status {
                status,
                message: None,
            } => write!(f, "http status {status}"),
            Self::InvalidBody(why) => write!(f, "bad /gateway/bot body: {why}"),
        }
    }
}

impl std::error::Error for GatewayBotError {}

/// The body of a 429.
#[derive(Deserialize)]
struct RateLimited {
    retry_after: f64,
}

/// The body of other HTTP errors.
#[derive(Deserialize)]
struct ApiError {
    message: String,
}

/// `Duration` as integer milliseconds, as Discord writes `reset_after`.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let millis = u64::try_from(value.as_millis()).unwrap_or(u64::MAX);
        serializer.serialize_u64(millis)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"url":"wss://gateway.discord.gg/","shards":9,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}"#;

    #[test]
    fn the_protocol_example_parses_and_round_trips() {
        let bot = GatewayBotRequest::parse_response(200, EXAMPLE.as_bytes()).unwrap();
        assert_eq!(
            bot,
            GatewayBot {
                url: "wss://gateway.discord.gg/".to_owned(),
                shards: 9,
                session_start_limit: SessionStartLimits {
                    total: 1000,
                    remaining: 999,
                    reset_after: Duration::from_secs(4 * 60 * 60),
                    max_concurrency: 1,
                },
            }
        );
        assert_eq!(serde_json::to_string(&bot).unwrap(), EXAMPLE);
    }

    #[test]
    fn the_request_is_a_get_of_the_route_with_a_bot_token() {
        let request = GatewayBotRequest::new("http://127.0.0.1:9/", Token::new("Bot s3cr3t"));
        assert_eq!(GatewayBotRequest::METHOD, "GET");
        assert_eq!(request.url(), "http://127.0.0.1:9/gateway/bot");
        assert_eq!(request.authorization(), "Bot s3cr3t");
        let headers = request.headers();
        assert_eq!(headers[0], ("Authorization", "Bot s3cr3t".to_owned()));
        assert!(headers[1].1.starts_with("DiscordBot ("));
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let request = GatewayBotRequest::new(DISCORD_API_BASE, Token::new("s3cr3t-t0ken"));
        let debug = format!("{request:?} {:#?}", request.clone());
        assert!(!debug.contains("s3cr3t-t0ken"), "{debug}");
        assert!(debug.contains("https://discord.com/api/v10/gateway/bot"));
    }

    #[test]
    fn error_statuses_become_errors() {
        assert_eq!(
            GatewayBotRequest::parse_response(401, br#"{"message":"401: Unauthorized","code":0}"#),
            Err(GatewayBotError::Unauthorized)
        );
        assert_eq!(
            GatewayBotRequest::parse_response(
                429,
                br#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#
            ),
            Err(GatewayBotError::RateLimited {
                retry_after: Some(Duration::from_millis(1500))
            })
        );
        assert_eq!(
            GatewayBotRequest::parse_response(429, b"<html>"),
            Err(GatewayBotError::RateLimited { retry_after: None })
        );
        assert_eq!(
            GatewayBotRequest::parse_response(502, br#"{"message":"bad gateway"}"#),
            Err(GatewayBotError::Status {
                status: 502,
                message: Some("bad gateway".to_owned())
            })
        );
    }

    #[test]
    fn unusable_bodies_are_refused() {
        let parse = |body: &str| GatewayBotRequest::parse_response(200, body.as_bytes());
        assert!(matches!(
            parse("not json"),
            Err(GatewayBotError::InvalidBody(_))
        ));
        assert!(matches!(
            parse(r#"{"url":"wss://x","shards":1}"#),
            Err(GatewayBotError::InvalidBody(_))
        ));
        let zero = EXAMPLE.replace(r#""shards":9"#, r#""shards":0"#);
        assert!(matches!(parse(&zero), Err(GatewayBotError::InvalidBody(_))));
        let http = EXAMPLE.replace("wss://", "https://");
        assert!(matches!(parse(&http), Err(GatewayBotError::InvalidBody(_))));
    }

    #[test]
    fn the_scheduler_gets_the_buckets_and_the_budget() {
        let mut bot = GatewayBotRequest::parse_response(200, EXAMPLE.as_bytes()).unwrap();
        bot.session_start_limit.max_concurrency = 16;
        bot.session_start_limit.remaining = 3;
        let now = Instant::now();
        let mut scheduler = bot.scheduler(now);
        assert_eq!(scheduler.max_concurrency(), 16);
        assert_eq!(
            scheduler.session_start_limit(now),
            Some(SessionStartLimit {
                total: 1000,
                remaining: 3,
                reset_after: Duration::from_secs(4 * 60 * 60),
            })
        );
        bot.session_start_limit.max_concurrency = 0;
        assert_eq!(bot.max_concurrency(), 1);
    }
}
