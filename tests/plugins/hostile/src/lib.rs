//! A renderer that misbehaves on purpose, to prove the sandbox holds. The
//! misdeed is chosen by `options.path`; `name-prefix` carries an argument.
//! Each probe reports what it managed to do, so a test can tell "refused"
//! from "never tried".

use std::hint::black_box;

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::renderer::{BuildOptions, Rendered};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct Hostile;

impl Plugin for Hostile {
    fn build(options: BuildOptions) -> Result<Rendered, Error> {
        let argument = options.name_prefix.unwrap_or_default();
        match options.path.as_str() {
            "read" => read(&format!("/src/{argument}")),
            "read-outside" => read(&argument),
            "write" => std::fs::write("/src/planted.txt", b"x").map(|()| rendered("wrote")).map_err(refused),
            "connect" => connect(&argument),
            "loop" => loop {
                black_box(());
            },
            "allocate" => {
                let mut hoard = Vec::new();
                loop {
                    hoard.push(black_box(vec![1u8; 1 << 20]));
                }
            }
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_secs(3600));
                Ok(rendered("woke up"))
            }
            "panic" => panic!("hostile plugin panicked on purpose"),
            "trap" => std::process::abort(),
            "chatter" => {
                for line in 0..100_000 {
                    println!("chatter line {line}");
                }
                Ok(rendered("chattered"))
            }
            other => Err(Error::new(ErrorCode::Unsupported, format!("unknown misdeed {other:?}"))),
        }
    }
}

fn read(path: &str) -> Result<Rendered, Error> {
    std::fs::read_to_string(path).map(|text| rendered(&text)).map_err(refused)
}

/// Opens a TCP connection to 127.0.0.1:`port` through wasi:sockets.
fn connect(port: &str) -> Result<Rendered, Error> {
    use wasi::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
    let port = port.parse().map_err(|_| Error::new(ErrorCode::InvalidInput, "port expected"))?;
    let denied = |err: wasi::sockets::network::ErrorCode| Error::new(ErrorCode::Denied, format!("{err:?}"));
    let network = wasi::sockets::instance_network::instance_network();
    let socket = wasi::sockets::tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).map_err(denied)?;
    let address = IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (127, 0, 0, 1) });
    socket.start_connect(&network, address).map_err(denied)?;
    socket.subscribe().block();
    socket.finish_connect().map_err(denied)?;
    Ok(rendered("connected"))
}

fn rendered(text: &str) -> Rendered {
    Rendered { documents: vec![text.to_owned()], warnings: Vec::new() }
}

fn refused(err: std::io::Error) -> Error {
    Error::new(ErrorCode::Denied, err.to_string())
}

weir_plugin_sdk::register_plugin!(Hostile: renderer);
