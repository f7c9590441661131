//! An S3 server on loopback: moto's server (`moto[server]` from PyPI, which `scripts/setup`
//! installs), path-style, with buckets and objects made, changed and deleted by boto3 — an
//! independent client, not weir's S3 code.
//!
//! moto checks no signatures of presigned (query-signed) requests, so the server is moto's own
//! WSGI application behind a check of SigV4 query signatures done with botocore's signer
//! (`S3SigV4QueryAuth`): a request signed with a key other than [`ACCESS_KEY`]/[`SECRET_KEY`]
//! gets S3's `InvalidAccessKeyId` or `SignatureDoesNotMatch` error document, as AWS answers.
//! Unsigned requests and boto3's header-signed ones go to moto unchecked.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::net::{ServerProcess, free_port};
use crate::tls::Certificates;

/// The static keys the server accepts.
pub const ACCESS_KEY: &str = "weir-test-access";
pub const SECRET_KEY: &str = "weir-test-secret-key";

const SERVER: &str = r#"
import os, sys
from urllib.parse import parse_qsl
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEYS = {os.environ["WEIR_S3_ACCESS_KEY"]: os.environ["WEIR_S3_SECRET_KEY"]}
moto = DomainDispatcherApplication(create_backend_app)

def refuse(start_response, code, message):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>weir-test</RequestId></Error>' % (code, message)).encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]

def app(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if "X-Amz-Signature" in params:
        credential = params.get("X-Amz-Credential", "").split("/")
        secret = KEYS.get(credential[0])
        if secret is None or len(credential) < 5:
            return refuse(start_response, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.")
        host = environ["HTTP_HOST"]
        path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]).split("?")[0]
        unsigned = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Signature="))
        request = AWSRequest(method=environ["REQUEST_METHOD"], url="http://%s%s?%s" % (host, path, unsigned),
                             headers={"Host": host})
        request.context["timestamp"] = params.get("X-Amz-Date", "")
        auth = S3SigV4QueryAuth(Credentials(credential[0], secret), "s3", credential[2],
                                expires=int(params.get("X-Amz-Expires", "3600")))
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        if expected != params["X-Amz-Signature"]:
            return refuse(start_response, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.")
    return moto(environ, start_response)

# With a certificate and key: HTTPS.
tls = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else None
run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True, ssl_context=tls)
"#;

/// What every admin script starts with: a boto3 client for the server, and its input.
const CLIENT: &str = r#"
import json, sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", verify=sys.argv[2] or None,
                  aws_access_key_id="admin", aws_secret_access_key="admin",
                  config=Config(s3={"addressing_style": "path"}))
data = json.load(sys.stdin)
"#;

/// A moto S3 server, killed on drop.
pub struct S3Server {
    /// `127.0.0.1:<port>`: what a Bucket's `spec.endpoint` says (with `insecure: true` unless
    /// the server was started with TLS).
    pub endpoint: String,
    /// With TLS: the directory holding the server's certificate, key and CA files.
    tls: Option<tempfile::TempDir>,
    _server: ServerProcess,
}

impl S3Server {
    /// Starts the server over plain HTTP and waits until it answers.
    pub fn start() -> Self {
        Self::launch(None)
    }

    /// Starts the server over HTTPS with `certificates`' server certificate (for 127.0.0.1).
    pub fn start_tls(certificates: &Certificates) -> Self {
        let dir = tempfile::tempdir().expect("a TLS directory");
        std::fs::write(dir.path().join("server.crt"), &certificates.server_cert_pem).expect("cert");
        std::fs::write(dir.path().join("server.key"), &certificates.server_key_pem).expect("key");
        std::fs::write(dir.path().join("ca.crt"), &certificates.ca_pem).expect("CA");
        Self::launch(Some(dir))
    }

    fn launch(tls: Option<tempfile::TempDir>) -> Self {
        let port = free_port();
        let tls_args: Vec<std::path::PathBuf> =
            tls.iter().flat_map(|dir| [dir.path().join("server.crt"), dir.path().join("server.key")]).collect();
        let child = Command::new("python3")
            .args(["-c", SERVER, &port.to_string()])
            .args(&tls_args)
            .env("WEIR_S3_ACCESS_KEY", ACCESS_KEY)
            .env("WEIR_S3_SECRET_KEY", SECRET_KEY)
            .env("MOTO_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs moto (scripts/setup installs moto[server] and boto3)");
        let server = ServerProcess::listening(child, port);
        let s3 = S3Server { endpoint: format!("127.0.0.1:{port}"), tls, _server: server };
        // Listening is not answering yet: one request through the whole stack.
        s3.admin("s3.list_buckets()", &serde_json::json!({}));
        s3
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.endpoint)
    }

    pub fn create_bucket(&self, bucket: &str) {
        self.admin("s3.create_bucket(Bucket=data['bucket'])", &serde_json::json!({ "bucket": bucket }));
    }

    /// Uploads (or overwrites) objects: (key, content).
    pub fn put(&self, bucket: &str, objects: &[(&str, &str)]) {
        let objects: Vec<_> = objects.iter().map(|(key, body)| serde_json::json!([key, body])).collect();
        self.admin(
            "for key, body in data['objects']:\n    s3.put_object(Bucket=data['bucket'], Key=key, Body=body.encode())",
            &serde_json::json!({ "bucket": bucket, "objects": objects }),
        );
    }

    pub fn delete(&self, bucket: &str, keys: &[&str]) {
        self.admin(
            "for key in data['keys']:\n    s3.delete_object(Bucket=data['bucket'], Key=key)",
            &serde_json::json!({ "bucket": bucket, "keys": keys }),
        );
    }

    /// Every key of the bucket and its entity tag (quotes trimmed), as boto3 lists them.
    pub fn etags(&self, bucket: &str) -> Vec<(String, String)> {
        let output = self.admin(
            "pages = s3.get_paginator('list_objects_v2').paginate(Bucket=data['bucket'])\n\
             print(json.dumps([[o['Key'], o['ETag'].strip('\"')] for p in pages for o in p.get('Contents', [])]))",
            &serde_json::json!({ "bucket": bucket }),
        );
        serde_json::from_str(&output).expect("the listing is JSON")
    }

    /// Runs `script` after [`CLIENT`] with `data` on stdin; its stdout. Panics on failure.
    fn admin(&self, script: &str, data: &serde_json::Value) -> String {
        let mut child = Command::new("python3")
            .args(["-c", &format!("{CLIENT}{script}\n"), &self.url()])
            .arg(self.tls.as_ref().map(|dir| dir.path().join("ca.crt")).unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs boto3");
        child.stdin.take().expect("stdin").write_all(data.to_string().as_bytes()).expect("writing the input");
        let output = child.wait_with_output().expect("boto3 script");
        assert!(output.status.success(), "boto3 script failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}
