//! Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`)
//! for every built-in kind the server serves, both ways: request bodies in,
//! responses and watch events out.
//!
//! A body is `k8s\0` and a `runtime.Unknown` envelope: the type (apiVersion,
//! kind) and the typed message's bytes. Messages are read and written with
//! prost-reflect against the descriptors of Kubernetes' generated.proto
//! files (`proto/`, compiled by build.rs), and mapped to and from the JSON
//! the server stores by [`json`]. Custom resources have no protobuf form,
//! as in Kubernetes.

mod json;

use std::sync::LazyLock;

use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, Value as Proto};
use serde_json::Value;

use crate::status::ApiError;

pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
pub(crate) const MAGIC: &[u8] = b"k8s\0";
const UNKNOWN: &str = "apimachinery.pkg.runtime.Unknown";
const TYPE_META: &str = "apimachinery.pkg.runtime.TypeMeta";
const RAW_EXTENSION: &str = "apimachinery.pkg.runtime.RawExtension";
const WATCH_EVENT: &str = "apimachinery.pkg.apis.meta.v1.WatchEvent";
const META: &str = "apimachinery.pkg.apis.meta.v1";

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(&include_bytes!(concat!(env!("OUT_DIR"), "/kubernetes.bin"))[..])
        .expect("build.rs wrote a valid descriptor set")
});

/// Loads the descriptors now rather than on first use.
pub(crate) fn load_descriptors() {
    LazyLock::force(&POOL);
}

/// The message of `kind` in `api_version`: the group's own (`apps/v1` is
/// package `api.apps.v1`), else one of meta/v1's (Status, WatchEvent…).
fn message_for(api_version: &str, kind: &str) -> Option<MessageDescriptor> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let package = match group {
        "" => format!("api.core.{version}"),
        "apiextensions.k8s.io" => format!("apiextensions_apiserver.pkg.apis.apiextensions.{version}"),
        "meta.k8s.io" => META.to_owned(),
        group => format!("api.{}.{version}", group.split('.').next().unwrap_or(group)),
    };
    POOL.get_message_by_name(&format!("{package}.{kind}"))
        .or_else(|| (version == "v1").then(|| POOL.get_message_by_name(&format!("{META}.{kind}"))).flatten())
}

/// One of the envelope's messages, which build.rs compiles in.
fn compiled(name: &str) -> MessageDescriptor {
    POOL.get_message_by_name(name).unwrap_or_else(|| panic!("{name} is compiled in"))
}

/// Reads a protobuf body (a request's, or one embedded in a RawExtension)
/// into the object's JSON form.
pub fn decode_object(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = body.strip_prefix(MAGIC).ok_or_else(|| {
        ApiError::bad_request(format!(
            "provided data does not appear to be a protobuf message, expected prefix {:?}",
            MAGIC
        ))
    })?;
    let unknown = DynamicMessage::decode(compiled(UNKNOWN), envelope)
        .map_err(|error| ApiError::bad_request(format!("the protobuf envelope is malformed: {error}")))?;
    let text = |message: &DynamicMessage, name: &str| {
        message.get_field_by_name(name).and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
    };
    let (api_version, kind) = match unknown.get_field_by_name("typeMeta").as_deref() {
        Some(Proto::Message(type_meta)) => (text(type_meta, "apiVersion"), text(type_meta, "kind")),
        _ => (String::new(), String::new()),
    };
    // As kube-apiserver's decoder: a body must say what it is.
    if kind.is_empty() {
        return Err(ApiError::bad_request("Object 'Kind' is missing in the protobuf body"));
    }
    if api_version.is_empty() {
        return Err(ApiError::bad_request("Object 'apiVersion' is missing in the protobuf body"));
    }
    let raw = unknown.get_field_by_name("raw").and_then(|value| value.as_bytes().cloned()).unwrap_or_default();
    let descriptor = message_for(&api_version, &kind).ok_or_else(|| unsupported(&api_version, &kind))?;
    let message = DynamicMessage::decode(descriptor, raw).map_err(|error| {
        ApiError::bad_request(format!("the protobuf body is not a valid {kind} of {api_version}: {error}"))
    })?;
    let mut object = json::to_json(&message).map_err(|error| ApiError::bad_request(format!("{kind}: {error}")))?;
    if let Value::Object(fields) = &mut object {
        fields.insert("apiVersion".into(), Value::String(api_version));
        fields.insert("kind".into(), Value::String(kind));
    }
    Ok(object)
}

/// What kube-apiserver answers a protobuf body for a type without one
/// (custom resources).
fn unsupported(api_version: &str, kind: &str) -> ApiError {
    ApiError::unsupported_media_type(MEDIA_TYPE).with_message(format!(
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml ({kind} of {api_version} has no protobuf form)"
    ))
}

/// How a response may be written, by the request's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Json,
    /// Protobuf first; `or_json` when JSON is acceptable too (for kinds without protobuf).
    Protobuf {
        or_json: bool,
    },
}

/// Reads `Accept` as Kubernetes negotiates it: the highest `q` wins, the
/// first listed among equals; no header, or only JSON, means JSON.
pub fn negotiate(accept: &str) -> Answer {
    let mut best_protobuf: Option<(f32, usize)> = None;
    let mut best_json: Option<(f32, usize)> = None;
    for (position, range) in accept.split(',').enumerate() {
        let mut parts = range.split(';').map(str::trim);
        let media_type = parts.next().unwrap_or_default();
        let quality = parts
            .filter_map(|parameter| parameter.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let slot = match media_type {
            MEDIA_TYPE => &mut best_protobuf,
            "application/json" | "application/yaml" | "application/*" | "*/*" => &mut best_json,
            _ => continue,
        };
        if quality > 0.0 && slot.is_none_or(|(best, _)| quality > best) {
            *slot = Some((quality, position));
        }
    }
    match (best_protobuf, best_json) {
        (Some(protobuf), Some(json)) if protobuf.0 > json.0 || (protobuf.0 == json.0 && protobuf.1 < json.1) => {
            Answer::Protobuf { or_json: true }
        }
        (Some(_), None) => Answer::Protobuf { or_json: false },
        _ => Answer::Json,
    }
}

/// Writes `object` (JSON with apiVersion and kind) as a protobuf body.
pub fn encode_object(object: &Value) -> Result<Vec<u8>, ApiError> {
    let field = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (field("apiVersion"), field("kind"));
    let descriptor = message_for(api_version, kind).ok_or_else(|| unsupported(api_version, kind))?;
    let message = json::from_json(&descriptor, object, kind)
        .map_err(|error| ApiError::internal(format!("{kind} cannot be written as protobuf: {error}")))?;
    Ok(envelope(api_version, kind, message.encode_to_vec()))
}

/// Whether `kind` of `api_version` has a protobuf form (built-in kinds do,
/// custom resources do not).
pub fn has_message(api_version: &str, kind: &str) -> bool {
    message_for(api_version, kind).is_some()
}

/// The content type of a protobuf watch stream.
pub const WATCH_MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// One event of a protobuf watch: a bare `WatchEvent` message (streams
/// carry no envelope: the client knows the type) whose object is embedded
/// as its own full protobuf body, framed by its length (four bytes,
/// big-endian) as client-go's length-delimited reader expects.
pub fn watch_frame(event: &Value) -> Result<Vec<u8>, ApiError> {
    let object = encode_object(&event["object"])?;
    let mut raw_extension = DynamicMessage::new(compiled(RAW_EXTENSION));
    raw_extension.set_field_by_name("raw", Proto::Bytes(object.into()));
    let mut watch_event = DynamicMessage::new(compiled(WATCH_EVENT));
    let kind = event["type"].as_str().unwrap_or_default().to_owned();
    watch_event.set_field_by_name("type", Proto::String(kind));
    watch_event.set_field_by_name("object", Proto::Message(raw_extension));
    let body = watch_event.encode_to_vec();
    let length = u32::try_from(body.len()).map_err(|_| ApiError::internal("a watch event beyond 4 GiB"))?;
    Ok([&length.to_be_bytes()[..], &body].concat())
}

fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let mut type_meta = DynamicMessage::new(compiled(TYPE_META));
    type_meta.set_field_by_name("apiVersion", Proto::String(api_version.to_owned()));
    type_meta.set_field_by_name("kind", Proto::String(kind.to_owned()));
    let mut envelope = DynamicMessage::new(compiled(UNKNOWN));
    envelope.set_field_by_name("typeMeta", Proto::Message(type_meta));
    envelope.set_field_by_name("raw", Proto::Bytes(raw.into()));
    [MAGIC, &envelope.encode_to_vec()].concat()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bytes_field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    /// Bytes laid out by hand from generated.proto's field numbers, not by our encoder.
    #[test]
    fn decodes_a_config_map_as_kubectl_sends_it() {
        let metadata = [bytes_field(1, b"settings"), bytes_field(3, b"apps")].concat();
        let data_entry = [bytes_field(1, b"mode"), bytes_field(2, b"fast")].concat();
        let binary_entry = [bytes_field(1, b"blob"), bytes_field(2, b"hi!")].concat();
        let config_map =
            [bytes_field(1, &metadata), bytes_field(2, &data_entry), bytes_field(3, &binary_entry)].concat();
        let type_meta = [bytes_field(1, b"v1"), bytes_field(2, b"ConfigMap")].concat();
        let body = [MAGIC.to_vec(), bytes_field(1, &type_meta), bytes_field(2, &config_map)].concat();
        assert_eq!(
            decode_object(&body).unwrap(),
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "apps"},
                "data": {"mode": "fast"}, "binaryData": {"blob": "aGkh"},
            })
        );
    }

    fn round_trip(object: Value) {
        let bytes = encode_object(&object).unwrap();
        assert!(bytes.starts_with(MAGIC));
        assert_eq!(decode_object(&bytes).unwrap(), object);
    }

    #[test]
    fn a_deployment_keeps_times_quantities_and_int_or_strings() {
        round_trip(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "apps", "labels": {"app": "web"},
                "creationTimestamp": "2026-12-06T10:00:00Z",
                "managedFields": [{"manager": "kubectl", "operation": "Update", "time": "2026-12-06T10:00:00Z",
                                   "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}],
            },
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "progressDeadlineSeconds": 600,
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                      "volumes": [{"name": "conf", "configMap": {"name": "settings", "defaultMode": 420}}],
                      "containers": [{
                        "name": "nginx", "image": "nginx",
                        "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}],
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    }]},
                },
            },
            "status": {"conditions": [{"type": "Available", "status": "True",
                                       "lastUpdateTime": "2026-12-06T10:00:01Z"}]},
        }));
    }

    #[test]
    fn micro_times_durations_and_embedded_objects() {
        round_trip(json!({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "leader"},
            "spec": {"holderIdentity": "weir", "renewTime": "2026-12-06T10:00:00.123456Z", "leaseDurationSeconds": 15},
        }));
        round_trip(json!({
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": "web-1"}, "revision": 1,
            "data": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}},
        }));
        round_trip(json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque",
            "data": {"password": "aHVudGVyMg=="},
        }));
    }

    #[test]
    fn a_crd_schema_keeps_its_dollar_and_x_kubernetes_keys() {
        round_trip(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {
                        "spec": {"type": "object", "additionalProperties": false, "default": {"size": 1}},
                        "items": {"type": "array", "items": {"type": "string"}},
                    },
                }}}],
            },
        }));
    }

    #[test]
    fn errors_and_watch_events_are_meta_messages() {
        for (api_version, kind) in [("v1", "Status"), ("meta.k8s.io/v1", "WatchEvent"), ("v1", "DeleteOptions")] {
            assert!(message_for(api_version, kind).is_some(), "{kind}");
        }
        round_trip(json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "message": "gone",
                          "reason": "NotFound", "code": 404, "metadata": {}}));
    }

    #[test]
    fn garbage_truncated_and_custom_kinds_are_refused() {
        let wrong_magic = decode_object(b"{}").unwrap_err();
        assert_eq!((wrong_magic.code, wrong_magic.message.contains("expected prefix [107, 56, 115, 0]")), (400, true));
        assert_eq!(decode_object(b"k8s\0\x0a\x05ab").unwrap_err().code, 400);
        let type_meta = [bytes_field(1, b"v1"), bytes_field(2, b"ConfigMap")].concat();
        let truncated = [MAGIC.to_vec(), bytes_field(1, &type_meta), bytes_field(2, &[0x0a, 0x09, b'x'])].concat();
        assert_eq!(decode_object(&truncated).unwrap_err().code, 400);
        let custom = [bytes_field(1, b"example.com/v1"), bytes_field(2, b"Widget")].concat();
        let body = [MAGIC.to_vec(), bytes_field(1, &custom)].concat();
        assert_eq!(decode_object(&body).unwrap_err().code, 415);
        assert!(message_for("kustomize.toolkit.fluxcd.io/v1", "Kustomization").is_none());
    }

    #[test]
    fn accept_is_negotiated_as_kubernetes_does() {
        let protobuf = "application/vnd.kubernetes.protobuf";
        assert_eq!(negotiate(""), Answer::Json);
        assert_eq!(negotiate("application/json"), Answer::Json);
        assert_eq!(negotiate(&format!("{protobuf}, */*")), Answer::Protobuf { or_json: true });
        assert_eq!(negotiate(&format!("application/json, {protobuf}")), Answer::Json);
        assert_eq!(negotiate(&format!("application/json;q=0.5, {protobuf}")), Answer::Protobuf { or_json: true });
        assert_eq!(negotiate(protobuf), Answer::Protobuf { or_json: false });
        assert_eq!(negotiate(&format!("{protobuf};q=0, application/json")), Answer::Json);
    }

    #[test]
    fn a_watch_event_is_length_framed_with_its_object_embedded() {
        let event =
            json!({"type": "ADDED", "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}});
        let frame = watch_frame(&event).unwrap();
        let length = u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        assert_eq!(length, frame.len() - 4);
        let watch_event = DynamicMessage::decode(compiled(WATCH_EVENT), &frame[4..]).unwrap();
        assert_eq!(json::to_json(&watch_event).unwrap(), event, "the embedded body decodes as the object");
    }
}
