//! Posts `event.message` to `provider.address`, or to `provider.channel`
//! when set, so a test can aim it outside its grant.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::notifier::{Event, Provider, Request, send};
use weir_plugin_sdk::types::{Error, ErrorCode, KeyValue};

struct Probe;

impl Plugin for Probe {
    fn notify(event: Event, provider: Provider) -> Result<(), Error> {
        let url = provider.channel.unwrap_or(provider.address);
        let request = Request {
            method: "POST".into(),
            url,
            headers: vec![KeyValue::new("content-type", "text/plain")],
            body: event.message.into_bytes(),
        };
        let response = send(&request)?;
        if response.status < 300 {
            Ok(())
        } else {
            Err(Error::new(ErrorCode::Rejected, format!("status {}", response.status))
                .with_detail("status", response.status.to_string()))
        }
    }
}

weir_plugin_sdk::register_plugin!(Probe: notifier);
