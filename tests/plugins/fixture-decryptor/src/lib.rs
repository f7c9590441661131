//! "Decrypts" by XOR with the first data key: no cryptography, only the
//! world's plumbing. It does not encrypt: the `encryptor` world is not registered.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::decryptor::{DecryptOptions, Key};
use weir_plugin_sdk::types::{DocumentFormat, Error, ErrorCode};

struct Fixture;

impl Plugin for Fixture {
    fn decrypt(
        document: Vec<u8>,
        _format: DocumentFormat,
        keys: Vec<Key>,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, Error> {
        if !options.extract.is_empty() || options.output_format.is_some() {
            return Err(Error::new(ErrorCode::Unsupported, "this decryptor does not convert or extract"));
        }
        let key = keys
            .into_iter()
            .find_map(|key| match key {
                Key::DataKey(bytes) if !bytes.is_empty() => Some(bytes),
                _ => None,
            })
            .ok_or_else(|| Error::new(ErrorCode::NoMatchingKey, "no data key given"))?;
        Ok(document.iter().zip(key.iter().cycle()).map(|(byte, key)| byte ^ key).collect())
    }
}

weir_plugin_sdk::register_plugin!(Fixture: decryptor);
