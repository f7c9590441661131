//! Sprig's key and certificate generation (`genPrivateKey`, `genCA`,
//! `genSelfSignedCert`, `genSignedCert`, their `…WithKey` forms and
//! `buildCustomCert`), with Go's templates: RSA 2048 keys for certificates
//! (4096 for `genPrivateKey "rsa"`), a random 128-bit serial, key usages
//! key encipherment and digital signature (plus certificate signing for a
//! CA), extended usages server and client auth. RSA, P-256 ECDSA and
//! Ed25519 keys are supported; DSA is not.

use std::net::IpAddr;
use std::rc::Rc;

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use p256::ecdsa::signature::Signer as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, PublicKeyData, SanType, SerialNumber, SignatureAlgorithm, SigningKey,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
use sha2::{Digest, Sha256};
use weir_gotemplate::{FuncMap, Map, Object, Value};

use crate::args::{Arity, Result, define, elements, fail, int, string, wrong_type};

pub fn register(map: &mut FuncMap) {
    // Go returns the failure text as the key.
    define(map, "genPrivateKey", Arity::Exact(1), |args| {
        let kind = string(&args[0])?;
        let key = match &*kind {
            "" | "rsa" => PrivateKey::generate_rsa(4096),
            "ecdsa" => Ok(PrivateKey::Ecdsa(p256::SecretKey::random(&mut Rng))),
            "ed25519" => Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut Rng))),
            "dsa" => Err("DSA keys are not supported by weir's Helm renderer".to_owned()),
            other => return Ok(Value::from(format!("Unknown type {other}"))),
        };
        Ok(Value::from(key.and_then(|k| k.pem()).unwrap_or_else(|e| format!("failed to generate private key: {e}"))))
    });
    define(map, "buildCustomCert", Arity::Exact(2), |args| {
        let decode = |v: &Value, what: &str| {
            let text = string(v)?;
            crate::encoding::base64_std_decode(&text)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .ok_or_else(|| fail(format!("unable to decode base64 {what}")))
        };
        let (cert, key) = (decode(&args[0], "certificate")?, decode(&args[1], "private key")?);
        let der = pem_block(&cert).filter(|(label, _)| label == "CERTIFICATE").map(|(_, der)| der);
        let der = der.ok_or_else(|| fail("unable to decode certificate"))?;
        x509_parser::parse_x509_certificate(&der)
            .map_err(|e| fail(format!("error parsing certificate: decodedCert.Bytes: {e}")))?;
        PrivateKey::parse_pem(&key).map_err(|e| fail(format!("error parsing private key: {e}")))?;
        Ok(Certificate::value(cert, key))
    });
    define(map, "genCA", Arity::Exact(2), |args| {
        let (cn, days) = (string(&args[0])?, int(&args[1])?);
        issue(&Template::new(&cn, &[], &[], days, true)?, PrivateKey::generate_rsa(2048).map_err(fail)?, None)
    });
    define(map, "genCAWithKey", Arity::Exact(3), |args| {
        let (cn, days) = (string(&args[0])?, int(&args[1])?);
        let key = parse_key_arg(&args[2])?;
        issue(&Template::new(&cn, &[], &[], days, true)?, key, None)
    });
    define(map, "genSelfSignedCert", Arity::Exact(4), |args| {
        let template = Template::from_args(args)?;
        issue(&template, PrivateKey::generate_rsa(2048).map_err(fail)?, None)
    });
    define(map, "genSelfSignedCertWithKey", Arity::Exact(5), |args| {
        issue(&Template::from_args(args)?, parse_key_arg(&args[4])?, None)
    });
    define(map, "genSignedCert", Arity::Exact(5), |args| {
        let template = Template::from_args(args)?;
        let ca = ca_arg(&args[4])?;
        issue(&template, PrivateKey::generate_rsa(2048).map_err(fail)?, Some(&ca))
    });
    define(map, "genSignedCertWithKey", Arity::Exact(6), |args| {
        let template = Template::from_args(args)?;
        let ca = ca_arg(&args[4])?;
        issue(&template, parse_key_arg(&args[5])?, Some(&ca))
    });
}

fn parse_key_arg(value: &Value) -> Result<PrivateKey> {
    PrivateKey::parse_pem(&string(value)?).map_err(|e| fail(format!("parsing private key: {e}")))
}

/// A `certificate` argument: anything with `.Cert` and `.Key` texts.
fn ca_arg(value: &Value) -> Result<(String, String)> {
    let field = |name: &str| match value {
        Value::Object(o) => match o.member(name, &[]) {
            Some(Ok(Value::String(s))) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    };
    match (field("Cert"), field("Key")) {
        (Some(cert), Some(key)) => Ok((cert, key)),
        _ => Err(wrong_type("sprig.certificate", value)),
    }
}

/// Sprig's `certificate`: `.Cert` and `.Key` in PEM.
struct Certificate {
    cert: String,
    key: String,
}

impl Certificate {
    fn value(cert: String, key: String) -> Value {
        Value::Object(Rc::new(Certificate { cert, key }))
    }
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn member(&self, name: &str, _: &[Value]) -> Option<std::result::Result<Value, String>> {
        match name {
            "Cert" => Some(Ok(Value::from(self.cert.as_str()))),
            "Key" => Some(Ok(Value::from(self.key.as_str()))),
            _ => None,
        }
    }

    /// Go's `%v` of the struct.
    fn display(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Value {
        let mut map = Map::new();
        map.insert("Cert".into(), Value::from(self.cert.as_str()));
        map.insert("Key".into(), Value::from(self.key.as_str()));
        Value::map(map)
    }
}

/// Sprig's `getBaseCertTemplate`.
struct Template {
    params: CertificateParams,
}

impl Template {
    fn from_args(args: &[Value]) -> Result<Template> {
        let (cn, days) = (string(&args[0])?, int(&args[3])?);
        let list = |v: &Value| match v {
            Value::Nil => Ok(vec![]),
            other => elements(other).ok_or_else(|| wrong_type("[]interface {}", other)),
        };
        Template::new(&cn, &list(&args[1])?, &list(&args[2])?, days, false)
    }

    fn new(cn: &str, ips: &[Value], dns: &[Value], days: i64, ca: bool) -> Result<Template> {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        // Go writes DNS names before IP addresses.
        for name in dns {
            let Value::String(text) = name else {
                return Err(fail(format!("error processing alternate dns name: {name} is not a string")));
            };
            let ia5 =
                text.to_string().try_into().map_err(|e| fail(format!("error processing alternate dns name: {e}")))?;
            params.subject_alt_names.push(SanType::DnsName(ia5));
        }
        for ip in ips {
            let Value::String(text) = ip else { return Err(fail(format!("error parsing ip: {ip} is not a string"))) };
            let parsed: IpAddr = text.parse().map_err(|_| fail(format!("error parsing ip: {text}")))?;
            params.subject_alt_names.push(SanType::IpAddress(parsed));
        }
        let mut serial = crate::random::bytes(16);
        serial.insert(0, 0);
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let at = |seconds: i64| time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| fail(e.to_string()));
        params.not_before = at(now)?;
        params.not_after = at(now.saturating_add(days.saturating_mul(86_400)))?;
        params.key_usages = vec![KeyUsagePurpose::KeyEncipherment, KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        params.is_ca = IsCa::ExplicitNoCa;
        if ca {
            params.key_usages.push(KeyUsagePurpose::KeyCertSign);
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        Ok(Template { params })
    }
}

/// Signs `template` for `key`, by the key itself or by `ca` (certificate and key PEM).
fn issue(template: &Template, key: PrivateKey, ca: Option<&(String, String)>) -> Result<Value> {
    let key_pem = key.pem().map_err(fail)?;
    let signer = Signer::new(key).map_err(fail)?;
    let cert = match ca {
        None => template.params.self_signed(&signer),
        Some((ca_cert, ca_key)) => {
            let der = pem_block(ca_cert).map(|(_, der)| der).ok_or_else(|| fail("unable to decode certificate"))?;
            let subject = ca_subject(&der)?;
            let ca_signer = Signer::new(
                PrivateKey::parse_pem(ca_key).map_err(|e| fail(format!("error parsing private key: {e}")))?,
            )
            .map_err(fail)?;
            let mut issuer_params = CertificateParams::default();
            issuer_params.distinguished_name = subject;
            let issuer = Issuer::new(issuer_params, ca_signer);
            let mut params = template.params.clone();
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&signer, &issuer)
        }
    }
    .map_err(|e| fail(e.to_string()))?;
    Ok(Certificate::value(cert.pem(), key_pem))
}

/// The CA certificate's subject, kept attribute by attribute (with its
/// string types) so that the issuer name matches it byte for byte.
fn ca_subject(der: &[u8]) -> Result<DistinguishedName> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| fail(format!("error parsing certificate: decodedSignerCert.Bytes: {e}")))?;
    let mut name = DistinguishedName::new();
    for attribute in cert.subject().iter_attributes() {
        let oid: Vec<u64> = attribute.attr_type().iter().map(|arcs| arcs.collect()).unwrap_or_default();
        let Ok(text) = attribute.as_str() else { continue };
        let value = match attribute.attr_value().header.tag() {
            x509_parser::der_parser::asn1_rs::Tag::PrintableString => match text.to_owned().try_into() {
                Ok(printable) => DnValue::PrintableString(printable),
                Err(_) => DnValue::Utf8String(text.to_owned()),
            },
            _ => DnValue::Utf8String(text.to_owned()),
        };
        name.push(DnType::from_oid(&oid), value);
    }
    Ok(name)
}

/// The first PEM block of `text`: its label and decoded bytes.
fn pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = &rest[..label_end];
    let body_start = label_end + 5;
    let end = rest.find(&format!("-----END {label}-----"))?;
    let body: String = rest.get(body_start..end)?.chars().filter(|c| !c.is_whitespace()).collect();
    Some((label.to_owned(), crate::encoding::base64_std_decode(&body)?))
}

enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ecdsa(p256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl PrivateKey {
    fn generate_rsa(bits: usize) -> std::result::Result<PrivateKey, String> {
        rsa::RsaPrivateKey::new(&mut Rng, bits).map(|k| PrivateKey::Rsa(Box::new(k))).map_err(|e| e.to_string())
    }

    /// Go's `pemBlockForKey`: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519.
    fn pem(&self) -> std::result::Result<String, String> {
        match self {
            PrivateKey::Rsa(key) => key.to_pkcs1_pem(LineEnding::LF).map(|p| p.to_string()).map_err(|e| e.to_string()),
            PrivateKey::Ecdsa(key) => key.to_sec1_pem(LineEnding::LF).map(|p| p.to_string()).map_err(|e| e.to_string()),
            PrivateKey::Ed25519(key) => {
                key.to_pkcs8_pem(LineEnding::LF).map(|p| p.to_string()).map_err(|e| e.to_string())
            }
        }
    }

    /// Sprig's `parsePrivateKeyPEM`, with its error texts.
    fn parse_pem(text: &str) -> std::result::Result<PrivateKey, String> {
        let (label, der) = pem_block(text).ok_or("no PEM data in input")?;
        match label.as_str() {
            "PRIVATE KEY" => rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .or_else(|_| p256::SecretKey::from_pkcs8_der(&der).map(PrivateKey::Ecdsa))
                .or_else(|_| ed25519_dalek::SigningKey::from_pkcs8_der(&der).map(PrivateKey::Ed25519))
                .map_err(|e| format!("decoding PEM as PKCS#8: {e}")),
            "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
                .map(PrivateKey::Ecdsa)
                .map_err(|e| format!("parsing EC private key from PEM: {e}")),
            other if other.ends_with(" PRIVATE KEY") => Err(format!("invalid private key type {other}")),
            other => Err(format!("no private key data in PEM block of type {other}")),
        }
    }
}

/// A key as rcgen signs with it.
struct Signer {
    key: PrivateKey,
    public: Vec<u8>,
}

impl Signer {
    fn new(key: PrivateKey) -> std::result::Result<Signer, String> {
        let public = match &key {
            PrivateKey::Rsa(k) => k.to_public_key().to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes().to_vec(),
            PrivateKey::Ecdsa(k) => p256::EncodedPoint::from(k.public_key()).as_bytes().to_vec(),
            PrivateKey::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
        };
        Ok(Signer { key, public })
    }
}

impl PublicKeyData for Signer {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self.key {
            PrivateKey::Rsa(_) => &rcgen::PKCS_RSA_SHA256,
            PrivateKey::Ecdsa(_) => &rcgen::PKCS_ECDSA_P256_SHA256,
            PrivateKey::Ed25519(_) => &rcgen::PKCS_ED25519,
        }
    }
}

impl SigningKey for Signer {
    fn sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, rcgen::Error> {
        match &self.key {
            PrivateKey::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                .map_err(|_| rcgen::Error::RemoteKeyError),
            PrivateKey::Ecdsa(k) => {
                let signature: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).sign(message);
                Ok(signature.to_der().as_bytes().to_vec())
            }
            PrivateKey::Ed25519(k) => Ok(ed25519_dalek::Signer::sign(k, message).to_bytes().to_vec()),
        }
    }
}

/// crypto/rand for the key generators.
struct Rng;

impl rand_core::RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.copy_from_slice(&crate::random::bytes(dest.len()));
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for Rng {}
