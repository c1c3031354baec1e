//! `GET /gateway/bot` (protocol.md §1.1) on async-std: [`Ureq`], gateway-driver's
//! [`HttpClient`] with ureq (rustls with `ring` chosen explicitly, so no process-wide crypto
//! provider is needed). ureq is blocking; the one request a start makes runs on async-std's
//! blocking pool. gateway-driver's [`GatewayApi`](gateway_driver::GatewayApi) builds the
//! request, times it and reads the answer; this file only sends it. It knows nothing of
//! shards.

use crate::AsyncStd;
use gateway_driver::{rustls::crypto::ring, BoxError, HttpClient, HttpSettings};
use std::sync::Arc;
use ureq::{
    tls::{RootCerts, TlsConfig, TlsProvider},
    Agent,
};

/// ureq, as the HTTP client of [`GatewayApi`](crate::GatewayApi) on async-std: HTTP/1.1,
/// rustls with `ring`, the roots the crate features select (webpki roots, or the platform's
/// verifier with `native-roots` alone), the settings' timeout.
///
/// ureq builds its own rustls configuration, so a custom one
/// ([`GatewayApi::tls_config`](gateway_driver::GatewayApi::tls_config)) is refused with an
/// [`ApiError::Request`](crate::ApiError::Request) rather than silently ignored.
#[derive(Clone, Debug)]
pub struct Ureq(Agent);

impl HttpClient for Ureq {
    type Runtime = AsyncStd;

    fn build(settings: &HttpSettings) -> Result<Self, BoxError> {
        if settings.tls.is_some() {
            return Err(
                "a custom TLS configuration is not supported by async-std's HTTP \
                        client (ureq builds its own from the crate's root features)"
                    .into(),
            );
        }
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(ring::default_provider()))
            .root_certs(roots())
            .build();
        let agent = Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(settings.timeout))
            // Every status is an answer: gateway-proto reads 401 and 429 bodies itself.
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(Self(agent))
    }

    async fn get(
        &self,
        url: String,
        headers: Vec<(&'static str, String)>,
    ) -> Result<(u16, Vec<u8>), BoxError> {
        let agent = self.0.clone();
        async_std::task::spawn_blocking(move || {
            let mut request = agent.get(url);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let mut response = request.call()?;
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_vec()?;
            Ok((status, body))
        })
        .await
    }
}

/// The trusted roots, as gateway-driver's `default_tls_config` picks them from the features.
fn roots() -> RootCerts {
    if cfg!(feature = "webpki-roots") {
        RootCerts::WebPki
    } else if cfg!(feature = "native-roots") {
        RootCerts::PlatformVerifier
    } else {
        RootCerts::new_with_certs(&[])
    }
}

#[cfg(test)]
mod tests {
    use crate::{default_tls_config, ApiError, GatewayApi, Token};

    #[test]
    fn a_custom_tls_configuration_is_refused_not_ignored() {
        let tls = default_tls_config().expect("the default configuration");
        let api = GatewayApi::with_base("https://127.0.0.1:9").tls_config(tls);
        let error =
            async_std::task::block_on(api.gateway_bot(&Token::new("t"))).expect_err("refused");
        assert!(matches!(error, ApiError::Request(_)), "{error}");
        assert!(error.to_string().contains("custom TLS"), "{error}");
    }

    #[test]
    fn https_needs_no_process_wide_crypto_provider() {
        // A server that answers the TLS ClientHello with plain text: the client built its
        // rustls configuration and started the handshake (ureq panics there when no provider
        // is set), and the failed handshake is an error value.
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("bound").port();
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("the client connects");
            let mut hello = [0_u8; 5];
            socket.read_exact(&mut hello).expect("a ClientHello");
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            hello
        });
        let api = GatewayApi::with_base(format!("https://127.0.0.1:{port}"));
        let error = async_std::task::block_on(api.gateway_bot(&Token::new("t")))
            .expect_err("no TLS server");
        assert!(matches!(error, ApiError::Request(_)), "{error}");
        let hello = server.join().expect("server");
        assert_eq!(hello[0], 0x16, "a TLS handshake record was sent");
    }
}
