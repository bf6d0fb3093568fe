//! Accept loop. Hand-rolled on hyper (instead of `axum::serve`) so an injected
//! `DropConnection` fault can close a connection without answering: every
//! connection gets a [`ConnKill`] switch in its request extensions.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use crate::gateway::{self, ConnKill};
use crate::{control, webapp, Shared};

/// Control plane and web-app pages first (unauthenticated, not rate limited,
/// not recorded); everything else goes through the gateway. Every response
/// gets a `Date` header from the sandbox clock.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    control::routes()
        .merge(webapp::routes())
        .fallback(gateway::handle)
        .layer(axum::middleware::map_response_with_state(
            shared.clone(),
            date_header,
        ))
        .with_state(shared)
}

/// Sets `Date` (RFC 7231 IMF-fixdate) from the shifted clock; hyper then
/// leaves out its own.
async fn date_header(State(shared): State<Arc<Shared>>, mut resp: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&crate::clock::http_date(shared.wall_now())) {
        resp.headers_mut().insert(header::DATE, v);
    }
    resp
}

/// Serves until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let app = router(shared);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => spawn_connection(stream, app.clone(), shutdown.clone()),
                // E.g. too many open files: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = shutdown.changed() => break,
        }
    }
}

fn spawn_connection(stream: TcpStream, app: Router, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let kill = ConnKill(Arc::new(Notify::new()));
    let kill_for_requests = kill.clone();
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(kill_for_requests.clone());
        app.clone().oneshot(req)
    });
    tokio::spawn(async move {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => {}
            // Dropping `conn` closes the socket without a response.
            _ = kill.0.notified() => {}
            _ = shutdown.changed() => {}
        }
    });
}
