//! Posts `event.message` to `provider.address`, or to `provider.channel`
//! when set, so a test can aim it outside its grant.

use weir_plugin_sdk::notifier::{Event, HttpError, Notifier, NotifyError, Provider, Request, send};
use weir_plugin_sdk::types::{ErrorDetail, KeyValue};

struct Probe;

impl Notifier for Probe {
    fn notify(event: Event, provider: Provider) -> Result<(), NotifyError> {
        let url = provider.channel.unwrap_or(provider.address);
        let request = Request {
            method: "POST".into(),
            url,
            headers: vec![KeyValue::new("content-type", "text/plain")],
            body: event.message.into_bytes(),
        };
        match send(&request) {
            Ok(response) if response.status < 300 => Ok(()),
            Ok(response) => Err(NotifyError::Rejected(ErrorDetail::new(format!("status {}", response.status)))),
            Err(HttpError::Denied(message)) => {
                Err(NotifyError::Transport(ErrorDetail::new(format!("denied: {message}"))))
            }
            Err(HttpError::InvalidRequest(message) | HttpError::Transport(message)) => {
                Err(NotifyError::Transport(ErrorDetail::new(message)))
            }
        }
    }
}

weir_plugin_sdk::export_notifier!(Probe);
