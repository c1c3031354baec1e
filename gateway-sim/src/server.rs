//! The listening socket: every TCP connection is served by hyper's HTTP/1.1 server. Plain
//! requests get the discovery routes (`GET /gateway`, `GET /gateway/bot`, also under
//! `/api/v{n}`); websocket upgrade requests get `101 Switching Protocols`, and the upgraded
//! stream is handed to `conn.rs`. HTTP parsing is hyper's; this file only routes.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use async_tungstenite::tokio::TokioAdapter;
use async_tungstenite::tungstenite::handshake::derive_accept_key;
use async_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use async_tungstenite::WebSocketStream;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    HeaderValue, AUTHORIZATION, CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    UPGRADE,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

use crate::conn::{self, Params};
use crate::state::Shared;

type Body = Full<Bytes>;

/// Accepts connections until the task is aborted.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(route(shared, req)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .with_upgrades()
                .await;
        });
    }
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::from(body.to_string())));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn is_websocket_upgrade(req: &Request<Incoming>) -> bool {
    let has = |name, want: &str| {
        req.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(want)))
    };
    req.method() == Method::GET && has(UPGRADE, "websocket") && has(CONNECTION, "upgrade")
}

/// Strips an optional `/api` and `/v{n}` prefix, so `/api/v10/gateway/bot` routes like
/// `/gateway/bot` (REST clients such as @discordjs/rest add both).
fn route_path(path: &str) -> &str {
    let p = path.strip_prefix("/api").unwrap_or(path);
    match p.strip_prefix("/v") {
        Some(rest) => match rest.find('/') {
            Some(i) if rest[..i].bytes().all(|b| b.is_ascii_digit()) => &rest[i..],
            _ => p,
        },
        None => p,
    }
}

fn route(shared: Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    if is_websocket_upgrade(&req) {
        return upgrade(shared, req);
    }
    if req.method() != Method::GET {
        return json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"message": "405: Method Not Allowed", "code": 0}),
        );
    }
    let url = format!("ws://{}", shared.addr);
    match route_path(req.uri().path()).trim_end_matches('/') {
        "/gateway" => json_response(StatusCode::OK, json!({"url": url})),
        "/gateway/bot" => {
            let want = format!("Bot {}", shared.cfg.token);
            let auth = req
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            if auth != Some(want.as_str()) {
                return json_response(
                    StatusCode::UNAUTHORIZED,
                    json!({"message": "401: Unauthorized", "code": 0}),
                );
            }
            let (remaining, reset_after) = shared.lock().starts.status(Instant::now());
            let cfg = &shared.cfg;
            json_response(
                StatusCode::OK,
                json!({"url": url, "shards": cfg.recommended_shards,
                       "session_start_limit": {"total": cfg.session_start_total, "remaining": remaining,
                                               "reset_after": reset_after.as_millis() as u64,
                                               "max_concurrency": cfg.max_concurrency}}),
            )
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({"message": "404: Not Found", "code": 0}),
        ),
    }
}

fn upgrade(shared: Arc<Shared>, mut req: Request<Incoming>) -> Response<Body> {
    let Some(key) = req
        .headers()
        .get(SEC_WEBSOCKET_KEY)
        .map(|k| derive_accept_key(k.as_bytes()))
    else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"message": "missing Sec-WebSocket-Key", "code": 0}),
        );
    };
    let params = Params::parse(req.uri().path(), req.uri().query().unwrap_or(""));
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        // The transport cap sits above the gateway's 4096-byte limit, so oversized payloads get
        // the documented 4002 from the connection logic instead of a transport error.
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(shared.cfg.transport_max_message))
            .max_frame_size(Some(shared.cfg.transport_max_message))
            .read_buffer_size(16 * 1024)
            .write_buffer_size(0);
        let io = TokioAdapter::new(TokioIo::new(upgraded));
        let ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(ws_config)).await;
        conn::run(shared, ws, params).await;
    });
    let mut res = Response::new(Full::new(Bytes::new()));
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = res.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&key) {
        h.insert(SEC_WEBSOCKET_ACCEPT, v);
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn api_prefixes_are_stripped() {
        assert_eq!(super::route_path("/api/v10/gateway/bot"), "/gateway/bot");
        assert_eq!(super::route_path("/gateway/bot"), "/gateway/bot");
        assert_eq!(super::route_path("/v9/gateway"), "/gateway");
        assert_eq!(super::route_path("/vanity"), "/vanity");
    }
}
