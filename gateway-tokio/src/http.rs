//! `GET /gateway/bot` (protocol.md §1.1) on tokio. gateway-proto describes the request and
//! reads the answer ([`GatewayBotRequest`]); this file only sends it, with reqwest on rustls
//! and the same `ring` TLS configuration as the websocket side, so no process-wide crypto
//! provider is needed. It knows nothing of shards.

use crate::default_tls_config;
use crate::proto::{
    gateway_bot::{GatewayBot, GatewayBotError, GatewayBotRequest, DISCORD_API_BASE},
    queue::IDENTIFY_WINDOW,
    Token,
};
use crate::rustls::ClientConfig;
use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::Duration,
};

/// Default limit on one `/gateway/bot` request, connecting included.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(10);

/// Discord's HTTP API, or one that behaves like it (a simulator, a proxy), as far as the
/// gateway needs it: `GET /gateway/bot`.
///
/// Clones share the HTTP client and its connections.
///
/// ```no_run
/// use gateway_tokio::{GatewayApi, Token};
///
/// # async fn run() -> Result<(), gateway_tokio::ApiError> {
/// let api = GatewayApi::new();
/// let bot = api.gateway_bot(&Token::new("token")).await?;
/// println!("{} shards recommended at {}", bot.shards, bot.url);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct GatewayApi {
    base: String,
    identify_window: Duration,
    timeout: Duration,
    tls: Option<Arc<ClientConfig>>,
    client: Arc<OnceLock<Result<reqwest::Client, ApiError>>>,
}

impl GatewayApi {
    /// Discord's API, [`DISCORD_API_BASE`].
    pub fn new() -> Self {
        Self::with_base(DISCORD_API_BASE)
    }

    /// Another API base (e.g. a simulator's `http://127.0.0.1:PORT`); the route is appended.
    pub fn with_base(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            identify_window: IDENTIFY_WINDOW,
            timeout: DEFAULT_API_TIMEOUT,
            tls: None,
            client: Arc::default(),
        }
    }

    /// The identify window this API's gateway enforces per bucket: Discord's 5 s by
    /// default; a simulator's may be shorter. Identify queues built from this API's answers
    /// use it.
    #[must_use]
    pub fn identify_window(mut self, window: Duration) -> Self {
        self.identify_window = window;
        self
    }

    /// The limit on one request, connecting included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.client = Arc::default();
        self
    }

    /// The TLS configuration for `https://`; by default
    /// [`default_tls_config`](crate::default_tls_config).
    #[must_use]
    pub fn tls_config(mut self, config: Arc<ClientConfig>) -> Self {
        self.tls = Some(config);
        self.client = Arc::default();
        self
    }

    /// The API base.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The identify window of this API's gateway.
    pub fn window(&self) -> Duration {
        self.identify_window
    }

    /// Asks for the recommended shard count, the gateway URL and the session-start limit.
    /// The token goes in the `Authorization` header only.
    pub async fn gateway_bot(&self, token: &Token) -> Result<GatewayBot, ApiError> {
        let client = self.client()?;
        let request = GatewayBotRequest::new(&self.base, token.clone());
        let mut builder = client.get(request.url());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(ApiError::request)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(ApiError::request)?;
        GatewayBotRequest::parse_response(status, &body).map_err(ApiError::Response)
    }

    /// The HTTP client, built on first use.
    fn client(&self) -> Result<&reqwest::Client, ApiError> {
        let built = self.client.get_or_init(|| {
            let tls = match &self.tls {
                Some(config) => config.clone(),
                None => default_tls_config().map_err(ApiError::request)?,
            };
            reqwest::Client::builder()
                .tls_backend_preconfigured(ClientConfig::clone(&tls))
                .timeout(self.timeout)
                .build()
                .map_err(ApiError::request)
        });
        built.as_ref().map_err(Clone::clone)
    }
}

impl Default for GatewayApi {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for GatewayApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayApi")
            .field("base", &self.base)
            .field("identify_window", &self.identify_window)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// `GET /gateway/bot` failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// No answer: the client could not be built, or connecting, TLS, sending or reading
    /// failed or timed out.
    Request(Arc<dyn std::error::Error + Send + Sync>),
    /// An answer that is not a usable `/gateway/bot` object (401, 429, another status, a bad
    /// body).
    Response(GatewayBotError),
}

impl ApiError {
    fn request(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Request(Arc::new(error))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(error) => write!(f, "GET /gateway/bot failed: {error}"),
            Self::Response(error) => write!(f, "GET /gateway/bot: {error}"),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(error) => Some(error.as_ref()),
            Self::Response(error) => Some(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gateway_sim::{SimConfig, Simulator};

    #[tokio::test]
    async fn the_simulator_answers_with_its_url_shards_and_limits() {
        let config = SimConfig {
            recommended_shards: 12,
            max_concurrency: 4,
            session_start_remaining: 900,
            ..SimConfig::fast()
        };
        let sim = Simulator::start(config).await.expect("simulator");
        let token = Token::new(&sim.config().token);
        for base in [sim.http_url(), format!("{}/api/v10/", sim.http_url())] {
            let bot = GatewayApi::with_base(base)
                .gateway_bot(&token)
                .await
                .expect("an answer");
            assert_eq!(bot.url, sim.url());
            assert_eq!(bot.shards, 12);
            assert_eq!(bot.max_concurrency(), 4);
            assert_eq!(bot.session_start_limit.total, 1000);
            assert_eq!(bot.session_start_limit.remaining, 900);
        }
    }

    #[tokio::test]
    async fn a_wrong_token_is_unauthorized() {
        let sim = Simulator::start(SimConfig::fast())
            .await
            .expect("simulator");
        let api = GatewayApi::with_base(sim.http_url());
        let error = api
            .gateway_bot(&Token::new("wrong"))
            .await
            .expect_err("refused");
        assert!(
            matches!(error, ApiError::Response(GatewayBotError::Unauthorized)),
            "{error}"
        );
    }

    #[tokio::test]
    async fn no_server_is_a_request_error() {
        // Bind and drop a listener: nothing listens on that port any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let api = GatewayApi::with_base(format!("http://127.0.0.1:{port}"));
        let error = api
            .gateway_bot(&Token::new("t"))
            .await
            .expect_err("nothing listens");
        assert!(matches!(error, ApiError::Request(_)), "{error}");
    }

    #[test]
    fn debug_shows_the_base_and_no_secret() {
        let api = GatewayApi::new().identify_window(Duration::from_millis(500));
        let debug = format!("{api:?}");
        assert!(debug.contains("https://discord.com/api/v10"), "{debug}");
        assert_eq!(api.window(), Duration::from_millis(500));
    }
}
