//! Kubernetes' JSON form of its protobuf messages, both ways.
//!
//! The field names of Kubernetes' generated.proto are the JSON names, so most
//! messages map field by field. What marshals itself in Go — times,
//! durations, quantities, int-or-string, embedded raw JSON, string lists and
//! the apiextensions schema unions — is special-cased by message name.

use std::borrow::Cow;

use base64::Engine as _;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, ReflectMessage, Value as Proto};
use serde_json::{Map, Number, Value as Json};

const TIME: &str = "apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME: &str = "apimachinery.pkg.apis.meta.v1.MicroTime";
const DURATION: &str = "apimachinery.pkg.apis.meta.v1.Duration";
const FIELDS_V1: &str = "apimachinery.pkg.apis.meta.v1.FieldsV1";
const VERBS: &str = "apimachinery.pkg.apis.meta.v1.Verbs";
const QUANTITY: &str = "apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "apimachinery.pkg.util.intstr.IntOrString";
const RAW_EXTENSION: &str = "apimachinery.pkg.runtime.RawExtension";
const APIEXTENSIONS: &str = "apiextensions_apiserver.pkg.apis.apiextensions.v1.";

/// Go writes every string field that is not a pointer, empty or not, and
/// the `.proto` does not say which are pointers; nearly all empty ones are
/// `omitempty` values, dropped in Go's JSON. These pointers are the
/// exceptions, where an empty string differs from none (`storageClassName:
/// ""` asks for no storage class, none for the default one).
const EMPTY_MEANS_SOMETHING: &[&str] = &["storageClassName"];

/// Go structs embedded with `json:",inline"`: a field in the `.proto`, their
/// fields the parent's own in JSON. (message, field), by message full name.
const INLINE: &[(&str, &str)] = &[
    ("api.core.v1.ConfigMapEnvSource", "localObjectReference"),
    ("api.core.v1.ConfigMapKeySelector", "localObjectReference"),
    ("api.core.v1.ConfigMapProjection", "localObjectReference"),
    ("api.core.v1.ConfigMapVolumeSource", "localObjectReference"),
    ("api.core.v1.SecretEnvSource", "localObjectReference"),
    ("api.core.v1.SecretKeySelector", "localObjectReference"),
    ("api.core.v1.SecretProjection", "localObjectReference"),
    ("api.core.v1.EphemeralContainer", "ephemeralContainerCommon"),
    ("api.core.v1.PersistentVolumeSpec", "persistentVolumeSource"),
    ("api.core.v1.Probe", "handler"),
    ("api.core.v1.Volume", "volumeSource"),
    ("api.networking.v1.IngressRule", "ingressRuleValue"),
    ("api.admissionregistration.v1.NamedRuleWithOperations", "ruleWithOperations"),
    ("api.admissionregistration.v1.RuleWithOperations", "rule"),
];

fn is_inline(message: &MessageDescriptor, field: &FieldDescriptor) -> bool {
    INLINE.contains(&(message.full_name(), field.name()))
}

/// How a message is written in JSON.
enum Shape {
    /// Field by field, under the proto field names (renamed for JSON schemas).
    Fields,
    /// `metav1.Time` (RFC 3339, seconds) or `MicroTime` (microseconds).
    Time {
        micros: bool,
    },
    /// `metav1.Duration`: Go's duration text.
    Duration,
    /// A one-string-field message written as the string (Quantity).
    Text,
    IntOrString,
    /// Raw JSON bytes embedded as the value (RawExtension, FieldsV1, apiextensions JSON).
    RawJson,
    /// A one-list-field message written as the list (Verbs, ExtraValue).
    List,
    /// `JSONSchemaPropsOrBool`: a bool, or a schema.
    SchemaOrBool,
    /// `JSONSchemaPropsOrArray`: a schema, or a list of schemas.
    SchemaOrArray,
    /// `JSONSchemaPropsOrStringArray`: a schema, or a list of strings.
    SchemaOrStrings,
}

fn shape(descriptor: &MessageDescriptor) -> Shape {
    let name = descriptor.full_name();
    match name {
        TIME => Shape::Time { micros: false },
        MICRO_TIME => Shape::Time { micros: true },
        DURATION => Shape::Duration,
        QUANTITY => Shape::Text,
        INT_OR_STRING => Shape::IntOrString,
        RAW_EXTENSION | FIELDS_V1 => Shape::RawJson,
        VERBS => Shape::List,
        _ if name.ends_with(".ExtraValue") => Shape::List,
        _ => match name.strip_prefix(APIEXTENSIONS) {
            Some("JSON") => Shape::RawJson,
            Some("JSONSchemaPropsOrBool") => Shape::SchemaOrBool,
            Some("JSONSchemaPropsOrArray") => Shape::SchemaOrArray,
            Some("JSONSchemaPropsOrStringArray") => Shape::SchemaOrStrings,
            _ => Shape::Fields,
        },
    }
}

/// The JSON key of `field`: its name, except in a JSON schema, whose `$ref`,
/// `$schema` and `x-kubernetes-*` keys are not proto identifiers.
fn json_name<'a>(message: &MessageDescriptor, field: &'a FieldDescriptor) -> Cow<'a, str> {
    let name = field.name();
    if message.full_name().strip_prefix(APIEXTENSIONS) != Some("JSONSchemaProps") {
        return Cow::Borrowed(name);
    }
    match name {
        "ref" => Cow::Borrowed("$ref"),
        "schema" => Cow::Borrowed("$schema"),
        _ => match name.strip_prefix("xKubernetes") {
            Some(rest) => {
                let mut key = String::from("x-kubernetes");
                for character in rest.chars() {
                    if character.is_ascii_uppercase() {
                        key.push('-');
                    }
                    key.push(character.to_ascii_lowercase());
                }
                Cow::Owned(key)
            }
            None => Cow::Borrowed(name),
        },
    }
}

/// The field of `message` whose JSON key is `key`.
fn field_for(message: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    message.fields().find(|field| !is_inline(message, field) && json_name(message, field) == key)
}

/// A field by name, which the message's shape says it has.
fn known_field(message: &MessageDescriptor, name: &str) -> Result<FieldDescriptor, String> {
    message.get_field_by_name(name).ok_or_else(|| format!("{} has no field {name}", message.full_name()))
}

// ---- protobuf → JSON

/// The JSON of `message`, as Kubernetes writes the object it decodes.
pub(super) fn to_json(message: &DynamicMessage) -> Result<Json, String> {
    let descriptor = message.descriptor();
    let field = |name: &str| message.get_field_by_name(name);
    Ok(match shape(&descriptor) {
        Shape::Fields => {
            let mut object = Map::new();
            for (field, value) in message.fields() {
                if matches!(value, Proto::String(text) if text.is_empty())
                    && !EMPTY_MEANS_SOMETHING.contains(&field.name())
                {
                    continue;
                }
                match field_to_json(&field, value)? {
                    Json::Object(inlined) if is_inline(&descriptor, &field) => object.extend(inlined),
                    value => {
                        object.insert(json_name(&descriptor, &field).into_owned(), value);
                    }
                }
            }
            Json::Object(object)
        }
        Shape::Time { micros } => {
            let seconds = field("seconds").and_then(|value| value.as_i64()).unwrap_or(0);
            let nanos = field("nanos").and_then(|value| value.as_i32()).unwrap_or(0);
            time_to_json(seconds, nanos, micros)?
        }
        Shape::Duration => {
            let nanos = field("duration").and_then(|value| value.as_i64()).unwrap_or(0);
            Json::String(go_duration(nanos))
        }
        Shape::Text => {
            Json::String(field("string").and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default())
        }
        Shape::IntOrString => {
            if field("type").and_then(|value| value.as_i64()).unwrap_or(0) == 1 {
                Json::String(field("strVal").and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default())
            } else {
                Json::from(field("intVal").and_then(|value| value.as_i32()).unwrap_or(0))
            }
        }
        Shape::RawJson => {
            let raw = descriptor.fields().next().map(|raw| message.get_field(&raw).into_owned());
            match raw.as_ref().and_then(Proto::as_bytes) {
                Some(bytes) => raw_to_json(bytes)?,
                None => Json::Null,
            }
        }
        Shape::List => {
            let items = descriptor.fields().next().ok_or("a list message has its field")?;
            field_to_json(&items, &message.get_field(&items))?
        }
        Shape::SchemaOrBool => match present(message, "schema") {
            Some(schema) => field_to_json(&known_field(&descriptor, "schema")?, &schema)?,
            None => Json::Bool(field("allows").and_then(|value| value.as_bool()).unwrap_or(false)),
        },
        Shape::SchemaOrArray => match present(message, "schema") {
            Some(schema) => field_to_json(&known_field(&descriptor, "schema")?, &schema)?,
            None => {
                let schemas = known_field(&descriptor, "jSONSchemas")?;
                field_to_json(&schemas, &message.get_field(&schemas))?
            }
        },
        Shape::SchemaOrStrings => match present(message, "schema") {
            Some(schema) => field_to_json(&known_field(&descriptor, "schema")?, &schema)?,
            None => {
                let property = known_field(&descriptor, "property")?;
                field_to_json(&property, &message.get_field(&property))?
            }
        },
    })
}

/// A field's value if the message carries it.
fn present(message: &DynamicMessage, name: &str) -> Option<Proto> {
    let field = message.descriptor().get_field_by_name(name)?;
    message.has_field(&field).then(|| message.get_field(&field).into_owned())
}

fn field_to_json(field: &FieldDescriptor, value: &Proto) -> Result<Json, String> {
    match value {
        Proto::List(items) => {
            items.iter().map(|item| value_to_json(&field.kind(), item)).collect::<Result<_, _>>().map(Json::Array)
        }
        Proto::Map(entries) => {
            let Kind::Message(entry) = field.kind() else {
                return Err(format!("map field {} has no entry", field.name()));
            };
            let value_kind = entry.map_entry_value_field().kind();
            let mut object = Map::new();
            for (key, value) in entries {
                let key = match key {
                    MapKey::String(key) => key.clone(),
                    MapKey::Bool(key) => key.to_string(),
                    MapKey::I32(key) => key.to_string(),
                    MapKey::I64(key) => key.to_string(),
                    MapKey::U32(key) => key.to_string(),
                    MapKey::U64(key) => key.to_string(),
                };
                object.insert(key, value_to_json(&value_kind, value)?);
            }
            Ok(Json::Object(object))
        }
        value => value_to_json(&field.kind(), value),
    }
}

fn value_to_json(kind: &Kind, value: &Proto) -> Result<Json, String> {
    Ok(match value {
        Proto::Bool(flag) => Json::Bool(*flag),
        Proto::I32(number) => Json::from(*number),
        Proto::I64(number) => Json::from(*number),
        Proto::U32(number) => Json::from(*number),
        Proto::U64(number) => Json::from(*number),
        Proto::F32(number) => float(f64::from(*number))?,
        Proto::F64(number) => float(*number)?,
        Proto::String(text) => Json::String(text.clone()),
        Proto::Bytes(bytes) => Json::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        Proto::EnumNumber(number) => Json::from(*number),
        Proto::Message(message) => to_json(message)?,
        Proto::List(_) | Proto::Map(_) => return Err(format!("a nested list or map of {kind:?}")),
    })
}

fn float(number: f64) -> Result<Json, String> {
    Number::from_f64(number).map(Json::Number).ok_or_else(|| format!("{number} is not a JSON number"))
}

/// Embedded bytes: JSON as Kubernetes stores it, or a nested protobuf object.
fn raw_to_json(bytes: &[u8]) -> Result<Json, String> {
    if bytes.is_empty() {
        Ok(Json::Null)
    } else if bytes.starts_with(super::MAGIC) {
        super::decode_object(bytes).map_err(|error| error.message)
    } else {
        serde_json::from_slice(bytes).map_err(|error| format!("embedded JSON is malformed: {error}"))
    }
}

/// Go's zero time is the empty message; Kubernetes writes it as null.
fn time_to_json(seconds: i64, nanos: i32, micros: bool) -> Result<Json, String> {
    if seconds == 0 && nanos == 0 {
        return Ok(Json::Null);
    }
    let nanos = u32::try_from(nanos).map_err(|_| format!("a time with {nanos} nanoseconds"))?;
    let time =
        chrono::DateTime::from_timestamp(seconds, nanos).ok_or_else(|| format!("time {seconds} out of range"))?;
    let format = if micros { "%Y-%m-%dT%H:%M:%S%.6fZ" } else { "%Y-%m-%dT%H:%M:%SZ" };
    Ok(Json::String(time.format(format).to_string()))
}

/// Go's `time.Duration.String()`, negative durations included.
fn go_duration(nanos: i64) -> String {
    let text = weir_go_compat::time::format_duration(std::time::Duration::from_nanos(nanos.unsigned_abs()));
    if nanos < 0 { format!("-{text}") } else { text }
}

// ---- JSON → protobuf

/// The message of type `descriptor` that `json` describes; unknown keys are
/// dropped, as a typed Go object drops them. Errors name the field path.
pub(super) fn from_json(descriptor: &MessageDescriptor, json: &Json, path: &str) -> Result<DynamicMessage, String> {
    let mut message = DynamicMessage::new(descriptor.clone());
    let mismatch = |expected: &str| format!("{path}: expected {expected}, got {json}");
    let set = |message: &mut DynamicMessage, name: &str, value: Proto| -> Result<(), String> {
        message.set_field(&known_field(descriptor, name)?, value);
        Ok(())
    };
    match shape(descriptor) {
        Shape::Fields => {
            let Json::Object(object) = json else { return Err(mismatch("an object")) };
            for field in descriptor.fields().filter(|field| is_inline(descriptor, field)) {
                if let Proto::Message(inlined) = field_from_json(&field, json, path)?
                    && inlined.fields().next().is_some()
                {
                    message.set_field(&field, Proto::Message(inlined));
                }
            }
            for (key, value) in object {
                let Some(field) = field_for(descriptor, key) else { continue };
                if value.is_null() {
                    continue;
                }
                let value = field_from_json(&field, value, &format!("{path}.{key}"))?;
                message.set_field(&field, value);
            }
        }
        Shape::Time { .. } => {
            let Json::String(text) = json else { return Err(mismatch("an RFC 3339 time")) };
            let time = chrono::DateTime::parse_from_rfc3339(text).map_err(|error| format!("{path}: {error}"))?;
            set(&mut message, "seconds", Proto::I64(time.timestamp()))?;
            set(&mut message, "nanos", Proto::I32(i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0)))?;
        }
        Shape::Duration => {
            let Json::String(text) = json else { return Err(mismatch("a duration")) };
            let (negative, magnitude) = text.strip_prefix('-').map_or((false, text.as_str()), |rest| (true, rest));
            let duration =
                weir_go_compat::time::parse_duration(magnitude).map_err(|error| format!("{path}: {error}"))?;
            let nanos = i64::try_from(duration.as_nanos()).map_err(|_| format!("{path}: duration out of range"))?;
            set(&mut message, "duration", Proto::I64(if negative { -nanos } else { nanos }))?;
        }
        Shape::Text => {
            let text = match json {
                Json::String(text) => text.clone(),
                Json::Number(number) => number.to_string(),
                _ => return Err(mismatch("a quantity")),
            };
            set(&mut message, "string", Proto::String(text))?;
        }
        Shape::IntOrString => match json {
            Json::String(text) => {
                set(&mut message, "type", Proto::I64(1))?;
                set(&mut message, "strVal", Proto::String(text.clone()))?;
            }
            Json::Number(_) => {
                set(&mut message, "type", Proto::I64(0))?;
                set(&mut message, "intVal", Proto::I32(int(json, path)?))?;
            }
            _ => return Err(mismatch("an integer or a string")),
        },
        Shape::RawJson => {
            let raw = descriptor.fields().next().ok_or("a raw message has its field")?;
            let bytes = serde_json::to_vec(json).map_err(|error| format!("{path}: {error}"))?;
            message.set_field(&raw, Proto::Bytes(bytes.into()));
        }
        Shape::List => {
            let items = descriptor.fields().next().ok_or("a list message has its field")?;
            let value = field_from_json(&items, json, path)?;
            message.set_field(&items, value);
        }
        Shape::SchemaOrBool => match json {
            Json::Bool(flag) => set(&mut message, "allows", Proto::Bool(*flag))?,
            _ => schema_from_json(&mut message, json, path)?,
        },
        Shape::SchemaOrArray | Shape::SchemaOrStrings => match json {
            Json::Array(_) => {
                let list = descriptor.fields().find(|field| field.is_list()).ok_or("a union has its list")?;
                let value = field_from_json(&list, json, path)?;
                message.set_field(&list, value);
            }
            _ => schema_from_json(&mut message, json, path)?,
        },
    }
    Ok(message)
}

fn schema_from_json(message: &mut DynamicMessage, json: &Json, path: &str) -> Result<(), String> {
    let schema = known_field(&message.descriptor(), "schema")?;
    let value = field_from_json(&schema, json, path)?;
    message.set_field(&schema, value);
    Ok(())
}

fn field_from_json(field: &FieldDescriptor, json: &Json, path: &str) -> Result<Proto, String> {
    if field.is_map() {
        let Json::Object(object) = json else { return Err(format!("{path}: expected an object, got {json}")) };
        let Kind::Message(entry) = field.kind() else { return Err(format!("{path}: a map without entries")) };
        let value_kind = entry.map_entry_value_field().kind();
        let mut entries = std::collections::HashMap::new();
        for (key, value) in object {
            if !value.is_null() {
                entries.insert(
                    MapKey::String(key.clone()),
                    value_from_json(&value_kind, value, &format!("{path}.{key}"))?,
                );
            }
        }
        Ok(Proto::Map(entries))
    } else if field.is_list() {
        let Json::Array(items) = json else { return Err(format!("{path}: expected a list, got {json}")) };
        let kind = field.kind();
        let items =
            items.iter().enumerate().map(|(index, item)| value_from_json(&kind, item, &format!("{path}[{index}]")));
        Ok(Proto::List(items.collect::<Result<_, _>>()?))
    } else {
        value_from_json(&field.kind(), json, path)
    }
}

fn value_from_json(kind: &Kind, json: &Json, path: &str) -> Result<Proto, String> {
    let mismatch = |expected: &str| format!("{path}: expected {expected}, got {json}");
    Ok(match kind {
        Kind::Message(descriptor) => Proto::Message(from_json(descriptor, json, path)?),
        Kind::Bool => Proto::Bool(json.as_bool().ok_or_else(|| mismatch("a boolean"))?),
        Kind::String => Proto::String(json.as_str().ok_or_else(|| mismatch("a string"))?.to_owned()),
        Kind::Bytes => {
            let text = json.as_str().ok_or_else(|| mismatch("base64 text"))?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| mismatch("base64 text"))?;
            Proto::Bytes(bytes.into())
        }
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Proto::I32(int(json, path)?),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Proto::I64(json.as_i64().ok_or_else(|| mismatch("an integer"))?),
        Kind::Uint32 | Kind::Fixed32 => {
            let number = json.as_u64().and_then(|number| u32::try_from(number).ok());
            Proto::U32(number.ok_or_else(|| mismatch("an unsigned 32-bit integer"))?)
        }
        Kind::Uint64 | Kind::Fixed64 => Proto::U64(json.as_u64().ok_or_else(|| mismatch("an unsigned integer"))?),
        Kind::Double => Proto::F64(json.as_f64().ok_or_else(|| mismatch("a number"))?),
        Kind::Float => Proto::F32(json.as_f64().ok_or_else(|| mismatch("a number"))? as f32),
        Kind::Enum(_) => Proto::EnumNumber(int(json, path)?),
    })
}

fn int(json: &Json, path: &str) -> Result<i32, String> {
    json.as_i64()
        .and_then(|number| i32::try_from(number).ok())
        .ok_or_else(|| format!("{path}: expected a 32-bit integer, got {json}"))
}
