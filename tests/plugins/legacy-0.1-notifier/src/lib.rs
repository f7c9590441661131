//! A notifier as written for `weir:plugin@0.1.0`: posts `event.message` to
//! `provider.address`, or to `provider.channel` when set, through 0.1's
//! `outbound-http`, so a test can check both the grant and the error mapping.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "notifier",
    generate_all,
});

use exports::weir::plugin::notify::{Event, Guest, NotifyError, Provider};
use weir::plugin::outbound_http::{HttpError, Request, send};
use weir::plugin::types::{ErrorDetail, KeyValue};

struct LegacyNotifier;

fn detail(message: String) -> ErrorDetail {
    ErrorDetail { message, file: None, field: None }
}

impl Guest for LegacyNotifier {
    fn notify(event: Event, provider: Provider) -> Result<(), NotifyError> {
        let request = Request {
            method: "POST".into(),
            url: provider.channel.unwrap_or(provider.address),
            headers: vec![KeyValue { key: "content-type".into(), value: "text/plain".into() }],
            body: event.message.into_bytes(),
        };
        match send(&request) {
            Ok(response) if response.status < 300 => Ok(()),
            Ok(response) => Err(NotifyError::Rejected(detail(format!("status {}", response.status)))),
            Err(HttpError::Denied(message)) => Err(NotifyError::Transport(detail(format!("denied: {message}")))),
            Err(HttpError::InvalidRequest(message) | HttpError::Transport(message)) => {
                Err(NotifyError::Transport(detail(message)))
            }
        }
    }
}

export!(LegacyNotifier);
