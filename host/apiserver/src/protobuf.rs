//! The Kubernetes protobuf wire format, read into JSON for the kinds
//! kubectl sends that way (its `create` generators and `auth can-i`).
//!
//! A body is `k8s\0` followed by a `runtime.Unknown` envelope: the type
//! (apiVersion, kind) and the raw bytes of the typed message, decoded here
//! with the field numbers of Kubernetes' generated.proto files.

use serde_json::{Map, Value};

use crate::status::ApiError;

const MAGIC: &[u8] = b"k8s\0";

/// How one field is encoded and named in JSON.
#[derive(Clone, Copy)]
enum Field {
    String(&'static str),
    Bool(&'static str),
    Message(&'static str, &'static [(u64, Field)]),
    RepeatedString(&'static str),
    RepeatedMessage(&'static str, &'static [(u64, Field)]),
    MapString(&'static str),
    MapBytes(&'static str),
}

const OWNER_REFERENCE: &[(u64, Field)] = &[
    (5, Field::String("apiVersion")),
    (1, Field::String("kind")),
    (3, Field::String("name")),
    (4, Field::String("uid")),
    (6, Field::Bool("controller")),
    (7, Field::Bool("blockOwnerDeletion")),
];

const OBJECT_META: &[(u64, Field)] = &[
    (1, Field::String("name")),
    (2, Field::String("generateName")),
    (3, Field::String("namespace")),
    (5, Field::String("uid")),
    (6, Field::String("resourceVersion")),
    (11, Field::MapString("labels")),
    (12, Field::MapString("annotations")),
    (13, Field::RepeatedMessage("ownerReferences", OWNER_REFERENCE)),
    (14, Field::RepeatedString("finalizers")),
];

const NAMESPACE: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (2, Field::Message("spec", &[(1, Field::RepeatedString("finalizers"))])),
];

const CONFIG_MAP: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (2, Field::MapString("data")),
    (3, Field::MapBytes("binaryData")),
    (4, Field::Bool("immutable")),
];

const SECRET: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (2, Field::MapBytes("data")),
    (3, Field::String("type")),
    (4, Field::MapString("stringData")),
    (5, Field::Bool("immutable")),
];

const SERVICE_ACCOUNT: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (3, Field::RepeatedMessage("imagePullSecrets", &[(1, Field::String("name"))])),
    (4, Field::Bool("automountServiceAccountToken")),
];

const RESOURCE_ATTRIBUTES: &[(u64, Field)] = &[
    (1, Field::String("namespace")),
    (2, Field::String("verb")),
    (3, Field::String("group")),
    (4, Field::String("version")),
    (5, Field::String("resource")),
    (6, Field::String("subresource")),
    (7, Field::String("name")),
];

const ACCESS_REVIEW: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (
        2,
        Field::Message(
            "spec",
            &[
                (1, Field::Message("resourceAttributes", RESOURCE_ATTRIBUTES)),
                (2, Field::Message("nonResourceAttributes", &[(1, Field::String("path")), (2, Field::String("verb"))])),
            ],
        ),
    ),
];

/// The message layout of a kind sent as protobuf.
fn layout(api_version: &str, kind: &str) -> Option<&'static [(u64, Field)]> {
    Some(match (api_version, kind) {
        ("v1", "Namespace") => NAMESPACE,
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Secret") => SECRET,
        ("v1", "ServiceAccount") => SERVICE_ACCOUNT,
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => ACCESS_REVIEW,
        _ => return None,
    })
}

/// Reads a protobuf-encoded object into its JSON form.
pub fn decode_object(body: &[u8]) -> Result<Value, ApiError> {
    let envelope =
        body.strip_prefix(MAGIC).ok_or_else(|| ApiError::bad_request("the protobuf body lacks the k8s\\0 prefix"))?;
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (number, value) in fields(envelope)? {
        match (number, value) {
            (1, Wire::Bytes(type_meta)) => {
                for (number, value) in fields(type_meta)? {
                    match (number, value) {
                        (1, Wire::Bytes(text)) => api_version = text_of(text)?,
                        (2, Wire::Bytes(text)) => kind = text_of(text)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let layout = layout(&api_version, &kind).ok_or_else(|| {
        ApiError::unsupported_media_type("application/vnd.kubernetes.protobuf")
            .with_message(format!("{kind} in {api_version} cannot be sent as protobuf here: send JSON"))
    })?;
    let mut object = message(raw, layout)?;
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(object))
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn malformed() -> ApiError {
    ApiError::bad_request("malformed protobuf body")
}

fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, ApiError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(malformed)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(malformed())
}

/// The (field number, value) pairs of one message, in order.
fn fields(bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, ApiError> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let tag = varint(bytes, &mut at)?;
        let value = match tag & 7 {
            0 => Wire::Varint(varint(bytes, &mut at)?),
            2 => {
                let length = usize::try_from(varint(bytes, &mut at)?).map_err(|_| malformed())?;
                let end = at.checked_add(length).filter(|end| *end <= bytes.len()).ok_or_else(malformed)?;
                let slice = &bytes[at..end];
                at = end;
                Wire::Bytes(slice)
            }
            1 => {
                at = at.checked_add(8).filter(|end| *end <= bytes.len()).ok_or_else(malformed)?;
                continue;
            }
            5 => {
                at = at.checked_add(4).filter(|end| *end <= bytes.len()).ok_or_else(malformed)?;
                continue;
            }
            _ => return Err(malformed()),
        };
        out.push((tag >> 3, value));
    }
    Ok(out)
}

fn text_of(bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed())
}

/// A map entry: key (1) and value (2).
fn entry(bytes: &[u8]) -> Result<(String, &[u8]), ApiError> {
    let (mut key, mut value) = (String::new(), &[][..]);
    for (number, wire) in fields(bytes)? {
        match (number, wire) {
            (1, Wire::Bytes(text)) => key = text_of(text)?,
            (2, Wire::Bytes(bytes)) => value = bytes,
            _ => {}
        }
    }
    Ok((key, value))
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn message(bytes: &[u8], layout: &[(u64, Field)]) -> Result<Map<String, Value>, ApiError> {
    let mut object = Map::new();
    for (number, wire) in fields(bytes)? {
        let Some((_, field)) = layout.iter().find(|(known, _)| *known == number) else { continue };
        match (*field, wire) {
            (Field::String(name), Wire::Bytes(text)) => {
                object.insert(name.into(), Value::String(text_of(text)?));
            }
            (Field::Bool(name), Wire::Varint(flag)) => {
                object.insert(name.into(), Value::Bool(flag != 0));
            }
            (Field::Message(name, inner), Wire::Bytes(bytes)) => {
                object.insert(name.into(), Value::Object(message(bytes, inner)?));
            }
            (Field::RepeatedString(name), Wire::Bytes(text)) => {
                let list = object.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.push(Value::String(text_of(text)?));
                }
            }
            (Field::RepeatedMessage(name, inner), Wire::Bytes(bytes)) => {
                let item = Value::Object(message(bytes, inner)?);
                if let Value::Array(items) = object.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
                    items.push(item);
                }
            }
            (Field::MapString(name), Wire::Bytes(bytes)) => {
                let (key, value) = entry(bytes)?;
                let value = Value::String(text_of(value)?);
                if let Value::Object(map) = object.entry(name).or_insert_with(|| Value::Object(Map::new())) {
                    map.insert(key, value);
                }
            }
            (Field::MapBytes(name), Wire::Bytes(bytes)) => {
                let (key, value) = entry(bytes)?;
                if let Value::Object(map) = object.entry(name).or_insert_with(|| Value::Object(Map::new())) {
                    map.insert(key, Value::String(base64(value)));
                }
            }
            _ => return Err(malformed()),
        }
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

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
            serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "apps"},
                "data": {"mode": "fast"}, "binaryData": {"blob": "aGkh"},
            })
        );
    }

    #[test]
    fn truncated_or_unknown_bodies_are_refused() {
        assert_eq!(decode_object(b"k8s\0\x0a\x05ab").unwrap_err().code, 400);
        let type_meta = [bytes_field(1, b"apps/v1"), bytes_field(2, b"Deployment")].concat();
        let body = [MAGIC.to_vec(), bytes_field(1, &type_meta)].concat();
        assert_eq!(decode_object(&body).unwrap_err().code, 415);
        assert_eq!(decode_object(b"{}").unwrap_err().code, 400);
    }
}
