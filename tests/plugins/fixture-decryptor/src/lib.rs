//! "Decrypts" by XOR with the first data key: no cryptography, only the
//! world's plumbing. `encrypt` is left to the SDK's default.

use weir_plugin_sdk::decryptor::{CryptError, Decryptor, DocumentFormat, Key};
use weir_plugin_sdk::types::ErrorDetail;

struct Fixture;

impl Decryptor for Fixture {
    fn decrypt(document: Vec<u8>, _format: DocumentFormat, keys: Vec<Key>) -> Result<Vec<u8>, CryptError> {
        let key = keys
            .into_iter()
            .find_map(|key| match key {
                Key::DataKey(bytes) if !bytes.is_empty() => Some(bytes),
                _ => None,
            })
            .ok_or_else(|| CryptError::NoMatchingKey(ErrorDetail::new("no data key given")))?;
        Ok(document.iter().zip(key.iter().cycle()).map(|(byte, key)| byte ^ key).collect())
    }
}

weir_plugin_sdk::export_decryptor!(Fixture);
