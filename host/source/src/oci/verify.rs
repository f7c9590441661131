//! Cosign signatures checked with public keys, as source-controller checks an OCIRepository's
//! artifact when `spec.verify.provider` is `cosign` and a Secret holds the keys.
//!
//! Cosign keeps the signatures of the manifest `sha256:<hex>` as the image tagged
//! `sha256-<hex>.sig` in the same repository: each layer is a simple-signing payload (JSON
//! naming the signed manifest digest) and carries its signature, base64, in the annotation
//! `dev.cosignproject.cosign/signature`. A signature counts when one trusted key verifies it
//! over the payload (ECDSA and RSA PKCS#1 v1.5 with SHA-256, or Ed25519, as cosign's
//! `LoadVerifier(key, SHA256)`) and the payload names the artifact's digest. As Flux with a
//! public key, the transparency log is not consulted. Keyless signatures (Fulcio certificates,
//! Rekor) need the public Sigstore services and are refused here, not faked.

use std::collections::BTreeMap;

use base64::Engine as _;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use sha2::{Digest as _, Sha256};
use weir_registry::{Reference, RegistryClient, RegistryError};

const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// Payloads are small JSON documents; anything bigger is not one.
const PAYLOAD_LIMIT: u64 = 1 << 20;

/// Why an artifact's signature was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A key in the Secret that is not a public key cosign could have made.
    #[error("'{key}' in secret '{secret}' is not a PEM public key (ECDSA P-256 or P-384, Ed25519, RSA): {message}")]
    InvalidKey { secret: String, key: String, message: String },
    #[error("no public keys ('*.pub') found in secret '{0}'")]
    NoKeys(String),
    #[error("no matching signatures were found for '{0}'")]
    NoMatchingSignature(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// A trusted public key.
enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::pkcs1v15::VerifyingKey<Sha256>),
}

impl PublicKey {
    fn from_pem(pem: &str) -> Result<Self, String> {
        use p256::pkcs8::DecodePublicKey;
        if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            return Ok(PublicKey::P256(key));
        }
        if let Ok(key) = p384::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            return Ok(PublicKey::P384(key));
        }
        if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(PublicKey::Ed25519(key));
        }
        rsa::RsaPublicKey::from_public_key_pem(pem)
            .map(|key| PublicKey::Rsa(rsa::pkcs1v15::VerifyingKey::new(key)))
            .map_err(|error| error.to_string())
    }

    fn verifies(&self, payload: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::P256(key) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|signature| key.verify(payload, &signature).is_ok()),
            // cosign hashes with SHA-256 whatever the curve.
            PublicKey::P384(key) => p384::ecdsa::Signature::from_der(signature)
                .is_ok_and(|signature| key.verify_prehash(&Sha256::digest(payload), &signature).is_ok()),
            PublicKey::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(payload, &signature).is_ok()),
            PublicKey::Rsa(key) => rsa::pkcs1v15::Signature::try_from(signature)
                .is_ok_and(|signature| key.verify(payload, &signature).is_ok()),
        }
    }
}

/// The keys of a verification Secret: every entry whose name ends in `.pub`.
pub struct TrustedKeys {
    keys: Vec<PublicKey>,
}

impl TrustedKeys {
    /// `secret` names the Secret (`namespace/name`) in errors.
    pub fn from_secret_data(secret: &str, data: &BTreeMap<String, Vec<u8>>) -> Result<Self, VerifyError> {
        let mut keys = Vec::new();
        for (key, value) in data.iter().filter(|(key, _)| key.ends_with(".pub")) {
            let invalid =
                |message: String| VerifyError::InvalidKey { secret: secret.into(), key: key.clone(), message };
            let pem = std::str::from_utf8(value).map_err(|error| invalid(error.to_string()))?;
            keys.push(PublicKey::from_pem(pem).map_err(invalid)?);
        }
        if keys.is_empty() {
            return Err(VerifyError::NoKeys(secret.into()));
        }
        Ok(TrustedKeys { keys })
    }
}

/// Checks that `artifact` (a reference with its manifest digest) has a cosign signature one of
/// `keys` made over a payload naming that digest.
pub fn verify(client: &RegistryClient, artifact: &Reference, keys: &TrustedKeys) -> Result<(), VerifyError> {
    let no_match =
        || VerifyError::NoMatchingSignature(format!("{}@{}", artifact.repository_name(), digest_of(artifact)));
    let digest = digest_of(artifact);
    let Some(hex) = digest.strip_prefix("sha256:") else { return Err(no_match()) };
    let signatures = artifact.with_tag(&format!("sha256-{hex}.sig"));
    let manifest = match client.manifest(&Reference { digest: None, ..signatures }) {
        Ok(manifest) => manifest,
        Err(RegistryError::NotFound { .. }) => return Err(no_match()),
        Err(error) => return Err(error.into()),
    };
    let manifest = manifest.image_manifest().map_err(|_| no_match())?;
    for layer in manifest.layers().iter().filter(|layer| layer.media_type().to_string() == SIMPLE_SIGNING_MEDIA_TYPE) {
        let Some(signature) =
            layer.annotations().as_ref().and_then(|annotations| annotations.get(SIGNATURE_ANNOTATION))
        else {
            continue;
        };
        let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { continue };
        let payload = client.blob_bytes(artifact, layer.digest().as_ref(), PAYLOAD_LIMIT)?;
        let signed_by_us = keys.keys.iter().any(|key| key.verifies(&payload, &signature));
        if signed_by_us && signed_digest(&payload).as_deref() == Some(digest) {
            return Ok(());
        }
    }
    Err(no_match())
}

fn digest_of(reference: &Reference) -> &str {
    reference.digest.as_deref().unwrap_or_default()
}

/// The manifest digest a simple-signing payload names.
fn signed_digest(payload: &[u8]) -> Option<String> {
    let payload: serde_json::Value = serde_json::from_slice(payload).ok()?;
    payload.pointer("/critical/image/docker-manifest-digest")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_without_usable_keys_are_named() {
        let data = BTreeMap::from([("README".to_owned(), b"not a key".to_vec())]);
        let error = TrustedKeys::from_secret_data("default/keys", &data).err().unwrap();
        assert_eq!(error.to_string(), "no public keys ('*.pub') found in secret 'default/keys'");
        let data = BTreeMap::from([(
            "cosign.pub".to_owned(),
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
        )]);
        let error = TrustedKeys::from_secret_data("default/keys", &data).err().unwrap().to_string();
        assert!(error.starts_with("'cosign.pub' in secret 'default/keys' is not a PEM public key"), "{error}");
    }

    #[test]
    fn the_payload_names_the_signed_digest() {
        let payload = br#"{"critical":{"identity":{"docker-reference":"r/a"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#;
        assert_eq!(signed_digest(payload).as_deref(), Some("sha256:ab"));
        assert_eq!(signed_digest(b"{}"), None);
    }
}
