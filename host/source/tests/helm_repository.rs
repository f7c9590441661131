//! Chart repositories as Helm users run them: charts packaged by `helm package`, indexed by
//! `helm repo index`, served by nginx over HTTP and HTTPS with basic auth and client
//! certificates; weir reads the index, picks versions, downloads and checks archives.

use std::time::Duration;

use weir_source::helm::{ChartIndex, ChartRepository, HelmCredentials, HelmError, package};
use weir_testkit::charts::{self, ServeOptions, StaticServer};
use weir_testkit::tls::Certificates;

const TIMEOUT: Duration = Duration::from_secs(20);

fn basic(username: &str, password: &str) -> HelmCredentials {
    HelmCredentials { username: Some(username.into()), password: Some(password.into()), ..Default::default() }
}

fn open(url: &str, credentials: HelmCredentials) -> ChartRepository {
    ChartRepository::new(url, credentials, false, TIMEOUT).unwrap()
}

#[test]
fn index_and_charts_over_basic_auth() {
    let repository = charts::ChartRepository::new();
    repository.publish("podinfo", "6.0.0", "", None).publish("podinfo", "6.1.0", "", None);
    let options = ServeOptions { basic_auth: Some(("fleet", "s3cret-pass")), ..Default::default() };
    let server = StaticServer::start(&repository.root, &options);

    let client = open(&server.url, basic("fleet", "s3cret-pass"));
    let index = ChartIndex::parse(&client.fetch_index().unwrap()).unwrap();
    let latest = index.select("podinfo", "6.x").unwrap();
    assert_eq!(latest.version, "6.1.0");
    let archive = client.download_chart(&latest.urls[0], latest.digest.as_deref()).unwrap();
    let chart = package::from_archive(archive).unwrap();
    assert_eq!((chart.name.as_str(), chart.version.as_str()), ("podinfo", "6.1.0"));

    for credentials in [basic("fleet", "wrong-pass"), HelmCredentials::default()] {
        let error = open(&server.url, credentials).fetch_index().unwrap_err();
        assert!(matches!(error, HelmError::Unauthorized { .. }), "{error:?}");
        assert!(!error.to_string().contains("wrong-pass"), "no secret in messages: {error}");
    }
}

#[test]
fn credentials_go_to_other_hosts_only_with_pass_credentials() {
    // The index on one server lists a chart on another; both want the same login.
    let charts_home = charts::ChartRepository::new();
    let options = ServeOptions { basic_auth: Some(("fleet", "s3cret-pass")), ..Default::default() };
    let chart_server = StaticServer::start(&charts_home.root, &options);
    charts_home.publish("app", "1.0.0", "", Some(&chart_server.url));
    let index_server = StaticServer::start(&charts_home.root, &options);

    let index_of = |pass: bool| {
        let client = ChartRepository::new(&index_server.url, basic("fleet", "s3cret-pass"), pass, TIMEOUT).unwrap();
        let entry = ChartIndex::parse(&client.fetch_index().unwrap()).unwrap().select("app", "*").unwrap();
        assert!(entry.urls[0].starts_with(&chart_server.url), "{:?}", entry.urls);
        client.download_chart(&entry.urls[0], entry.digest.as_deref())
    };
    assert!(matches!(index_of(false), Err(HelmError::Unauthorized { .. })));
    assert!(index_of(true).is_ok());
}

#[test]
fn https_with_a_custom_ca_and_a_client_certificate() {
    let repository = charts::ChartRepository::new();
    repository.publish("app", "0.3.0", "", None);
    let certificates = Certificates::generate();
    let options = ServeOptions { tls: Some(&certificates), require_client_certificate: true, ..Default::default() };
    let server = StaticServer::start(&repository.root, &options);

    let with_ca = HelmCredentials { ca_pem: Some(certificates.ca_pem.clone().into_bytes()), ..Default::default() };
    let with_client = HelmCredentials {
        cert_pem: Some(certificates.client_cert_pem.clone().into_bytes()),
        key_pem: Some(certificates.client_key_pem.clone().into_bytes()),
        ..with_ca.clone()
    };
    let index = open(&server.url, with_client).fetch_index().unwrap();
    assert!(ChartIndex::parse(&index).unwrap().select("app", "0.3.0").is_ok());

    // Without the CA the server is not trusted; without the client certificate nginx refuses.
    let untrusted = open(&server.url, HelmCredentials::default()).fetch_index().unwrap_err();
    assert!(untrusted.to_string().contains("certificate"), "{untrusted}");
    let no_client = open(&server.url, with_ca).fetch_index().unwrap_err();
    assert!(matches!(no_client, HelmError::Fetch { .. }), "{no_client:?}");
}

#[test]
fn a_download_that_does_not_match_the_index_digest_is_refused() {
    let repository = charts::ChartRepository::new();
    repository.publish("app", "1.0.0", "", None);
    let server = StaticServer::start(&repository.root, &ServeOptions::default());
    let client = open(&server.url, HelmCredentials::default());
    let entry = ChartIndex::parse(&client.fetch_index().unwrap()).unwrap().select("app", "1.0.0").unwrap();
    let error = client.download_chart(&entry.urls[0], Some(&"0".repeat(64))).unwrap_err();
    assert!(error.to_string().contains("digest mismatch"), "{error}");
}

#[test]
fn unreachable_and_missing_repositories_fail_with_the_url() {
    let port = weir_testkit::net::free_port();
    let error = open(&format!("http://127.0.0.1:{port}/charts"), HelmCredentials::default()).fetch_index().unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("failed to fetch http://127.0.0.1:{port}/charts/index.yaml")),
        "{error}"
    );
    let empty = tempfile::tempdir().unwrap();
    let server = StaticServer::start(empty.path(), &ServeOptions::default());
    let missing = open(&server.url, HelmCredentials::default()).fetch_index().unwrap_err();
    assert!(missing.to_string().ends_with("404 Not Found"), "{missing}");
}

#[test]
fn a_packaged_directory_is_a_chart_helm_reads() {
    let repository = charts::ChartRepository::new();
    let source = repository.chart_source("web", "2.4.0", "extra: true\n");
    let packaged = package::with_changes(package::package(package::read_dir(&source).unwrap()).unwrap(), None, Some("abcdef012345")).unwrap();
    assert_eq!(packaged.version, "2.4.0+abcdef012345");
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("web.tgz");
    std::fs::write(&archive, &packaged.archive).unwrap();
    let shown = charts::helm(work.path(), &["show", "chart", archive.to_str().unwrap()]);
    assert!(shown.contains("name: web") && shown.contains("version: 2.4.0+abcdef012345"), "{shown}");
    let ours = charts::helm(work.path(), &["template", "r", archive.to_str().unwrap()]);
    let helms = charts::helm(work.path(), &["template", "r", source.to_str().unwrap()]);
    // The only difference helm may see is the version in the chart label.
    assert_eq!(ours.replace("2.4.0+abcdef012345", "2.4.0").replace("2.4.0_abcdef012345", "2.4.0"), helms);
}
