//! The plain-HTTP endpoints the kubelet and Prometheus call: one request in, one answer out.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;

/// Answers every connection on `listener` with `answer`, until dropped.
pub(crate) async fn serve<A>(listener: TcpListener, answer: A)
where
    A: Fn(&Request<Incoming>) -> Response<Full<Bytes>> + Clone + Send + Sync + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = answer(&request);
                async move { Ok::<_, Infallible>(response) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(error) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                tracing::debug!(%error, "connection failed");
            }
        });
    }
}

/// Parses Flux's `:9440` form (every interface) as well as `127.0.0.1:9440`.
pub fn parse_address(address: &str) -> Result<SocketAddr, std::net::AddrParseError> {
    match address.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}").parse(),
        None => address.parse(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The whole response to `GET path`.
    pub(crate) async fn get(address: SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[test]
    fn addresses_parse_in_flux_form() {
        assert_eq!(parse_address(":9440").unwrap(), "0.0.0.0:9440".parse().unwrap());
        assert_eq!(parse_address("127.0.0.1:8080").unwrap(), "127.0.0.1:8080".parse().unwrap());
        assert!(parse_address("nowhere").is_err());
    }
}
