//! Smart HTTP(S) through `git http-backend` as CGI, one thread per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// What the smart HTTP server demands.
#[derive(Clone, Debug)]
pub enum HttpAuth {
    None,
    Basic { username: String, password: String },
    Bearer(String),
}

/// A smart HTTP server of every repository under a root; optionally TLS.
pub struct HttpServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Serves the repositories under `root`.
pub fn http_server(root: &Path, auth: HttpAuth) -> HttpServer {
    serve_http(root, auth, None)
}

/// As [`http_server`] but over TLS with `config`.
pub fn https_server(root: &Path, auth: HttpAuth, config: Arc<rustls::ServerConfig>) -> HttpServer {
    serve_http(root, auth, Some(config))
}

fn serve_http(root: &Path, auth: HttpAuth, tls: Option<Arc<rustls::ServerConfig>>) -> HttpServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let root = root.to_path_buf();
    let flag = Arc::clone(&stop);
    thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (root, auth, tls) = (root.clone(), auth.clone(), tls.clone());
            thread::spawn(move || {
                let _ = match tls {
                    Some(config) => {
                        let connection = rustls::ServerConnection::new(config).expect("tls");
                        handle_http(rustls::StreamOwned::new(connection, stream), &root, &auth)
                    }
                    None => handle_http(stream, &root, &auth),
                };
            });
        }
    });
    HttpServer { port, stop }
}

fn handle_http<S: Read + Write>(stream: S, root: &Path, auth: &HttpAuth) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }

    let authorized = match auth {
        HttpAuth::None => true,
        HttpAuth::Basic { username, password } => {
            use base64::Engine as _;
            let expected = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            header("authorization").is_some_and(|v| v == format!("Basic {expected}"))
        }
        HttpAuth::Bearer(token) => header("authorization").is_some_and(|v| v == format!("Bearer {token}")),
    };
    let mut stream = reader.into_inner();
    if !authorized {
        let challenge = if matches!(auth, HttpAuth::Bearer(_)) { "Bearer" } else { "Basic realm=\"git\"" };
        write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return stream.flush();
    }

    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(content_type) = header("content-type") {
        cgi.env("CONTENT_TYPE", content_type);
    }
    if let Some(protocol) = header("git-protocol") {
        cgi.env("GIT_PROTOCOL", protocol);
    }
    if let Some(encoding) = header("content-encoding") {
        cgi.env("HTTP_CONTENT_ENCODING", encoding);
    }
    let mut child = cgi.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output()?;
    let _ = writer.join();
    let output = output.stdout;
    let split = output.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, 4));
    let split = split.or_else(|| output.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)));
    let (head, content) = match split {
        Some((at, len)) => (String::from_utf8_lossy(&output[..at]).into_owned(), &output[at + len..]),
        None => (String::new(), &output[..]),
    };
    let mut status = "200 OK".to_owned();
    let mut response_headers = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_owned(),
            Some(_) => {
                response_headers.push_str(line.trim_end());
                response_headers.push_str("\r\n");
            }
            None => {}
        }
    }
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    )?;
    stream.write_all(content)?;
    stream.flush()
}
