//! Opening one gateway connection on tokio: TCP, then TLS for `wss://` (tokio-rustls), then
//! the websocket handshake. The URL, the TLS configuration, buffer sizes and the timeout
//! come from gateway-driver; this file only knows how tokio opens sockets.

use async_tungstenite::tokio::{client_async_tls_with_connector_and_config, ConnectStream};
use gateway_driver::{BoxError, Target, WebSocketConfig, WebSocketStream};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The bytes under an open connection: TCP, or TLS over TCP.
pub type Stream = ConnectStream;

/// Opens the websocket `target` names.
pub(crate) async fn connect(
    target: Target,
    websocket: WebSocketConfig,
) -> Result<WebSocketStream<Stream>, BoxError> {
    let Target {
        request,
        host,
        port,
        tls,
        ..
    } = target;
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    tcp.set_nodelay(true)?;
    let tls = tls.map(TlsConnector::from);
    let (socket, _response) =
        client_async_tls_with_connector_and_config(request, tcp, tls, Some(websocket)).await?;
    Ok(socket)
}
