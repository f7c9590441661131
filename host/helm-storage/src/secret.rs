//! A release as Helm's Secret driver keeps it (`pkg/storage/driver`
//! `secrets.go` and `util.go`): one Secret per revision, named
//! `sh.helm.release.v1.<name>.v<version>`, of type `helm.sh/release.v1`,
//! whose `release` key holds base64(gzip(JSON)) — and since a Secret's data
//! is base64 on the wire too, the JSON is base64'd twice there.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;

use crate::release::Release;

/// The Secret's `type`; Helm bumps it only if the record's format breaks.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The data key holding the encoded release.
pub const DATA_KEY: &str = "release";
/// The value of the `owner` label on every Helm release Secret.
pub const OWNER: &str = "helm";
/// The labels Helm's driver sets itself; a release's own labels are the rest.
pub const SYSTEM_LABELS: [&str; 6] = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];
/// The first bytes of a gzip stream (magic, then deflate); records without
/// them predate compression and are plain JSON.
pub const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// The storage key and Secret name of a revision: `sh.helm.release.v1.<name>.v<version>`.
pub fn secret_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// Which write the Secret is for, and when (Unix seconds): Helm labels a
/// created Secret `createdAt` and an updated one `modifiedAt` (an update
/// replaces the labels, so it drops `createdAt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    CreatedAt(i64),
    ModifiedAt(i64),
}

/// Why the record inside a Secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("release data is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("release data starts as gzip but does not decompress: {0}")]
    Gzip(#[source] std::io::Error),
    #[error("release JSON does not match Helm's release record: {0}")]
    Json(#[from] serde_json::Error),
}

/// Why a release could not become a Secret, or a Secret a release.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("Secret {secret} has no \"release\" data")]
    MissingData { secret: String },
    #[error("Secret {secret}: {source}")]
    Decode { secret: String, source: DecodeError },
    #[error("release {release} v{version}: label {label:?} is one Helm sets itself")]
    SystemLabel { release: String, version: i64, label: String },
    #[error("release {release} v{version}: cannot encode: {source}")]
    Encode { release: String, version: i64, source: std::io::Error },
}

/// The `release` value: base64 of the gzip'd (best compression, as Helm) JSON.
pub fn encode_release(release: &Release) -> std::io::Result<String> {
    let json = serde_json::to_vec(release)?;
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(&json)?;
    Ok(STANDARD.encode(gzip.finish()?))
}

/// Reads a `release` value: base64, then gunzip when it starts with the gzip
/// magic (Helm's own test, so old uncompressed records still read), then JSON.
/// The record's labels are not in it; see [`from_secret`].
pub fn decode_release(data: &[u8]) -> Result<Release, DecodeError> {
    let bytes = STANDARD.decode(data)?;
    // Helm requires more than the three magic bytes before it gunzips.
    let json = if bytes.len() > GZIP_MAGIC.len() && bytes.starts_with(&GZIP_MAGIC) {
        let mut json = Vec::new();
        GzDecoder::new(bytes.as_slice()).read_to_end(&mut json).map_err(DecodeError::Gzip)?;
        json
    } else {
        bytes
    };
    Ok(serde_json::from_slice(&json)?)
}

/// The Secret Helm's driver would write for `release`: name, type, the
/// `release` data, the release's own labels and then Helm's (`name`,
/// `owner=helm`, `status`, `version`, and `createdAt` or `modifiedAt`).
/// No namespace: the store puts it in its own.
pub fn to_secret(release: &Release, stamp: Stamp) -> Result<Secret, CodecError> {
    if let Some(label) = release.labels.keys().find(|key| SYSTEM_LABELS.contains(&key.as_str())) {
        // Helm's commands refuse these too; its driver would let them clash with its own.
        return Err(CodecError::SystemLabel {
            release: release.name.clone(),
            version: release.version,
            label: label.clone(),
        });
    }
    let data = encode_release(release).map_err(|source| CodecError::Encode {
        release: release.name.clone(),
        version: release.version,
        source,
    })?;
    let mut labels = release.labels.clone();
    let (stamp_label, at) = match stamp {
        Stamp::CreatedAt(at) => ("createdAt", at),
        Stamp::ModifiedAt(at) => ("modifiedAt", at),
    };
    labels.insert(stamp_label.into(), at.to_string());
    labels.insert("name".into(), release.name.clone());
    labels.insert("owner".into(), OWNER.into());
    labels.insert("status".into(), release.info.status.to_string());
    labels.insert("version".into(), release.version.to_string());
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(secret_name(&release.name, release.version)),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        type_: Some(SECRET_TYPE.into()),
        data: Some(BTreeMap::from([(DATA_KEY.into(), ByteString(data.into_bytes()))])),
        ..Secret::default()
    })
}

/// The release a Secret holds, with the Secret's labels other than Helm's
/// own as its labels (as Helm's `Get` does).
pub fn from_secret(secret: &Secret) -> Result<Release, CodecError> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    let data = secret.data.as_ref().and_then(|data| data.get(DATA_KEY));
    let data = data.ok_or_else(|| CodecError::MissingData { secret: name.clone() })?;
    let mut release = decode_release(&data.0).map_err(|source| CodecError::Decode { secret: name, source })?;
    release.labels = secret
        .metadata
        .labels
        .iter()
        .flatten()
        .filter(|(key, _)| !SYSTEM_LABELS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Ok(release)
}
