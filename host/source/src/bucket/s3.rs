//! The S3 API, as much of it as a Bucket needs: does the bucket exist, list its objects (every
//! page), get one. Requests are presigned with SigV4 by `rusty-s3` (sans-IO) and sent with the
//! blocking reqwest client; S3's XML errors are read for their `Code` and `Message`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use rusty_s3::actions::ListObjectsV2;
use rusty_s3::{Credentials, S3Action, UrlStyle};

/// How long a presigned URL is valid: it is used at once, so a short time is enough.
const SIGNED_FOR: Duration = Duration::from_secs(300);

/// Why a request to the S3 API failed. Never holds a signed URL.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// No answer: unreachable, refused, TLS, timed out.
    #[error("request to {endpoint} failed: {message}")]
    Request { endpoint: String, message: String },
    /// An error status, with S3's `Code` and `Message` when the body had them.
    #[error("{}", status_message(.endpoint, .status, .code.as_deref(), .message.as_deref()))]
    Status { endpoint: String, status: StatusCode, code: Option<String>, message: Option<String> },
    /// A listing that is not ListObjectsV2's XML.
    #[error("invalid ListObjectsV2 response from {endpoint}: {message}")]
    Parse { endpoint: String, message: String },
    /// `spec.timeout` passed before the work was done.
    #[error("the timeout of {0:?} passed")]
    Deadline(Duration),
}

fn status_message(endpoint: &str, status: &StatusCode, code: Option<&str>, message: Option<&str>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message} (HTTP {status} from {endpoint})"),
        (Some(code), None) => format!("{code} (HTTP {status} from {endpoint})"),
        _ => format!("HTTP {status} from {endpoint}"),
    }
}

impl S3Error {
    /// S3's error code, if the server gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            S3Error::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// One bucket on one endpoint, with the credentials and deadline of one reconciliation.
pub(crate) struct S3Bucket {
    bucket: rusty_s3::Bucket,
    credentials: Option<Credentials>,
    http: Client,
    /// The endpoint as messages show it (`http://host:port`).
    endpoint: String,
    deadline: Instant,
    timeout: Duration,
}

/// An object being downloaded: its body and its entity tag.
pub(crate) struct Object {
    pub body: Response,
    pub etag: Option<String>,
}

impl S3Bucket {
    /// `base` is the endpoint URL (`http(s)://host[:port]`); `path_style` as the endpoint needs.
    pub(crate) fn new(
        base: reqwest::Url,
        path_style: bool,
        name: &str,
        region: &str,
        credentials: Option<Credentials>,
        http: Client,
        timeout: Duration,
    ) -> Result<Self, String> {
        let endpoint = base.as_str().trim_end_matches('/').to_owned();
        let style = if path_style { UrlStyle::Path } else { UrlStyle::VirtualHost };
        let bucket = rusty_s3::Bucket::new(base, style, name.to_owned(), region.to_owned())
            .map_err(|error| format!("{error:?}"))?;
        Ok(S3Bucket { bucket, credentials, http, endpoint, deadline: Instant::now() + timeout, timeout })
    }

    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether the bucket exists: a one-key listing, whose errors (unlike HEAD's) say why.
    pub(crate) fn exists(&self) -> Result<bool, S3Error> {
        let mut list = ListObjectsV2::new(&self.bucket, self.credentials.as_ref());
        list.with_max_keys(1);
        match self.send(list.sign(SIGNED_FOR)) {
            Ok(_) => Ok(true),
            Err(error) if error.code() == Some("NoSuchBucket") => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Calls `visit` with the key and entity tag (quotes trimmed, as minio-go gives them to
    /// Flux) of every object under `prefix`, following continuation tokens to the last page.
    pub(crate) fn list(
        &self,
        prefix: &str,
        mut visit: impl FnMut(String, String) -> Result<(), super::BucketError>,
    ) -> Result<(), ListError> {
        let mut token: Option<String> = None;
        loop {
            let mut list = ListObjectsV2::new(&self.bucket, self.credentials.as_ref());
            if !prefix.is_empty() {
                list.with_prefix(prefix);
            }
            if let Some(token) = &token {
                list.with_continuation_token(token.as_str());
            }
            let response = self.send(list.sign(SIGNED_FOR)).map_err(ListError::S3)?;
            let text = response.text().map_err(|error| ListError::S3(self.request_error(error)))?;
            let page = ListObjectsV2::parse_response(&text).map_err(|error| {
                ListError::S3(S3Error::Parse { endpoint: self.endpoint.clone(), message: error.to_string() })
            })?;
            for object in page.contents {
                visit(object.key, trim_etag(object.etag.as_deref().unwrap_or_default())).map_err(ListError::Visit)?;
            }
            match page.next_continuation_token {
                Some(next) => token = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Starts downloading `key`; `None` when there is no such object.
    pub(crate) fn get(&self, key: &str) -> Result<Option<Object>, S3Error> {
        let url = self.bucket.get_object(self.credentials.as_ref(), key).sign(SIGNED_FOR);
        match self.send(url) {
            Ok(body) => {
                let etag = body.headers().get(reqwest::header::ETAG).and_then(|value| value.to_str().ok());
                let etag = etag.map(trim_etag);
                Ok(Some(Object { body, etag }))
            }
            Err(error) if error.code() == Some("NoSuchKey") => Ok(None),
            // HEAD-like answers without a body: a missing object is still a 404.
            Err(S3Error::Status { status: StatusCode::NOT_FOUND, code: None, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn send(&self, url: reqwest::Url) -> Result<Response, S3Error> {
        if Instant::now() >= self.deadline {
            return Err(S3Error::Deadline(self.timeout));
        }
        let response = self.http.get(url).send().map_err(|error| self.request_error(error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        // An error body is small; a bigger one is not S3's.
        let body = response.text().unwrap_or_default();
        let (code, message) = (element(&body, "Code"), element(&body, "Message"));
        Err(S3Error::Status { endpoint: self.endpoint.clone(), status, code, message })
    }

    fn request_error(&self, error: reqwest::Error) -> S3Error {
        S3Error::Request { endpoint: self.endpoint.clone(), message: describe(&error.without_url()) }
    }
}

/// Why listing stopped: the server, or the caller's `visit`.
pub(crate) enum ListError {
    S3(S3Error),
    Visit(super::BucketError),
}

/// An entity tag without its quotes.
fn trim_etag(etag: &str) -> String {
    etag.trim_start_matches('"').trim_end_matches('"').to_owned()
}

/// The text of the first `<name>` element of an S3 error document, unescaped.
fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    let text = xml[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    (!text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// reqwest's error with its causes, which hold the useful part (connection refused, …).
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_error_documents_give_their_code_and_message() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
                    <Message>The request signature we calculated does not match &amp; so on</Message></Error>";
        assert_eq!(element(body, "Code").as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(
            element(body, "Message").as_deref(),
            Some("The request signature we calculated does not match & so on")
        );
        assert_eq!(element("<html>bad gateway</html>", "Code"), None);
    }

    #[test]
    fn entity_tags_lose_their_quotes() {
        assert_eq!(trim_etag("\"9b2cf535f27731c974343645a3985328\""), "9b2cf535f27731c974343645a3985328");
        assert_eq!(trim_etag("abc-2"), "abc-2");
    }
}
