//! What opening a connection means apart from sockets: reading host, port and scheme from the
//! gateway URL, choosing the TLS configuration (rustls with the `ring` provider chosen
//! explicitly, so no process-wide provider is needed), sizing tungstenite's buffers, and the
//! one timeout around the attempt. The runtime's [`Runtime::connect`] only moves bytes.

use crate::{
    error::{Error, ErrorKind},
    runtime::{self, Runtime, Target},
};
use async_tungstenite::{
    tungstenite::{client::IntoClientRequest, protocol::WebSocketConfig},
    WebSocketStream,
};
use rustls::{ClientConfig, RootCertStore};
use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

/// An open gateway connection on `R`.
pub(crate) type Socket<R> = WebSocketStream<<R as Runtime>::Stream>;

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

/// Opens a websocket to `url` (`ws://` or `wss://`, with its query) on `R`, within the
/// connector's timeout.
pub(crate) async fn connect<R: Runtime>(
    url: String,
    connector: Connector,
) -> Result<Socket<R>, Error> {
    let target = target(&url, connector.tls)?;
    let fail = |source| Error::from_boxed(ErrorKind::Connect, source);
    match runtime::timeout::<R, _>(connector.timeout, R::connect(target, connector.websocket)).await
    {
        Some(result) => result.map_err(fail),
        None => Err(fail(
            format!("timed out after {:?}", connector.timeout).into(),
        )),
    }
}

/// Reads where to connect from `url`; `tls` (or the default configuration) applies to
/// `wss://` only.
fn target(url: &str, tls: Option<Arc<ClientConfig>>) -> Result<Target, Error> {
    let fail = |source| Error::from_boxed(ErrorKind::Connect, source);
    let request = url
        .into_client_request()
        .map_err(|error| fail(error.into()))?;
    let uri = request.uri();
    let secure = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        _ => return Err(fail("the gateway url is not ws:// or wss://".into())),
    };
    let host = uri
        .host()
        .ok_or_else(|| fail("no host in the gateway url".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let tls = match (secure, tls) {
        (false, _) => None,
        (true, Some(config)) => Some(config),
        (true, None) => Some(default_tls_config().map_err(|error| fail(error.into()))?),
    };
    Ok(Target {
        request,
        host,
        port,
        tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_the_port_from_the_scheme_and_tls_only_for_wss() {
        let plain = target("ws://127.0.0.1:9000/?v=10", None).expect("target");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 9000));
        assert!(plain.tls.is_none());
        let secure = target("wss://gateway.discord.gg/?v=10", None).expect("target");
        assert_eq!(secure.port, 443);
        assert!(secure.tls.is_some(), "the default configuration");
        let v6 = target("ws://[::1]/", None).expect("target");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 80));
        assert_eq!(
            target("http://example.com", None)
                .map(drop)
                .map_err(|e| e.kind().clone()),
            Err(ErrorKind::Connect)
        );
    }
}
