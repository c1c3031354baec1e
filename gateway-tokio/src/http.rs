//! `GET /gateway/bot` (protocol.md §1.1) on tokio: [`Reqwest`], gateway-driver's
//! [`HttpClient`] with reqwest on rustls and the same `ring` TLS configuration as the
//! websocket side, so no process-wide crypto provider is needed. gateway-driver's
//! [`GatewayApi`](gateway_driver::GatewayApi) builds the request, times it and reads the
//! answer; this file only sends it. It knows nothing of shards.

use crate::{default_tls_config, Tokio};
use gateway_driver::{rustls::ClientConfig, BoxError, HttpClient, HttpSettings};

/// reqwest, as the HTTP client of [`GatewayApi`](crate::GatewayApi) on tokio (HTTP/1.1,
/// rustls with `ring`, the settings' timeout and TLS configuration).
#[derive(Clone, Debug)]
pub struct Reqwest(reqwest::Client);

impl HttpClient for Reqwest {
    type Runtime = Tokio;

    fn build(settings: &HttpSettings) -> Result<Self, BoxError> {
        let tls = match &settings.tls {
            Some(config) => config.clone(),
            None => default_tls_config()?,
        };
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(ClientConfig::clone(&tls))
            .timeout(settings.timeout)
            .build()?;
        Ok(Self(client))
    }

    async fn get(
        &self,
        url: String,
        headers: Vec<(&'static str, String)>,
    ) -> Result<(u16, Vec<u8>), BoxError> {
        let mut builder = self.0.get(url);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        Ok((status, body.to_vec()))
    }
}
