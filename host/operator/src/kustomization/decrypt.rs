//! The decryption step: SOPS-encrypted objects through the decryptor plugin, with the keys of
//! `spec.decryption.secretRef`, in memory only.

use std::collections::BTreeMap;

use kube::ResourceExt;
use serde_json::Value;
use weir_api::kustomize::Kustomization;
use weir_apply::Object;
use weir_plugin_host::decryptor::{DecryptOptions, DocumentFormat, Key};

use super::{Kustomizations, failed};
use crate::conditions::reason;
use crate::reconciler::Failure;
use crate::secrets;

/// The whole document, in the format it came in.
const PLAIN: DecryptOptions = DecryptOptions { output_format: None, extract: Vec::new() };

/// A SOPS-encrypted object carries the `sops` metadata block at its top level.
pub(super) fn is_encrypted(object: &Object) -> bool {
    object.0.get("sops").is_some_and(Value::is_object)
}

/// Decrypts one object through the decryptor plugin, with the keys of `spec.decryption.secretRef`.
pub(super) async fn decrypt(
    kustomization: &Kustomization,
    context: &Kustomizations,
    object: Object,
) -> Result<Object, Failure> {
    let id = object.id();
    let failed = |message: String| failed(reason::DECRYPTION_FAILED, format!("{id}: decryption failed: {message}"));
    let Some(decryption) = &kustomization.spec.decryption else {
        return Err(failed("the object is SOPS-encrypted but spec.decryption is not set".into()));
    };
    let Some(decryptor) = &context.plugins.decryptor else {
        return Err(failed("no decryptor plugin is installed".into()));
    };
    let namespace = kustomization.namespace().unwrap_or_default();
    let mut keys = Vec::new();
    if let Some(secret) = &decryption.secret_ref {
        let data = secrets::secret_data(&context.client, &namespace, &secret.name)
            .await
            .map_err(|error| failed(format!("reading the keys of Secret '{namespace}/{}': {error}", secret.name)))?;
        keys = decryption_keys(&data);
    }
    // Built manifests are re-serialised by kustomize, so Flux decrypts them as JSON: the MAC covers values, not layout.
    let document = serde_json::to_vec(&object.0).map_err(|error| failed(error.to_string()))?;
    let plaintext = match decryptor.decrypt(&namespace, &document, DocumentFormat::Json, &keys, &PLAIN).await {
        Ok(Ok(plaintext)) => plaintext,
        Ok(Err(error)) => return Err(failed(error.message)),
        Err(error) => return Err(failed(format!("decryptor plugin failed: {error}"))),
    };
    let value: Value = serde_json::from_slice(&plaintext).map_err(|error| failed(error.to_string()))?;
    Object::new(value).map_err(failed)
}

/// Flux's decryption Secret: `*.agekey` entries hold age identities (one per line), `*.asc` armored PGP keys.
pub(super) fn decryption_keys(data: &BTreeMap<String, Vec<u8>>) -> Vec<Key> {
    let mut keys = Vec::new();
    for (name, value) in data {
        let text = String::from_utf8_lossy(value);
        if name.ends_with(".agekey") {
            keys.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| line.starts_with("AGE-SECRET-KEY-"))
                    .map(|line| Key::AgeIdentity(line.to_owned())),
            );
        } else if name.ends_with(".asc") {
            keys.push(Key::PgpSecretKey(text.into_owned()));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decryption_keys_from_a_flux_secret() {
        let data = BTreeMap::from([
            ("age.agekey".to_owned(), b"# created: now\nAGE-SECRET-KEY-1ABC\n".to_vec()),
            ("pgp.asc".to_owned(), b"-----BEGIN PGP PRIVATE KEY BLOCK-----".to_vec()),
            ("other".to_owned(), b"x".to_vec()),
        ]);
        let keys = decryption_keys(&data);
        assert_eq!(keys.len(), 2);
        assert!(matches!(&keys[0], Key::AgeIdentity(key) if key == "AGE-SECRET-KEY-1ABC"));
    }
}
