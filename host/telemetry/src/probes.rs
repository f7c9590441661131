//! `/healthz` and `/readyz` over plain HTTP, for the kubelet.
//!
//! Liveness answers as long as the process serves requests. Readiness waits for the
//! [`Readiness`] handle to be marked ready (the operator reached the API server and started
//! its controllers) and fails again once shutdown begins, so that a terminating replica
//! leaves its Service's endpoints.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Marks the process ready or not; cheap to clone.
#[derive(Clone, Debug)]
pub struct Readiness(watch::Sender<bool>);

impl Readiness {
    pub fn set(&self, ready: bool) {
        self.0.send_replace(ready);
    }
}

/// A bound probe server; [`ProbeServer::serve`] answers until dropped.
pub struct ProbeServer {
    listener: TcpListener,
    ready: watch::Receiver<bool>,
}

impl ProbeServer {
    /// Listens on `address` (port 0 picks one); not ready until told.
    pub async fn bind(address: SocketAddr) -> std::io::Result<(Self, Readiness)> {
        let listener = TcpListener::bind(address).await?;
        let (sender, ready) = watch::channel(false);
        Ok((Self { listener, ready }, Readiness(sender)))
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn serve(self) {
        let ready = self.ready;
        crate::http::serve(self.listener, move |request| answer(request, *ready.borrow())).await;
    }
}

fn answer(request: &Request<Incoming>, ready: bool) -> Response<Full<Bytes>> {
    let (status, body) = match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/healthz" | "/livez") => (StatusCode::OK, "ok"),
        (&Method::GET | &Method::HEAD, "/readyz") if ready => (StatusCode::OK, "ok"),
        (&Method::GET | &Method::HEAD, "/readyz") => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
        _ => (StatusCode::NOT_FOUND, "not found"),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn status(address: SocketAddr, path: &str) -> String {
        crate::http::tests::get(address, path).await.lines().next().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn readiness_follows_its_handle_and_liveness_always_answers() {
        let (server, readiness) = ProbeServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let address = server.local_addr().unwrap();
        tokio::spawn(server.serve());
        assert_eq!(status(address, "/healthz").await, "HTTP/1.1 200 OK");
        assert_eq!(status(address, "/readyz").await, "HTTP/1.1 503 Service Unavailable");
        readiness.set(true);
        assert_eq!(status(address, "/readyz").await, "HTTP/1.1 200 OK");
        readiness.set(false);
        assert_eq!(status(address, "/readyz").await, "HTTP/1.1 503 Service Unavailable");
        assert_eq!(status(address, "/metricz").await, "HTTP/1.1 404 Not Found");
    }
}
