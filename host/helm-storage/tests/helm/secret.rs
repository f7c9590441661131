//! The Secret encoding of Helm's driver, layer by layer, and what bad
//! Secrets give.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;
use serde_json::Value;
use weir_helm_storage::{
    CodecError, DecodeError, GZIP_MAGIC, Release, Stamp, decode_release, encode_release, from_secret, to_secret,
};

use crate::records::helm3_record;

fn sample() -> Release {
    let mut release: Release = serde_json::from_value(helm3_record()).unwrap();
    release.labels = BTreeMap::from([("team".into(), "storefront".into())]);
    release
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn a_release_becomes_the_secret_helms_driver_writes() {
    let release = sample();
    let secret = to_secret(&release, Stamp::CreatedAt(1_700_000_000)).unwrap();
    assert_eq!(secret.metadata.name.as_deref(), Some("sh.helm.release.v1.web.v2"));
    assert_eq!((secret.metadata.namespace.as_deref(), secret.type_.as_deref()), (None, Some("helm.sh/release.v1")));
    let labels: BTreeMap<String, String> = [
        ("createdAt", "1700000000"),
        ("name", "web"),
        ("owner", "helm"),
        ("status", "deployed"),
        ("team", "storefront"),
        ("version", "2"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    assert_eq!(secret.metadata.labels.as_ref(), Some(&labels));
    let data = secret.data.as_ref().unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), ["release"]);

    // Layer one: the data value is base64 text…
    let text = std::str::from_utf8(&data["release"].0).unwrap();
    let gzipped = STANDARD.decode(text).unwrap();
    // …of gzip at best compression (XFL 2, as Go's gzip.BestCompression writes)…
    assert_eq!((&gzipped[..3], gzipped[8]), (&GZIP_MAGIC[..], 2));
    // …of the release JSON.
    let json: Value = serde_json::from_slice(&gunzip(&gzipped)).unwrap();
    assert_eq!(json, helm3_record());
    assert_eq!(text, encode_release(&release).unwrap());
    // Layer two: on the wire a Secret's data is base64 again, so the JSON carries base64 of that text.
    let wire = serde_json::to_value(&secret).unwrap();
    assert_eq!(STANDARD.decode(wire["data"]["release"].as_str().unwrap()).unwrap(), text.as_bytes());

    // Reading it back gives the release, labels and all, without Helm's own.
    assert_eq!(from_secret(&secret).unwrap(), release);
    let modified = to_secret(&release, Stamp::ModifiedAt(1_700_000_100)).unwrap();
    let labels = modified.metadata.labels.unwrap();
    assert_eq!((labels.get("modifiedAt").map(String::as_str), labels.get("createdAt")), (Some("1700000100"), None));
}

#[test]
fn encoding_is_base64_of_gzip_of_the_json() {
    let release = sample();
    let encoded = encode_release(&release).unwrap();
    let json: Value = serde_json::from_slice(&gunzip(&STANDARD.decode(&encoded).unwrap())).unwrap();
    assert_eq!(json, serde_json::to_value(&release).unwrap());
    assert_eq!(decode_release(encoded.as_bytes()).unwrap(), Release { labels: BTreeMap::new(), ..release });
}

#[test]
fn labels_helm_sets_itself_are_refused_and_filtered_out() {
    let mut release = sample();
    release.labels.insert("status".into(), "fine".into());
    let error = to_secret(&release, Stamp::CreatedAt(0)).unwrap_err();
    assert!(matches!(&error, CodecError::SystemLabel { label, .. } if label == "status"), "{error:?}");
    assert_eq!(error.to_string(), "release web v2: label \"status\" is one Helm sets itself");

    let mut secret = to_secret(&sample(), Stamp::CreatedAt(0)).unwrap();
    secret.metadata.labels.as_mut().unwrap().insert("modifiedAt".into(), "5".into());
    assert_eq!(from_secret(&secret).unwrap().labels, sample().labels);
}

/// A Secret named for web v1 whose `release` data is `data`.
fn secret_with(data: &[u8]) -> Secret {
    Secret {
        metadata: ObjectMeta { name: Some("sh.helm.release.v1.web.v1".into()), ..ObjectMeta::default() },
        data: Some(BTreeMap::from([("release".into(), ByteString(data.to_vec()))])),
        ..Secret::default()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn records_from_before_compression_read_as_plain_json() {
    let json = serde_json::to_vec(&helm3_record()).unwrap();
    let release = from_secret(&secret_with(STANDARD.encode(&json).as_bytes())).unwrap();
    assert_eq!(serde_json::to_value(&release).unwrap(), helm3_record());
}

#[test]
fn bad_secrets_fail_naming_the_secret() {
    let decode_error = |data: &[u8]| match from_secret(&secret_with(data)) {
        Err(error @ CodecError::Decode { .. }) => {
            assert!(error.to_string().starts_with("Secret sh.helm.release.v1.web.v1: "), "{error}");
            let CodecError::Decode { source, .. } = error else { unreachable!() };
            source
        }
        other => panic!("{other:?}"),
    };
    assert!(matches!(decode_error(b"not base64!"), DecodeError::Base64(_)));
    // Gzip's magic, then garbage.
    let mut broken = GZIP_MAGIC.to_vec();
    broken.extend(b"garbage that does not inflate");
    assert!(matches!(decode_error(STANDARD.encode(&broken).as_bytes()), DecodeError::Gzip(_)));
    // A stream cut short.
    let truncated = gzip(&serde_json::to_vec(&helm3_record()).unwrap());
    let truncated = &truncated[..truncated.len() / 2];
    assert!(matches!(decode_error(STANDARD.encode(truncated).as_bytes()), DecodeError::Gzip(_)));
    // Only the three magic bytes: Helm does not take that for gzip, so it is (bad) JSON.
    assert!(matches!(decode_error(STANDARD.encode(GZIP_MAGIC).as_bytes()), DecodeError::Json(_)));
    for json in
        [&b"{not json"[..], b"\"a string\"", br#"{"version": "two"}"#, br#"{"info": {"first_deployed": "yesterday"}}"#]
    {
        assert!(matches!(decode_error(STANDARD.encode(gzip(json)).as_bytes()), DecodeError::Json(_)), "{json:?}");
    }
    // No data at all.
    let mut empty = secret_with(b"");
    empty.data = None;
    let error = from_secret(&empty).unwrap_err();
    assert!(matches!(&error, CodecError::MissingData { secret } if secret == "sh.helm.release.v1.web.v1"), "{error:?}");
    assert_eq!(error.to_string(), "Secret sh.helm.release.v1.web.v1 has no \"release\" data");
}
