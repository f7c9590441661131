//! Data key recovery and wrapping with age X25519 keys.

use std::io::{Read, Write};
use std::str::FromStr;

use age::armor::{ArmoredReader, ArmoredWriter, Format as ArmorFormat};

use crate::Key;
use crate::error::SopsError;
use aes_gcm::aead::OsRng;
use pgp::composed::{ArmorOptions, Deserializable, Message, MessageBuilder, SignedPublicKey, SignedSecretKey};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::types::{KeyDetails, Password};

use crate::metadata::{AgeStanza, KeyGroup, Metadata, PgpStanza};
use crate::shamir;

/// Finds the data key. With one key group, any given identity that opens any
/// of its age stanzas works; with several, each group holds a Shamir share of
/// the key and at least `shamir_threshold` groups must be opened.
pub fn recover_data_key(meta: &Metadata, keys: &[Key]) -> Result<[u8; 32], SopsError> {
    // Data keys handed in directly: the one whose GCM tag on the stored MAC
    // verifies belongs to this document.
    let aad = meta.lastmodified_aad();
    for (n, k) in keys.iter().enumerate() {
        if let Key::DataKey(bytes) = k {
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| SopsError::InvalidKey(format!("key #{n}: a data key must be 32 bytes")))?;
            if crate::cipher::decrypt_value(&meta.mac, &crate::cipher::Cipher::new(&key), &aad).is_ok() {
                return Ok(key);
            }
        }
    }
    let top;
    let groups: &[KeyGroup] = if meta.key_groups.is_empty() {
        top = [KeyGroup { age: meta.age.clone(), pgp: meta.pgp.clone(), other: meta.other_top.clone() }];
        &top
    } else {
        &meta.key_groups
    };
    if groups.iter().all(|g| g.age.is_empty() && g.pgp.is_empty()) {
        let mut other: Vec<&str> = groups.iter().flat_map(|g| g.other.iter().map(String::as_str)).collect();
        other.sort_unstable();
        other.dedup();
        return Err(if other.is_empty() {
            SopsError::InvalidDocument("sops metadata has no master keys".into())
        } else {
            SopsError::Unsupported(format!(
                "the data key is wrapped only for {} keys, which are not implemented",
                other.join(", ")
            ))
        });
    }
    let mut identities = Vec::new();
    let mut pgp_keys = Vec::new();
    for (n, k) in keys.iter().enumerate() {
        match k {
            Key::AgeIdentity(s) => {
                let id = age::x25519::Identity::from_str(s.trim())
                    .map_err(|_| SopsError::InvalidKey(format!("key #{n} is not a valid age X25519 identity")))?;
                identities.push(id);
            }
            Key::PgpSecretKey(s) => {
                let (key, _) = SignedSecretKey::from_string(s).map_err(|_| {
                    SopsError::InvalidKey(format!("key #{n} is not an ASCII-armoured OpenPGP secret key"))
                })?;
                pgp_keys.push(key);
            }
            Key::DataKey(_) => {}
        }
    }
    let recipients: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.age.iter().map(|s| s.recipient.as_str()).chain(g.pgp.iter().map(|s| s.fp.as_str())))
        .collect();
    if identities.is_empty() && pgp_keys.is_empty() {
        return Err(SopsError::NoMatchingKey(format!(
            "no age identity or PGP key was given (nor a matching data key); the document is encrypted for {}",
            recipients.join(", ")
        )));
    }
    let keyring = Keyring { age: identities, pgp: pgp_keys };
    if groups.len() == 1 {
        let key = open_group(&groups[0], &keyring).ok_or_else(|| {
            SopsError::NoMatchingKey(format!(
                "none of the {} given keys opens the data key (recipients: {})",
                keyring.age.len() + keyring.pgp.len(),
                recipients.join(", ")
            ))
        })?;
        return key
            .try_into()
            .map_err(|_| SopsError::InvalidDocument("the age-wrapped data key is not 32 bytes".into()));
    }
    let parts: Vec<Vec<u8>> = groups.iter().filter_map(|g| open_group(g, &keyring)).collect();
    let needed = meta.shamir_threshold.max(2);
    if parts.len() < needed {
        return Err(SopsError::NoMatchingKey(format!(
            "the given keys open {} of {} key groups; {needed} are needed (recipients: {})",
            parts.len(),
            groups.len(),
            recipients.join(", ")
        )));
    }
    let key = shamir::combine(&parts)
        .map_err(|m| SopsError::InvalidDocument(format!("cannot combine the Shamir shares of the data key: {m}")))?;
    key.try_into().map_err(|_| SopsError::InvalidDocument("the Shamir-combined data key is not 32 bytes".into()))
}

struct Keyring {
    age: Vec<age::x25519::Identity>,
    pgp: Vec<SignedSecretKey>,
}

/// The plaintext of the first stanza a given key opens: age first, then PGP,
/// in sops' default decryption order.
fn open_group(group: &KeyGroup, keys: &Keyring) -> Option<Vec<u8>> {
    if !keys.age.is_empty() {
        for stanza in &group.age {
            let Ok(dec) = age::Decryptor::new(ArmoredReader::new(stanza.enc.as_bytes())) else { continue };
            let Ok(mut reader) = dec.decrypt(keys.age.iter().map(|i| i as &dyn age::Identity)) else { continue };
            let mut key = Vec::new();
            if reader.read_to_end(&mut key).is_ok() {
                return Some(key);
            }
        }
    }
    for stanza in &group.pgp {
        for key in &keys.pgp {
            if let Some(plain) = open_pgp(&stanza.enc, key) {
                return Some(plain);
            }
        }
    }
    None
}

fn open_pgp(enc: &str, key: &SignedSecretKey) -> Option<Vec<u8>> {
    let (msg, _) = Message::from_string(enc).ok()?;
    let mut msg = msg.decrypt(&Password::empty(), key).ok()?;
    if msg.is_compressed() {
        msg = msg.decompress().ok()?;
    }
    msg.as_data_vec().ok()
}

/// Encrypts the data key to each recipient separately, as sops does.
pub fn wrap_data_key(key: &[u8; 32], recipients: &[String]) -> Result<Vec<AgeStanza>, SopsError> {
    wrap_bytes(key, recipients)
}

fn wrap_bytes(key: &[u8], recipients: &[String]) -> Result<Vec<AgeStanza>, SopsError> {
    let mut out = Vec::new();
    for r in recipients {
        let r = r.trim();
        let rec = age::x25519::Recipient::from_str(r)
            .map_err(|e| SopsError::InvalidKey(format!("age recipient `{r}` is not valid: {e}")))?;
        let io_err = |e: std::io::Error| SopsError::InvalidKey(format!("age encryption to `{r}` failed: {e}"));
        let enc = age::Encryptor::with_recipients(std::iter::once(&rec as &dyn age::Recipient))
            .map_err(|e| SopsError::InvalidKey(format!("age encryption to `{r}` failed: {e}")))?;
        let armor = ArmoredWriter::wrap_output(Vec::new(), ArmorFormat::AsciiArmor).map_err(io_err)?;
        let mut w = enc.wrap_output(armor).map_err(io_err)?;
        w.write_all(key).map_err(io_err)?;
        let bytes = w.finish().and_then(|a| a.finish()).map_err(io_err)?;
        let mut text = String::from_utf8(bytes).map_err(|_| SopsError::InvalidKey("age armour is not UTF-8".into()))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        out.push(AgeStanza { recipient: r.to_string(), enc: text });
    }
    Ok(out)
}

/// Encrypts the data key to each OpenPGP public key separately (to its first
/// encryption-capable subkey), as sops does.
pub fn wrap_data_key_pgp(
    key: &[u8; 32],
    public_keys: &[String],
    created_at: &str,
) -> Result<Vec<PgpStanza>, SopsError> {
    wrap_bytes_pgp(key, public_keys, created_at)
}

fn wrap_bytes_pgp(key: &[u8], public_keys: &[String], created_at: &str) -> Result<Vec<PgpStanza>, SopsError> {
    let mut out = Vec::new();
    for (n, armored) in public_keys.iter().enumerate() {
        let (cert, _) = SignedPublicKey::from_string(armored)
            .map_err(|_| SopsError::InvalidKey(format!("PGP key #{n} is not an ASCII-armoured OpenPGP public key")))?;
        let fp = format!("{:X}", cert.fingerprint());
        let sub = cert
            .public_subkeys
            .iter()
            .find(|s| s.algorithm().can_encrypt())
            .ok_or_else(|| SopsError::InvalidKey(format!("PGP key {fp} has no encryption subkey")))?;
        let fail = |e: pgp::errors::Error| SopsError::InvalidKey(format!("PGP encryption to {fp} failed: {e}"));
        let mut builder = MessageBuilder::from_bytes("", key.to_vec()).seipd_v1(OsRng, SymmetricKeyAlgorithm::AES256);
        builder.encrypt_to_key(OsRng, &sub).map_err(fail)?;
        let enc = builder.to_armored_string(OsRng, ArmorOptions::default()).map_err(fail)?;
        out.push(PgpStanza { created_at: created_at.to_string(), fp, enc });
    }
    Ok(out)
}

/// Wraps the data key for every recipient of `options`, filling the
/// metadata's stanzas: top-level ones for one key group, otherwise one Shamir
/// share of the data key per group.
pub fn wrap_for_encryption(
    meta: &mut Metadata,
    data_key: &[u8; 32],
    options: &crate::EncryptOptions,
) -> Result<(), SopsError> {
    let top = [crate::RecipientGroup {
        age_recipients: options.age_recipients.clone(),
        pgp_public_keys: options.pgp_public_keys.clone(),
    }];
    let groups: &[crate::RecipientGroup] = if options.key_groups.is_empty() { &top } else { &options.key_groups };
    if groups.iter().any(|g| g.age_recipients.is_empty() && g.pgp_public_keys.is_empty()) {
        return Err(SopsError::InvalidKey(
            "at least one age recipient or PGP public key is required (in every key group)".into(),
        ));
    }
    if let [group] = groups {
        meta.age = wrap_data_key(data_key, &group.age_recipients)?;
        meta.pgp = wrap_data_key_pgp(data_key, &group.pgp_public_keys, &meta.lastmodified)?;
        return Ok(());
    }
    let threshold = if options.shamir_threshold == 0 { groups.len() } else { options.shamir_threshold };
    let mut random = |buf: &mut [u8]| aes_gcm::aead::rand_core::RngCore::fill_bytes(&mut OsRng, buf);
    let shares = shamir::split(data_key, groups.len(), threshold, &mut random).map_err(SopsError::InvalidKey)?;
    for (group, share) in groups.iter().zip(shares) {
        meta.key_groups.push(KeyGroup {
            age: wrap_bytes(&share, &group.age_recipients)?,
            pgp: wrap_bytes_pgp(&share, &group.pgp_public_keys, &meta.lastmodified)?,
            other: Vec::new(),
        });
    }
    meta.shamir_threshold = threshold;
    Ok(())
}
