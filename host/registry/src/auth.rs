//! Authentication: `WWW-Authenticate` challenges, Bearer token answers, and credentials from a
//! docker config (a `kubernetes.io/dockerconfigjson` Secret).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;

use crate::RegistryError;
use crate::reference::normalize_registry;

/// A username and password (or token) for a registry. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials { username: username.into(), password: password.into() }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// One challenge of a `WWW-Authenticate` header: its scheme (lower case) and parameters (names
/// lower case, values unquoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// The challenges in a `WWW-Authenticate` value (RFC 7235): several may share one header,
/// values may be tokens or quoted strings holding commas, spaces and escapes.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let chars: Vec<char> = header.chars().collect();
    let mut at = 0;
    let mut challenges: Vec<Challenge> = Vec::new();
    let skip = |at: &mut usize, what: &dyn Fn(char) -> bool| {
        while *at < chars.len() && what(chars[*at]) {
            *at += 1;
        }
    };
    loop {
        skip(&mut at, &|c| c.is_whitespace() || c == ',');
        if at >= chars.len() {
            break;
        }
        let start = at;
        skip(&mut at, &|c| !c.is_whitespace() && c != ',' && c != '=');
        let token: String = chars[start..at].iter().collect();
        let mut after = at;
        skip(&mut after, &|c| c.is_whitespace());
        let is_param = after < chars.len() && chars[after] == '=' && !token.is_empty();
        if !is_param {
            if token.is_empty() {
                // A stray '=': skip it.
                at += 1;
                continue;
            }
            challenges.push(Challenge { scheme: token.to_ascii_lowercase(), params: Vec::new() });
            continue;
        }
        at = after + 1;
        // token68 (e.g. `Basic abc==`) ends in '='s: a value-less tail, not a parameter.
        if at < chars.len() && chars[at] == '=' {
            skip(&mut at, &|c| c == '=');
            continue;
        }
        skip(&mut at, &|c| c == ' ' || c == '\t');
        let mut value = String::new();
        if at < chars.len() && chars[at] == '"' {
            at += 1;
            while at < chars.len() && chars[at] != '"' {
                if chars[at] == '\\' && at + 1 < chars.len() {
                    at += 1;
                }
                value.push(chars[at]);
                at += 1;
            }
            at += 1;
        } else {
            let start = at;
            skip(&mut at, &|c| !c.is_whitespace() && c != ',');
            value = chars[start..at].iter().collect();
        }
        if let Some(challenge) = challenges.last_mut() {
            challenge.params.push((token.to_ascii_lowercase(), value));
        }
    }
    challenges
}

/// A token service's answer.
#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// How long a token is used when the service does not say (docker's default).
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

impl TokenResponse {
    /// The token and how long to use it.
    pub(crate) fn into_token(self) -> Option<(String, Duration)> {
        let token = self.token.filter(|t| !t.is_empty()).or(self.access_token.filter(|t| !t.is_empty()))?;
        let lifetime = self.expires_in.filter(|&s| s > 0).map(Duration::from_secs).unwrap_or(DEFAULT_TOKEN_LIFETIME);
        Some((token, lifetime))
    }
}

/// The next page of a `Link` header: the URL of the entry with `rel="next"`, as written
/// (relative or absolute).
pub(crate) fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>')? + open;
        let url = &rest[open + 1..close];
        let after = &rest[close + 1..];
        // The entry's parameters run to the next '<' (URLs are inside <>, commas around them).
        let end = after.find('<').unwrap_or(after.len());
        let params = &after[..end];
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else { return false };
            name.trim().eq_ignore_ascii_case("rel")
                && value.trim().trim_matches('"').split_whitespace().any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(url.trim().to_owned());
        }
        rest = &after[end..];
    }
    None
}

/// A docker config: `.dockerconfigjson` (`{"auths": {...}}`) or legacy `.dockercfg` (the
/// entries at the top level). `Debug` shows the registries only.
#[derive(Clone, Default)]
pub struct DockerConfig {
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Clone, Default, serde::Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

impl fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DockerConfig").field("registries", &self.auths.keys().collect::<Vec<_>>()).finish()
    }
}

impl DockerConfig {
    /// Parses a `.dockerconfigjson` or `.dockercfg`; the error never quotes the content.
    pub fn parse(json: &[u8]) -> Result<Self, RegistryError> {
        let invalid = |reason: String| RegistryError::Config(format!("invalid docker config: {reason}"));
        let value: serde_json::Value = serde_json::from_slice(json)
            .map_err(|error| invalid(format!("not JSON (line {}, column {})", error.line(), error.column())))?;
        let serde_json::Value::Object(mut top) = value else {
            return Err(invalid("not a JSON object".to_owned()));
        };
        let entries = match top.remove("auths") {
            Some(serde_json::Value::Object(auths)) => auths,
            Some(_) => return Err(invalid("\"auths\" is not an object".to_owned())),
            None => top,
        };
        let mut auths = BTreeMap::new();
        for (key, entry) in entries {
            if !entry.is_object() {
                continue;
            }
            let entry: AuthEntry =
                serde_json::from_value(entry).map_err(|_| invalid(format!("the entry for {key:?} is malformed")))?;
            auths.insert(key, entry);
        }
        Ok(DockerConfig { auths })
    }

    /// The credentials for `registry` (`host[:port]`, or any form a key takes), matched as docker
    /// and Flux do: a key equal to it first, then keys whose host (scheme and path dropped,
    /// Docker Hub's aliases as `docker.io`) is its host.
    pub fn credentials_for(&self, registry: &str) -> Option<Credentials> {
        if let Some(credentials) = self.auths.get(registry).and_then(AuthEntry::credentials) {
            return Some(credentials);
        }
        let wanted = normalize_registry(config_host(registry));
        self.auths
            .iter()
            .filter(|(key, _)| normalize_registry(config_host(key)) == wanted)
            .find_map(|(_, entry)| entry.credentials())
    }

    /// The registries the config has entries for, as written.
    pub fn registries(&self) -> impl Iterator<Item = &str> {
        self.auths.keys().map(String::as_str)
    }
}

/// `https://host:port/v1/` → `host:port` (docker's ConvertToHostname).
fn config_host(key: &str) -> &str {
    let key = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

impl AuthEntry {
    fn credentials(&self) -> Option<Credentials> {
        if let (Some(username), Some(password)) = (&self.username, &self.password)
            && !username.is_empty()
        {
            return Some(Credentials::new(username, password));
        }
        let auth = self.auth.as_deref().filter(|a| !a.is_empty())?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(auth.trim()))
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (username, password) = decoded.split_once(':')?;
        Some(Credentials::new(username, password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_with_quoted_commas() {
        let challenges = parse_challenges(
            r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:org/app:pull,push""#,
        );
        assert_eq!(challenges.len(), 1);
        let bearer = &challenges[0];
        assert_eq!(bearer.scheme, "bearer");
        assert_eq!(bearer.param("realm"), Some("https://auth.example.com/token"));
        assert_eq!(bearer.param("service"), Some("registry.example.com"));
        assert_eq!(bearer.param("scope"), Some("repository:org/app:pull,push"));
    }

    #[test]
    fn several_challenges_tokens_spaces_and_escapes() {
        let challenges = parse_challenges(
            r#"Basic realm="Registry \"R\", here" , Bearer realm=https://a/t, service = s , error="x""#,
        );
        assert_eq!(challenges.len(), 2, "{challenges:?}");
        assert_eq!(challenges[0].scheme, "basic");
        assert_eq!(challenges[0].param("realm"), Some(r#"Registry "R", here"#));
        assert_eq!(challenges[1].scheme, "bearer");
        assert_eq!(challenges[1].param("realm"), Some("https://a/t"));
        assert_eq!(challenges[1].param("service"), Some("s"));
        assert_eq!(challenges[1].param("error"), Some("x"));
        let challenges = parse_challenges("Basic");
        assert_eq!(challenges, vec![Challenge { scheme: "basic".into(), params: vec![] }]);
        let challenges = parse_challenges("Negotiate abc==, BASIC REALM=r");
        assert_eq!(challenges.len(), 2, "{challenges:?}");
        assert_eq!(challenges[1].scheme, "basic");
        assert_eq!(challenges[1].param("realm"), Some("r"));
        assert!(parse_challenges("").is_empty());
    }

    #[test]
    fn link_header_next_page() {
        assert_eq!(
            next_link(r#"</v2/app/tags/list?last=v9&n=1000>; rel="next""#).as_deref(),
            Some("/v2/app/tags/list?last=v9&n=1000")
        );
        assert_eq!(
            next_link(r#"<https://r.example/v2/a/tags/list?n=2&last=b,c>; rel="prev", <https://r.example/v2/a/tags/list?n=2&last=d>; rel=next"#)
                .as_deref(),
            Some("https://r.example/v2/a/tags/list?n=2&last=d")
        );
        assert_eq!(next_link(r#"<https://x/y>; title="next"; rel="prev""#), None);
        assert_eq!(next_link(""), None);
    }

    #[test]
    fn token_answers() {
        let parse = |json: &str| serde_json::from_str::<TokenResponse>(json).unwrap().into_token();
        assert_eq!(parse(r#"{"token":"t","expires_in":300}"#), Some(("t".into(), Duration::from_secs(300))));
        assert_eq!(parse(r#"{"access_token":"a"}"#), Some(("a".into(), DEFAULT_TOKEN_LIFETIME)));
        assert_eq!(parse(r#"{"token":"","access_token":"a"}"#).map(|t| t.0), Some("a".into()));
        assert_eq!(parse(r#"{}"#), None);
    }

    #[test]
    fn docker_config_matching() {
        let auth = base64::engine::general_purpose::STANDARD.encode("hub-user:hub:pass");
        let json = format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{auth}"}},
                "ghcr.io": {{"username": "gh", "password": "ghp"}},
                "http://127.0.0.1:5000": {{"username": "local", "password": "lp"}},
                "https://quay.io/v2/": {{"auth": "{}"}},
                "empty.example": {{}}
            }}}}"#,
            base64::engine::general_purpose::STANDARD.encode("q:qp")
        );
        let config = DockerConfig::parse(json.as_bytes()).unwrap();
        assert_eq!(config.credentials_for("docker.io"), Some(Credentials::new("hub-user", "hub:pass")));
        assert_eq!(config.credentials_for("index.docker.io"), Some(Credentials::new("hub-user", "hub:pass")));
        assert_eq!(config.credentials_for("ghcr.io"), Some(Credentials::new("gh", "ghp")));
        assert_eq!(config.credentials_for("127.0.0.1:5000"), Some(Credentials::new("local", "lp")));
        assert_eq!(config.credentials_for("127.0.0.1"), None);
        assert_eq!(config.credentials_for("quay.io"), Some(Credentials::new("q", "qp")));
        assert_eq!(config.credentials_for("empty.example"), None);
        assert_eq!(config.credentials_for("other.example"), None);
        let debug = format!("{config:?}");
        assert!(!debug.contains("ghp") && !debug.contains(&auth), "{debug}");
    }

    #[test]
    fn legacy_dockercfg_and_errors() {
        let auth = base64::engine::general_purpose::STANDARD.encode("u:p");
        let config = DockerConfig::parse(
            format!(r#"{{"registry.example:443": {{"auth": "{auth}", "email": "e@x"}}}}"#).as_bytes(),
        )
        .unwrap();
        assert_eq!(config.credentials_for("registry.example:443"), Some(Credentials::new("u", "p")));
        let error = DockerConfig::parse(b"{\"auths\": {\"secret-host\": {\"auth\": 7}}}").unwrap_err().to_string();
        assert!(error.contains("secret-host") && !error.contains('7'), "{error}");
        assert!(DockerConfig::parse(b"not json").is_err());
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        let debug = format!("{:?}", Credentials::new("user", "s3cret"));
        assert!(debug.contains("user") && !debug.contains("s3cret"), "{debug}");
    }
}
