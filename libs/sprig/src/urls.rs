//! `urlParse` and `urlJoin` with Go's `net/url` rules, and `getHostByName`,
//! which `helm template` answers with "" unless DNS is enabled (there is no
//! network here).

use weir_gotemplate::{FuncMap, Map, Value};

use crate::args::{Arity, define, fail, map, string};

pub fn register(functions: &mut FuncMap) {
    define(functions, "urlParse", Arity::Exact(1), |args| {
        let url = parse(&string(&args[0])?).map_err(|e| fail(format!("unable to parse url: {e}")))?;
        let mut out = Map::new();
        for (key, value) in [
            ("scheme", url.scheme.clone()),
            ("host", url.host.clone()),
            ("hostname", url.hostname()),
            ("path", url.path.clone()),
            ("query", url.query.clone()),
            ("opaque", url.opaque.clone()),
            ("fragment", url.fragment.clone()),
            ("userinfo", url.userinfo.clone().unwrap_or_default()),
        ] {
            out.insert(key.into(), Value::from(value));
        }
        Ok(Value::map(out))
    });
    define(functions, "urlJoin", Arity::Exact(1), |args| {
        let dict = map(&args[0])?;
        let dict = dict.borrow();
        let get = |key: &str| match dict.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(other) => {
                Err(fail(format!("unable to parse {key} key, must be of type string, but {} found", other.type_name())))
            }
        };
        let userinfo = get("userinfo")?;
        let url = Url {
            scheme: get("scheme")?,
            host: get("host")?,
            path: get("path")?,
            query: get("query")?,
            opaque: get("opaque")?,
            fragment: get("fragment")?,
            userinfo: (!userinfo.is_empty()).then_some(userinfo),
        };
        Ok(Value::from(url.to_string()))
    });
    define(functions, "getHostByName", Arity::Exact(1), |args| {
        string(&args[0])?;
        Ok(Value::from(""))
    });
}

#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    /// Escaped, as `Userinfo.String()` gives it.
    userinfo: Option<String>,
    host: String,
    /// Unescaped.
    path: String,
    query: String,
    /// Unescaped.
    fragment: String,
}

impl Url {
    fn hostname(&self) -> String {
        if let Some(rest) = self.host.strip_prefix('[') {
            return rest.split(']').next().unwrap_or_default().to_owned();
        }
        self.host.split(':').next().unwrap_or_default().to_owned()
    }
}

/// Go's `url.Parse`, covering the shapes templates use.
fn parse(text: &str) -> Result<Url, String> {
    let mut url = Url::default();
    let (rest, fragment) = text.split_once('#').map_or((text, ""), |(r, f)| (r, f));
    url.fragment = unescape(fragment).map_err(|e| format!("parse {}: {e}", weir_gotemplate::quote(text)))?;
    let (rest, query) = rest.split_once('?').map_or((rest, ""), |(r, q)| (r, q));
    url.query = query.to_owned();
    let mut rest = rest;
    if let Some(colon) = rest.find(':') {
        let scheme = &rest[..colon];
        let valid = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if valid {
            url.scheme = scheme.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        } else if colon == 0 {
            return Err(format!("parse {}: missing protocol scheme", weir_gotemplate::quote(text)));
        }
    }
    if !url.scheme.is_empty() && !rest.starts_with('/') {
        url.opaque = rest.to_owned();
        return Ok(url);
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        rest = &after[end..];
        let host = match authority.rsplit_once('@') {
            Some((user, host)) => {
                url.userinfo = Some(user.to_owned());
                host
            }
            None => authority,
        };
        url.host = host.to_owned();
    }
    url.path = unescape(rest).map_err(|e| format!("parse {}: {e}", weir_gotemplate::quote(text)))?;
    Ok(url)
}

fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            let Some(hex) = hex else {
                let bad: String = s[i..].chars().take(3).collect();
                return Err(format!("invalid URL escape {}", weir_gotemplate::quote(&bad)));
            };
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Percent-escapes what Go's `shouldEscape` escapes in a path or fragment.
fn escape(s: &str, also_unescaped: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = char::from(b);
        if c.is_ascii_alphanumeric() || "-_.~$&+,/:;=@".contains(c) || also_unescaped.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Go's `URL.String`.
impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.scheme.is_empty() {
            write!(f, "{}:", self.scheme)?;
        }
        if !self.opaque.is_empty() {
            f.write_str(&self.opaque)?;
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.userinfo.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.userinfo.is_some() {
                    f.write_str("//")?;
                }
                if let Some(user) = &self.userinfo {
                    write!(f, "{user}@")?;
                }
                f.write_str(&self.host)?;
            }
            if !self.path.is_empty() && !self.path.starts_with('/') && !self.host.is_empty() {
                f.write_str("/")?;
            }
            f.write_str(&escape(&self.path, ""))?;
        }
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        if !self.fragment.is_empty() {
            write!(f, "#{}", escape(&self.fragment, "!()*?"))?;
        }
        Ok(())
    }
}
