//! Opening one gateway connection on tokio: TCP, then TLS for `wss://` (rustls with the `ring`
//! provider chosen explicitly, so no process-wide provider is needed), then the websocket
//! handshake, all under one timeout. This is the only file that knows sockets exist.

use crate::error::{Error, ErrorKind};
use async_tungstenite::{
    tokio::{client_async_tls_with_connector_and_config, ConnectStream},
    tungstenite::{client::IntoClientRequest, protocol::WebSocketConfig},
    WebSocketStream,
};
use rustls::{ClientConfig, RootCertStore};
use std::{
    io,
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// An open gateway connection.
pub(crate) type Socket = WebSocketStream<ConnectStream>;

/// Bytes tungstenite reads per call. Its default allocates 128 KiB per connection up front;
/// gateway messages are small and thousands of shards may run in one process.
pub(crate) const READ_BUFFER: usize = 16 * 1024;

/// Most bytes buffered for writing before a send fails. The rate limit keeps real use far
/// below: 120 frames of at most 4 KiB per minute.
pub(crate) const MAX_WRITE_BUFFER: usize = 512 * 1024;

/// What a connection attempt needs besides the URL.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    pub(crate) tls: Option<Arc<ClientConfig>>,
    pub(crate) websocket: WebSocketConfig,
    pub(crate) timeout: Duration,
}

/// A websocket configuration whose inbound cap is the library's own (`max_message_size`).
pub(crate) fn websocket_config(max_message_size: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        // Frames are written as they come and flushed after each batch.
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(Some(max_message_size))
        .max_frame_size(Some(max_message_size))
}

/// The TLS configuration used when none is given: `ring`, safe default protocol versions,
/// and the roots the crate features select (webpki roots by default).
pub fn default_tls_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    static DEFAULT: OnceLock<Result<Arc<ClientConfig>, rustls::Error>> = OnceLock::new();
    DEFAULT.get_or_init(build_tls_config).clone()
}

fn build_tls_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    #[allow(unused_mut)] // Without root features the store stays empty.
    let mut roots = RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::warn!(%error, "could not load a native root certificate");
        }
        roots.add_parsable_certificates(native.certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Opens a websocket to `url` (`ws://` or `wss://`, with its query).
pub(crate) async fn connect(url: String, connector: Connector) -> Result<Socket, Error> {
    let timeout = connector.timeout;
    match tokio::time::timeout(timeout, open(url, connector)).await {
        Ok(result) => result,
        Err(elapsed) => Err(Error::with_source(ErrorKind::Connect, elapsed)),
    }
}

async fn open(url: String, connector: Connector) -> Result<Socket, Error> {
    let fail = |source: io::Error| Error::with_source(ErrorKind::Connect, source);
    let request = url
        .as_str()
        .into_client_request()
        .map_err(|error| Error::with_source(ErrorKind::Connect, error))?;
    let uri = request.uri();
    let secure = uri.scheme_str() == Some("wss");
    let host = uri
        .host()
        .ok_or_else(|| fail(io::Error::new(io::ErrorKind::InvalidInput, "no host")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let tls = match (secure, connector.tls) {
        (false, _) => None,
        (true, Some(config)) => Some(config),
        (true, None) => Some(
            default_tls_config().map_err(|error| Error::with_source(ErrorKind::Connect, error))?,
        ),
    };
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(fail)?;
    tcp.set_nodelay(true).map_err(fail)?;
    let (socket, _response) = client_async_tls_with_connector_and_config(
        request,
        tcp,
        tls.map(TlsConnector::from),
        Some(connector.websocket),
    )
    .await
    .map_err(|error| Error::with_source(ErrorKind::Connect, error))?;
    Ok(socket)
}
