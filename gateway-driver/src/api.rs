//! `GET /gateway/bot` (protocol.md §1.1) on any runtime: [`GatewayApi`] keeps the API base,
//! the identify window of the API's gateway and the client settings, applies the timeout,
//! and reads the answer with gateway-proto ([`GatewayBotRequest`]). Sending the one request
//! is the only runtime-specific part, behind the small [`HttpClient`] trait an adapter
//! implements with a real HTTP client. It knows nothing of shards.

use crate::{runtime::timeout, BoxError, Runtime};
use gateway_proto::{
    gateway_bot::{GatewayBot, GatewayBotError, GatewayBotRequest, DISCORD_API_BASE},
    queue::IDENTIFY_WINDOW,
    Token,
};
use rustls::ClientConfig;
use std::{
    fmt,
    future::Future,
    io,
    sync::{Arc, OnceLock},
    time::Duration,
};

/// Default limit on one `/gateway/bot` request, connecting included.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(10);

/// An adapter's HTTP client, as far as the gateway needs one: a `GET` with headers, its status
/// and body. Implementations wrap a real client (reqwest, ureq, …) and never parse the answer.
pub trait HttpClient: Sized + Send + Sync + 'static {
    /// The runtime whose clock times the request and whose shards the answer starts.
    type Runtime: Runtime;

    /// A client with `settings`; built once per [`GatewayApi`] (and its clones), on the
    /// first request.
    fn build(settings: &HttpSettings) -> Result<Self, BoxError>;

    /// Sends `GET url` with `headers` and reads the whole answer: `(status, body)`. Any
    /// status is an answer; only a failure to connect, send or read is an error.
    fn get(
        &self,
        url: String,
        headers: Vec<(&'static str, String)>,
    ) -> impl Future<Output = Result<(u16, Vec<u8>), BoxError>> + Send;
}

/// What an [`HttpClient`] is built with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HttpSettings {
    /// The limit on one request, connecting included. [`GatewayApi`] enforces it too, on the
    /// runtime's clock.
    pub timeout: Duration,
    /// The TLS configuration for `https://`; `None` means
    /// [`default_tls_config`](crate::default_tls_config).
    pub tls: Option<Arc<ClientConfig>>,
}

/// Discord's HTTP API, or one that behaves like it (a simulator, a proxy), as far as the
/// gateway needs it: `GET /gateway/bot`, sent with the HTTP client `C` of an adapter.
///
/// Clones share the HTTP client and its connections.
pub struct GatewayApi<C> {
    base: String,
    identify_window: Duration,
    settings: HttpSettings,
    client: Arc<OnceLock<Result<C, ApiError>>>,
}

impl<C> Clone for GatewayApi<C> {
    /// The same settings; the clone shares the HTTP client.
    fn clone(&self) -> Self {
        Self {
            base: self.base.clone(),
            identify_window: self.identify_window,
            settings: self.settings.clone(),
            client: self.client.clone(),
        }
    }
}

impl<C: HttpClient> GatewayApi<C> {
    /// Discord's API, [`DISCORD_API_BASE`].
    pub fn new() -> Self {
        Self::with_base(DISCORD_API_BASE)
    }

    /// Another API base (e.g. a simulator's `http://127.0.0.1:PORT`); the route is appended.
    pub fn with_base(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            identify_window: IDENTIFY_WINDOW,
            settings: HttpSettings {
                timeout: DEFAULT_API_TIMEOUT,
                tls: None,
            },
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
        self.settings.timeout = timeout;
        self.client = Arc::default();
        self
    }

    /// The TLS configuration for `https://`; by default
    /// [`default_tls_config`](crate::default_tls_config). A client that cannot use a given
    /// configuration says so in an [`ApiError::Request`] rather than ignoring it.
    #[must_use]
    pub fn tls_config(mut self, config: Arc<ClientConfig>) -> Self {
        self.settings.tls = Some(config);
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
        let limit = self.settings.timeout;
        let answer =
            timeout::<C::Runtime, _>(limit, client.get(request.url(), request.headers().into()))
                .await
                .ok_or_else(|| {
                    let message = format!("no answer within {limit:?}");
                    ApiError::request(io::Error::new(io::ErrorKind::TimedOut, message))
                })?;
        let (status, body) = answer.map_err(|error| ApiError::Request(Arc::from(error)))?;
        GatewayBotRequest::parse_response(status, &body).map_err(ApiError::Response)
    }

    /// The HTTP client, built on first use.
    fn client(&self) -> Result<&C, ApiError> {
        let built = self.client.get_or_init(|| {
            C::build(&self.settings).map_err(|error| ApiError::Request(Arc::from(error)))
        });
        built.as_ref().map_err(Clone::clone)
    }
}

impl<C: HttpClient> Default for GatewayApi<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> fmt::Debug for GatewayApi<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayApi")
            .field("base", &self.base)
            .field("identify_window", &self.identify_window)
            .field("timeout", &self.settings.timeout)
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
    use crate::test_runtime::Paused;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A client that answers from a script: a status and a body, or never.
    struct Scripted {
        answer: Option<(u16, &'static str)>,
    }

    /// Clients built that answer.
    static BUILT: AtomicUsize = AtomicUsize::new(0);

    impl HttpClient for Scripted {
        type Runtime = Paused;

        fn build(settings: &HttpSettings) -> Result<Self, BoxError> {
            // The other tests build theirs with a 1 s timeout (which never answers).
            let answer = match settings.timeout.as_secs() {
                1 => None,
                _ => {
                    BUILT.fetch_add(1, Ordering::SeqCst);
                    Some((200, BODY))
                }
            };
            Ok(Self { answer })
        }

        async fn get(
            &self,
            url: String,
            headers: Vec<(&'static str, String)>,
        ) -> Result<(u16, Vec<u8>), BoxError> {
            assert_eq!(url, "http://sim/gateway/bot");
            assert!(headers
                .iter()
                .any(|(name, value)| *name == "Authorization" && value.as_str() == "Bot secret"));
            match self.answer {
                Some((status, body)) => Ok((status, body.as_bytes().to_vec())),
                None => std::future::pending().await,
            }
        }
    }

    const BODY: &str = r#"{"url":"ws://sim","shards":3,"session_start_limit":
        {"total":1000,"remaining":999,"reset_after":1000,"max_concurrency":2}}"#;

    #[tokio::test(start_paused = true)]
    async fn the_answer_is_read_and_the_client_built_once() {
        let api = GatewayApi::<Scripted>::with_base("http://sim");
        let copy = api.clone();
        let token = Token::new("secret");
        let bot = api.gateway_bot(&token).await.expect("an answer");
        assert_eq!((bot.url.as_str(), bot.shards), ("ws://sim", 3));
        assert_eq!(bot.max_concurrency(), 2);
        copy.gateway_bot(&token).await.expect("again");
        assert_eq!(BUILT.load(Ordering::SeqCst), 1, "clones share the client");
    }

    #[tokio::test(start_paused = true)]
    async fn no_answer_within_the_timeout_is_a_request_error() {
        let api = GatewayApi::<Scripted>::with_base("http://sim").timeout(Duration::from_secs(1));
        let error = api
            .gateway_bot(&Token::new("secret"))
            .await
            .expect_err("times out");
        assert!(matches!(error, ApiError::Request(_)), "{error}");
        assert!(error.to_string().contains("no answer within 1s"), "{error}");
    }

    #[test]
    fn debug_shows_the_base_and_no_secret() {
        let api = GatewayApi::<Scripted>::new()
            .timeout(Duration::from_secs(1))
            .identify_window(Duration::from_millis(500));
        let debug = format!("{api:?}");
        assert!(debug.contains("https://discord.com/api/v10"), "{debug}");
        assert_eq!(api.window(), Duration::from_millis(500));
    }
}
