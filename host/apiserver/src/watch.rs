//! Watches: a stream of events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR),
//! from a resourceVersion or from the present; newline-delimited JSON, or
//! length-framed protobuf when the client prefers it and the kind has it.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::handlers::Api;
use crate::registry::ResourceType;
use crate::request::{Query, ResourceRequest};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::{Event, EventKind};

/// A watch without `timeoutSeconds` ends after this long (kube-apiserver picks 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// How often a watch that asked for bookmarks gets one.
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(10);

/// A started watch: its content type, and its events, one frame each, until
/// the timeout, a lag too large to bridge, or the client leaving.
pub struct Watch {
    pub content_type: &'static str,
    pub frames: mpsc::Receiver<Bytes>,
}

/// How events are written.
#[derive(Clone, Copy)]
enum Encoding {
    Json,
    Protobuf,
}

impl Encoding {
    fn frame(&self, event: &Value) -> Vec<u8> {
        match self {
            Encoding::Protobuf => match crate::protobuf::watch_frame(event) {
                Ok(frame) => return frame,
                Err(error) => tracing::warn!("a watch event cannot be written as protobuf: {}", error.message),
            },
            Encoding::Json => {}
        }
        let mut line = serde_json::to_vec(event).unwrap_or_default();
        line.push(b'\n');
        line
    }
}

pub fn start(api: &Arc<Api>, request: &ResourceRequest, query: &Query, accept: &str) -> Result<Watch, ApiError> {
    let ty = api.resource_type(request)?;
    let encoding = match crate::protobuf::negotiate(accept) {
        crate::protobuf::Answer::Protobuf { .. } if crate::protobuf::has_message(&ty.api_version(), &ty.kind) => {
            Encoding::Protobuf
        }
        crate::protobuf::Answer::Protobuf { or_json: false } => return Err(ApiError::not_acceptable()),
        _ => Encoding::Json,
    };
    let content_type = match encoding {
        Encoding::Json => "application/json",
        Encoding::Protobuf => crate::protobuf::WATCH_MEDIA_TYPE,
    };
    let (labels, fields) = Api::selection(query)?;
    let filter = Filter { ty: ty.clone(), namespace: request.namespace.clone(), labels, fields };
    let timeout = query.number("timeoutSeconds")?.map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let bookmarks = query.flag("allowWatchBookmarks");
    let send_initial = query.flag("sendInitialEvents");
    // sendInitialEvents replays the present state whatever the version asked.
    let from = match query.get("resourceVersion").filter(|_| !send_initial) {
        None | Some("0") => None,
        Some(version) => Some(
            version
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {version:?}")))?,
        ),
    };
    let (sender, receiver) = mpsc::channel(64);
    let (initial, mut revision, live, expired) = match from {
        None => {
            let namespace = (!request.namespace.is_empty()).then_some(request.namespace.as_str());
            let (items, revision, live) = api.store.snapshot_and_watch(&ty.group_resource(), namespace);
            let initial: Vec<Value> = items
                .into_iter()
                .filter(|object| filter.matches_object(object))
                .map(|object| frame("ADDED", filter.served(object)))
                .collect();
            (initial, revision, Some(live), None)
        }
        Some(revision) => match api.store.watch_from(revision) {
            Ok((past, live)) => {
                let initial = past.iter().filter_map(|event| filter.translate(event)).collect();
                let last = past.last().map_or(revision, |event| event.revision);
                (initial, last, Some(live), None)
            }
            Err(error) => (Vec::new(), revision, None, Some(error)),
        },
    };
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + timeout;
        let send = |value: Value| {
            let sender = sender.clone();
            async move { sender.send(Bytes::from(encoding.frame(&value))).await.is_ok() }
        };
        if let Some(error) = expired {
            send(json!({ "type": "ERROR", "object": error.to_status() })).await;
            return;
        }
        for event in initial {
            if !send(event).await {
                return;
            }
        }
        if send_initial {
            let mut bookmark = filter.bookmark(revision);
            bookmark["object"]["metadata"]["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
            if !send(bookmark).await {
                return;
            }
        }
        let Some(mut live) = live else { return };
        let mut bookmark_timer = tokio::time::interval(BOOKMARK_INTERVAL);
        bookmark_timer.tick().await;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    // A last bookmark lets the client resume exactly where this watch ends.
                    if bookmarks {
                        send(filter.bookmark(revision)).await;
                    }
                    return;
                }
                _ = sender.closed() => return,
                _ = bookmark_timer.tick(), if bookmarks => {
                    if !send(filter.bookmark(revision)).await {
                        return;
                    }
                }
                received = live.recv() => match received {
                    Ok(event) if event.revision <= revision => {}
                    Ok(event) => {
                        revision = event.revision;
                        if let Some(frame) = filter.translate(&event)
                            && !send(frame).await
                        {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let error = ApiError::expired("the watch fell too far behind; list again");
                        send(json!({ "type": "ERROR", "object": error.to_status() })).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    });
    Ok(Watch { content_type, frames: receiver })
}

fn frame(kind: &str, object: Value) -> Value {
    json!({ "type": kind, "object": object })
}

/// Which events a watch sends, and how objects are served to it.
struct Filter {
    ty: Arc<ResourceType>,
    namespace: String,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches_object(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }

    /// The frame this watch gets for `event`, if any. With selectors, an
    /// object that starts matching is ADDED and one that stops is DELETED,
    /// as kube-apiserver's watch cache reports it.
    fn translate(&self, event: &Event) -> Option<Value> {
        if event.key.resource != self.ty.group_resource()
            || !(self.namespace.is_empty() || event.key.namespace == self.namespace)
        {
            return None;
        }
        let now = self.matches_object(&event.object);
        let before = event.previous.as_ref().is_some_and(|previous| self.matches_object(previous));
        let kind = match (event.kind, before, now) {
            (EventKind::Modified, true, true) => "MODIFIED",
            (EventKind::Modified, false, true) => "ADDED",
            (EventKind::Modified, true, false) => "DELETED",
            (kind, _, true) if kind != EventKind::Modified => kind.as_str(),
            _ => return None,
        };
        Some(frame(kind, self.served(event.object.clone())))
    }

    fn served(&self, mut object: Value) -> Value {
        object["apiVersion"] = Value::String(self.ty.api_version());
        object["kind"] = Value::String(self.ty.kind.clone());
        object
    }

    fn bookmark(&self, revision: u64) -> Value {
        frame("BOOKMARK", self.served(json!({ "metadata": { "resourceVersion": revision.to_string() } })))
    }
}
