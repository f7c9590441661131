//! OCI references as docker and Flux name them: `host[:port]/path[:tag][@sha256:hex]`.

use std::fmt;

use crate::RegistryError;

/// Docker Hub's name in references (and in `repository_name`).
pub const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's API host.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A repository in a registry, optionally with a tag and/or a digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// `host[:port]`; Docker Hub is `docker.io`.
    pub registry: String,
    /// The path in the registry, e.g. `library/nginx`.
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<hex>` (or another `algorithm:encoded`).
    pub digest: Option<String>,
}

impl Reference {
    /// Parses `host[:port]/path[:tag][@sha256:hex]`, an optional `oci://` prefix accepted, with
    /// Docker Hub naming as docker and Flux have it: `nginx` is `docker.io/library/nginx`,
    /// `user/app` is `docker.io/user/app`, and `index.docker.io` is `docker.io`. The first path
    /// component is a registry when it holds a `.` or a `:`, is `localhost`, or has upper case.
    pub fn parse(text: &str) -> Result<Reference, RegistryError> {
        let invalid =
            |reason: &str| RegistryError::InvalidReference { text: text.to_owned(), reason: reason.to_owned() };
        let rest = text.strip_prefix("oci://").unwrap_or(text);
        if rest.is_empty() {
            return Err(invalid("empty reference"));
        }
        let (rest, digest) = match rest.split_once('@') {
            Some((name, digest)) => {
                validate_digest(digest).map_err(|reason| invalid(&reason))?;
                (name, Some(digest.to_owned()))
            }
            None => (rest, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_owned(), path)
            }
            _ => (DOCKER_HUB.to_owned(), rest),
        };
        if registry.is_empty() {
            return Err(invalid("empty registry host"));
        }
        let (path, tag) = match path.rfind(':') {
            Some(colon) if !path[colon..].contains('/') => (&path[..colon], Some(path[colon + 1..].to_owned())),
            _ => (path, None),
        };
        let registry = normalize_registry(&registry);
        let repository =
            if registry == DOCKER_HUB && !path.contains('/') { format!("library/{path}") } else { path.to_owned() };
        validate_repository(&repository).map_err(|reason| invalid(&reason))?;
        if let Some(tag) = &tag {
            validate_tag(tag).map_err(|reason| invalid(&reason))?;
        }
        Ok(Reference { registry, repository, tag, digest })
    }

    /// The same repository at `tag` (any digest dropped).
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference { tag: Some(tag.to_owned()), digest: None, ..self.clone() }
    }

    /// The same repository at `digest` (the tag kept for display).
    pub fn with_digest(&self, digest: &str) -> Reference {
        Reference { digest: Some(digest.to_owned()), ..self.clone() }
    }

    /// `registry/repository`, e.g. `docker.io/library/nginx` (Flux's canonical image name).
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host the distribution API is served on: `registry-1.docker.io` for Docker Hub.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB { DOCKER_HUB_API } else { &self.registry }
    }

    /// What a manifest request names: the digest when there is one, else the tag, else `latest`.
    pub fn manifest_reference(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Reference {
    type Err = RegistryError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Reference::parse(text)
    }
}

/// Docker Hub's aliases as `docker.io`; other hosts as given.
pub(crate) fn normalize_registry(host: &str) -> String {
    match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => DOCKER_HUB.to_owned(),
        _ => host.to_owned(),
    }
}

/// `algorithm:encoded`, with sha256 and sha512 checked for their lengths and lower-case hex.
pub(crate) fn validate_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return Err(format!("digest {digest:?} is not algorithm:hex"));
    };
    let hex_len = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ if !algorithm.is_empty()
            && algorithm.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
            && !encoded.is_empty()
            && encoded.chars().all(|c| c.is_ascii_alphanumeric() || "=_-".contains(c)) =>
        {
            return Ok(());
        }
        _ => return Err(format!("digest {digest:?} is not algorithm:hex")),
    };
    if encoded.len() != hex_len || !encoded.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
        return Err(format!("digest {digest:?}: {algorithm} needs {hex_len} lower-case hex digits"));
    }
    Ok(())
}

/// Path components of lower-case alphanumerics separated by `.`, `_`, `__` or dashes.
fn validate_repository(repository: &str) -> Result<(), String> {
    if repository.is_empty() {
        return Err("empty repository".to_owned());
    }
    if repository.len() > 255 {
        return Err("repository name longer than 255 characters".to_owned());
    }
    for component in repository.split('/') {
        let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let valid = component.starts_with(alnum)
            && component.ends_with(alnum)
            && component.chars().all(|c| alnum(c) || "._-".contains(c))
            && !component.contains("..")
            && !component.contains("___")
            && !component.contains(".-")
            && !component.contains("-.")
            && !component.contains("._")
            && !component.contains("_.");
        if !valid {
            return Err(format!(
                "repository component {component:?} must be lower-case letters and digits, separated by '.', '_', '__' or '-'"
            ));
        }
    }
    Ok(())
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn validate_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if tag.is_empty() || tag.len() > 128 || !tag.starts_with(word) || !tag.chars().all(|c| word(c) || ".-".contains(c))
    {
        return Err(format!(
            "tag {tag:?} must be up to 128 letters, digits, '_', '.' or '-' (not starting with '.' or '-')"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Reference {
        Reference::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"))
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn docker_hub_names_as_docker_has_them() {
        assert_eq!(parse("nginx").repository_name(), "docker.io/library/nginx");
        assert_eq!(parse("nginx").tag, None);
        assert_eq!(parse("nginx:1.27").tag.as_deref(), Some("1.27"));
        assert_eq!(parse("user/app").repository_name(), "docker.io/user/app");
        assert_eq!(parse("index.docker.io/nginx").repository_name(), "docker.io/library/nginx");
        assert_eq!(parse("docker.io/user/app:v1").to_string(), "docker.io/user/app:v1");
        assert_eq!(parse("nginx").api_host(), "registry-1.docker.io");
    }

    #[test]
    fn hosts_ports_tags_and_digests() {
        let reference = parse(&format!("oci://127.0.0.1:5000/org/app:v1.2@{DIGEST}"));
        assert_eq!(reference.registry, "127.0.0.1:5000");
        assert_eq!(reference.repository, "org/app");
        assert_eq!(reference.tag.as_deref(), Some("v1.2"));
        assert_eq!(reference.digest.as_deref(), Some(DIGEST));
        assert_eq!(reference.manifest_reference(), DIGEST);
        assert_eq!(reference.to_string(), format!("127.0.0.1:5000/org/app:v1.2@{DIGEST}"));
        let reference = parse("localhost/app");
        assert_eq!((reference.registry.as_str(), reference.repository.as_str()), ("localhost", "app"));
        let reference = parse("ghcr.io/fluxcd/source-controller");
        assert_eq!(reference.manifest_reference(), "latest");
        assert_eq!(reference.with_tag("v1").to_string(), "ghcr.io/fluxcd/source-controller:v1");
        assert_eq!(reference.with_digest(DIGEST).to_string(), format!("ghcr.io/fluxcd/source-controller@{DIGEST}"));
        // A port is not a tag.
        assert_eq!(parse("registry:5000/app").tag, None);
    }

    #[test]
    fn errors_name_the_text() {
        for text in
            ["", "oci://", "Upper/Case", "host.io/app:", "host.io/app:-x", "app@sha256:abc", "host.io//app", "a/b@md5"]
        {
            let error = Reference::parse(text).expect_err(text).to_string();
            assert!(error.contains(&format!("{text:?}")), "{error}");
        }
    }
}
