//! `/healthz` and `/readyz` over plain HTTP, for the kubelet.
//!
//! Liveness answers as long as the process serves requests. Readiness waits for the
//! [`Readiness`] handle to be marked ready (the operator reached the API server and started
//! its controllers) and fails again once shutdown begins, so that a terminating replica
//! leaves its Service's endpoints.

use std::convert::Infallible;
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
        loop {
            let Ok((stream, _)) = self.listener.accept().await else { continue };
            let ready = self.ready.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let ready = *ready.borrow();
                    async move { Ok::<_, Infallible>(answer(&request, ready)) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                if let Err(error) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                    tracing::debug!(%error, "probe connection failed");
                }
            });
        }
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

/// Parses Flux's `:9440` form (every interface) as well as `127.0.0.1:9440`.
pub fn parse_address(address: &str) -> Result<SocketAddr, std::net::AddrParseError> {
    match address.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}").parse(),
        None => address.parse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn status(address: SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nhost: probe\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response.lines().next().unwrap_or_default().to_owned()
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

    #[test]
    fn addresses_parse_in_flux_form() {
        assert_eq!(parse_address(":9440").unwrap(), "0.0.0.0:9440".parse().unwrap());
        assert_eq!(parse_address("127.0.0.1:8080").unwrap(), "127.0.0.1:8080".parse().unwrap());
        assert!(parse_address("nowhere").is_err());
    }
}
