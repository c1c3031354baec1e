//! Opening one gateway connection on async-std: TCP, then TLS for `wss://` (futures-rustls),
//! then the websocket handshake, through async-tungstenite's smol module (its `async_std`
//! module is deprecated; the smol one takes any futures-io stream). The URL, the TLS
//! configuration, buffer sizes and the timeout come from gateway-driver; this file only knows
//! how async-std opens sockets.

use async_std::net::TcpStream;
use async_tungstenite::smol::{client_async_tls_with_connector_and_config, ClientStream};
use futures_rustls::TlsConnector;
use gateway_driver::{BoxError, Target, WebSocketConfig, WebSocketStream};

/// The bytes under an open connection: TCP, or TLS over TCP.
pub type Stream = ClientStream<TcpStream>;

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
