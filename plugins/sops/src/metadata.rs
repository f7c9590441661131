//! The `sops` metadata block: key stanzas, MAC, last-modified time, encryption rules.

use crate::error::SopsError;
use crate::tree::{Item, Rule, Value};
use crate::{EncryptOptions, SOPS_VERSION};

/// One age stanza: a recipient and the data key encrypted to it (armoured age file).
#[derive(Debug, Clone, PartialEq)]
pub struct AgeStanza {
    pub recipient: String,
    pub enc: String,
}

/// One PGP stanza: a key fingerprint and the data key encrypted to it (armoured PGP message).
#[derive(Debug, Clone, PartialEq)]
pub struct PgpStanza {
    pub created_at: String,
    pub fp: String,
    pub enc: String,
}

/// The key material of one key group.
#[derive(Debug, Clone, Default)]
pub struct KeyGroup {
    pub age: Vec<AgeStanza>,
    pub pgp: Vec<PgpStanza>,
    /// Other master-key kinds present (`pgp`, `kms`, …), which this crate cannot use.
    pub other: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub age: Vec<AgeStanza>,
    pub pgp: Vec<PgpStanza>,
    pub other_top: Vec<String>,
    pub key_groups: Vec<KeyGroup>,
    pub shamir_threshold: usize,
    pub lastmodified: String,
    pub mac: String,
    pub unencrypted_suffix: Option<String>,
    pub encrypted_suffix: Option<String>,
    pub unencrypted_regex: Option<String>,
    pub encrypted_regex: Option<String>,
    pub mac_only_encrypted: bool,
    pub version: String,
}

const OTHER_KINDS: [&str; 4] = ["kms", "gcp_kms", "azure_kv", "hc_vault"];

fn get<'a>(items: &'a [Item], name: &str) -> Option<&'a Value> {
    items.iter().rev().find_map(|i| match i {
        Item::Entry(k, v) if k == name => Some(v),
        _ => None,
    })
}

fn bad(field: &str, what: &str) -> SopsError {
    SopsError::InvalidDocument(format!("sops metadata: `{field}` {what}"))
}

fn opt_str(items: &[Item], name: &str) -> Result<Option<String>, SopsError> {
    match get(items, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) if s.is_empty() => Ok(None),
        Some(Value::Str(s) | Value::Time(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(name, "is not a string")),
    }
}

fn nonempty_list(items: &[Item], name: &str) -> bool {
    matches!(get(items, name), Some(Value::List(l)) if !l.is_empty())
}

/// The entries of the recipient list `key` (`age`, `pgp`), each read by `entry`.
fn stanzas<T>(
    items: &[Item],
    key: &str,
    field: &str,
    entry: impl Fn(&[Item]) -> Result<T, SopsError>,
) -> Result<Vec<T>, SopsError> {
    let list = match get(items, key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::List(l)) => l,
        Some(_) => return Err(bad(field, "is not a list")),
    };
    list.iter()
        .map(|e| {
            let Value::Map(m) = e else { return Err(bad(field, "has an entry that is not an object")) };
            entry(m)
        })
        .collect()
}

fn age_list(items: &[Item], field: &str) -> Result<Vec<AgeStanza>, SopsError> {
    stanzas(items, "age", field, |m| {
        Ok(AgeStanza {
            recipient: opt_str(m, "recipient")?.unwrap_or_default(),
            enc: opt_str(m, "enc")?.ok_or_else(|| bad(field, "has an entry without `enc`"))?,
        })
    })
}

fn pgp_list(items: &[Item], field: &str) -> Result<Vec<PgpStanza>, SopsError> {
    stanzas(items, "pgp", field, |m| {
        Ok(PgpStanza {
            created_at: opt_str(m, "created_at")?.unwrap_or_default(),
            fp: opt_str(m, "fp")?.unwrap_or_default(),
            enc: opt_str(m, "enc")?.ok_or_else(|| bad(field, "has an entry without `enc`"))?,
        })
    })
}

/// Normalises an RFC 3339 time as Go's `time.Time.Format(time.RFC3339)` prints
/// it after parsing: whole seconds, `Z` for a zero offset.
fn normalise_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let zone = match rest {
        "Z" => "Z".to_string(),
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && z.as_bytes()[3] == b':' => {
            let zb = z.as_bytes();
            if !(zb[1..3].iter().all(u8::is_ascii_digit) && zb[4..6].iter().all(u8::is_ascii_digit)) {
                return None;
            }
            if &z[1..] == "00:00" { "Z".to_string() } else { z.to_string() }
        }
        _ => return None,
    };
    Some(format!("{}{}", &s[..19], zone))
}

impl Metadata {
    pub fn from_value(v: &Value) -> Result<Metadata, SopsError> {
        let Value::Map(m) = v else {
            return Err(SopsError::InvalidDocument("sops metadata is not an object".into()));
        };
        let version = match get(m, "version") {
            Some(Value::Str(s)) => s.clone(),
            Some(Value::Float(_) | Value::Int(_)) => {
                return Err(SopsError::Unsupported("sops metadata `version` is a number (sops 1.x file)".into()));
            }
            _ => return Err(SopsError::Unsupported("sops metadata has no `version`".into())),
        };
        let major = version.split('.').next().unwrap_or_default();
        if major != "3" {
            return Err(SopsError::Unsupported(format!("sops metadata version `{version}` (only 3.x is supported)")));
        }
        for f in ["encrypted_comment_regex", "unencrypted_comment_regex"] {
            if opt_str(m, f)?.is_some() {
                return Err(SopsError::Unsupported(format!("sops metadata `{f}` is not implemented")));
            }
        }
        let lastmodified = opt_str(m, "lastmodified")?.ok_or_else(|| bad("lastmodified", "is missing"))?;
        let mac_only_encrypted = match get(m, "mac_only_encrypted") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::Str(s)) if s == "true" => true,
            Some(Value::Str(s)) if s == "false" || s.is_empty() => false,
            Some(_) => return Err(bad("mac_only_encrypted", "is not a boolean")),
        };
        let mut key_groups = Vec::new();
        match get(m, "key_groups") {
            None | Some(Value::Null) => {}
            Some(Value::List(groups)) => {
                for g in groups {
                    let Value::Map(g) = g else { return Err(bad("key_groups", "has an entry that is not an object")) };
                    key_groups.push(KeyGroup {
                        age: age_list(g, "key_groups[].age")?,
                        pgp: pgp_list(g, "key_groups[].pgp")?,
                        other: OTHER_KINDS.iter().filter(|k| nonempty_list(g, k)).map(|k| k.to_string()).collect(),
                    });
                }
            }
            Some(_) => return Err(bad("key_groups", "is not a list")),
        }
        let shamir_threshold = match get(m, "shamir_threshold") {
            None | Some(Value::Null) => 0,
            Some(Value::Float(f)) if *f >= 0.0 && *f <= 255.0 && f.fract() == 0.0 => *f as usize,
            Some(Value::Int(i)) if (0..=255).contains(i) => *i as usize,
            Some(Value::Str(s)) => s.parse().map_err(|_| bad("shamir_threshold", "is not a small integer"))?,
            Some(_) => return Err(bad("shamir_threshold", "is not a small integer")),
        };
        Ok(Metadata {
            shamir_threshold,
            age: age_list(m, "age")?,
            pgp: pgp_list(m, "pgp")?,
            other_top: OTHER_KINDS.iter().filter(|k| nonempty_list(m, k)).map(|k| k.to_string()).collect(),
            key_groups,
            lastmodified,
            mac: opt_str(m, "mac")?.unwrap_or_default(),
            unencrypted_suffix: opt_str(m, "unencrypted_suffix")?,
            encrypted_suffix: opt_str(m, "encrypted_suffix")?,
            unencrypted_regex: opt_str(m, "unencrypted_regex")?,
            encrypted_regex: opt_str(m, "encrypted_regex")?,
            mac_only_encrypted,
            version,
        })
    }

    /// The MAC's additional data: `lastmodified` as Go re-prints it (RFC 3339).
    pub fn lastmodified_aad(&self) -> String {
        normalise_time(&self.lastmodified).unwrap_or_else(|| self.lastmodified.clone())
    }

    /// The one encryption rule in force (default: `_unencrypted` suffix).
    pub fn rules(&self) -> Result<Rule, SopsError> {
        if normalise_time(&self.lastmodified).is_none() {
            return Err(bad("lastmodified", "is not an RFC 3339 time"));
        }
        let set = [&self.unencrypted_suffix, &self.encrypted_suffix, &self.unencrypted_regex, &self.encrypted_regex];
        if set.iter().filter(|o| o.is_some()).count() > 1 {
            return Err(SopsError::InvalidDocument(
                "sops metadata sets more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex".into(),
            ));
        }
        let re = |field: &str, r: &str| {
            regex::Regex::new(r)
                .map_err(|e| SopsError::InvalidDocument(format!("sops metadata `{field}` is not a valid regex: {e}")))
        };
        Ok(if let Some(s) = &self.encrypted_suffix {
            Rule::EncryptedSuffix(s.clone())
        } else if let Some(r) = &self.unencrypted_regex {
            Rule::UnencryptedRegex(re("unencrypted_regex", r)?)
        } else if let Some(r) = &self.encrypted_regex {
            Rule::EncryptedRegex(re("encrypted_regex", r)?)
        } else {
            Rule::UnencryptedSuffix(self.unencrypted_suffix.clone().unwrap_or_else(|| "_unencrypted".into()))
        })
    }

    /// Metadata for a document about to be encrypted (no keys or MAC yet).
    pub fn for_encryption(o: &EncryptOptions) -> Result<Metadata, SopsError> {
        let norm = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let mut m = Metadata {
            lastmodified: now_rfc3339(),
            unencrypted_suffix: norm(&o.unencrypted_suffix),
            encrypted_suffix: norm(&o.encrypted_suffix),
            unencrypted_regex: norm(&o.unencrypted_regex),
            encrypted_regex: norm(&o.encrypted_regex),
            mac_only_encrypted: o.mac_only_encrypted,
            version: SOPS_VERSION.to_string(),
            ..Default::default()
        };
        let set = [&m.unencrypted_suffix, &m.encrypted_suffix, &m.unencrypted_regex, &m.encrypted_regex];
        match set.iter().filter(|o| o.is_some()).count() {
            0 => m.unencrypted_suffix = Some("_unencrypted".into()),
            1 => {}
            _ => {
                return Err(SopsError::InvalidKey(
                    "use only one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex".into(),
                ));
            }
        }
        for (field, r) in [("encrypted_regex", &m.encrypted_regex), ("unencrypted_regex", &m.unencrypted_regex)] {
            if let Some(r) = r {
                regex::Regex::new(r)
                    .map_err(|e| SopsError::InvalidKey(format!("{field} is not a valid regex: {e}")))?;
            }
        }
        Ok(m)
    }

    /// The metadata block in sops' field order.
    pub fn to_value(&self) -> Value {
        let s = |v: &str| Value::Str(v.to_string());
        let age = |list: &[AgeStanza]| {
            Value::List(
                list.iter()
                    .map(|a| {
                        Value::Map(vec![
                            Item::Entry("recipient".into(), s(&a.recipient)),
                            Item::Entry("enc".into(), s(&a.enc)),
                        ])
                    })
                    .collect(),
            )
        };
        let pgp = |list: &[PgpStanza]| {
            Value::List(
                list.iter()
                    .map(|p| {
                        Value::Map(vec![
                            Item::Entry("created_at".into(), s(&p.created_at)),
                            Item::Entry("enc".into(), s(&p.enc)),
                            Item::Entry("fp".into(), s(&p.fp)),
                        ])
                    })
                    .collect(),
            )
        };
        let mut items = Vec::new();
        if self.key_groups.is_empty() {
            items.push(Item::Entry("age".into(), age(&self.age)));
        } else {
            items.push(Item::Entry("shamir_threshold".into(), Value::Int(self.shamir_threshold as i64)));
            let groups = self
                .key_groups
                .iter()
                .map(|g| {
                    let mut m = Vec::new();
                    if !g.age.is_empty() {
                        m.push(Item::Entry("age".into(), age(&g.age)));
                    }
                    if !g.pgp.is_empty() {
                        m.push(Item::Entry("pgp".into(), pgp(&g.pgp)));
                    }
                    Value::Map(m)
                })
                .collect();
            items.push(Item::Entry("key_groups".into(), Value::List(groups)));
        }
        items.push(Item::Entry("lastmodified".into(), s(&self.lastmodified)));
        items.push(Item::Entry("mac".into(), s(&self.mac)));
        if !self.pgp.is_empty() {
            items.push(Item::Entry("pgp".into(), pgp(&self.pgp)));
        }
        for (k, v) in [
            ("unencrypted_suffix", &self.unencrypted_suffix),
            ("encrypted_suffix", &self.encrypted_suffix),
            ("unencrypted_regex", &self.unencrypted_regex),
            ("encrypted_regex", &self.encrypted_regex),
        ] {
            if let Some(v) = v {
                items.push(Item::Entry(k.into(), s(v)));
            }
        }
        if self.mac_only_encrypted {
            items.push(Item::Entry("mac_only_encrypted".into(), Value::Bool(true)));
        }
        items.push(Item::Entry("version".into(), s(&self.version)));
        Value::Map(items)
    }
}

/// The current UTC time as RFC 3339 with whole seconds.
fn now_rfc3339() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_normalisation_matches_go() {
        assert_eq!(normalise_time("2024-01-02T03:04:05Z").as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(normalise_time("2024-01-02T03:04:05.123Z").as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(normalise_time("2024-01-02T03:04:05+00:00").as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(normalise_time("2024-01-02T03:04:05-07:00").as_deref(), Some("2024-01-02T03:04:05-07:00"));
        assert_eq!(normalise_time("yesterday"), None);
        assert_eq!(normalise_time("2024-01-02 03:04:05Z"), None);
    }

    #[test]
    fn now_is_rfc3339() {
        assert!(normalise_time(&now_rfc3339()).is_some());
    }
}
