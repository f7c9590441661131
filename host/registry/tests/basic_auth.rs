//! htpasswd basic auth on a real registry: anonymous and wrong credentials are refused with a
//! message naming the registry, the right ones (given, or from a dockerconfigjson) work.

mod common;

use base64::Engine;
use common::{client, push_image, reference};
use weir_registry::{Credentials, DockerConfig, RegistryError};
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};

fn registry() -> Registry {
    Registry::start(&RegistryOptions {
        auth: RegistryAuth::Basic { username: "weir", password: "s3cret-pw" },
        ..RegistryOptions::default()
    })
}

#[test]
fn the_right_credentials_push_and_pull() {
    let registry = registry();
    let client = client(Some(Credentials::new("weir", "s3cret-pw")));
    let app = reference(&registry, "private/app:v1");
    let pushed = push_image(&client, &app, &[b"secret layer"]);
    assert_eq!(client.manifest(&app).expect("manifest").digest, pushed.manifest_digest);
    assert_eq!(client.tags(&app).expect("tags"), ["v1"]);
}

#[test]
fn anonymous_and_wrong_credentials_are_unauthorized_naming_the_registry() {
    let registry = registry();
    let app = reference(&registry, "private/app:v1");
    push_image(&client(Some(Credentials::new("weir", "s3cret-pw"))), &app, &[b"layer"]);

    let error = client(Some(Credentials::new("weir", "wrong-pw"))).manifest(&app).expect_err("wrong password");
    let RegistryError::Unauthorized { registry: named, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*named, registry.host);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "unauthorized by registry {}: GET http://{}/v2/private/app/manifests/v1: 401 Unauthorized",
            registry.host, registry.host
        )),
        "{message}"
    );
    assert!(message.contains("authentication required"), "the registry's own message: {message}");
    assert!(!message.contains("wrong-pw") && !format!("{error:?}").contains("wrong-pw"), "{error:?}");

    let error = client(None).tags(&app).expect_err("anonymous");
    assert!(matches!(error, RegistryError::Unauthorized { .. }), "{error:?}");
}

#[test]
fn credentials_from_a_dockerconfigjson() {
    let registry = registry();
    let auth = base64::engine::general_purpose::STANDARD.encode("weir:s3cret-pw");
    let json = format!(
        r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"ZG9ja2VyOmh1Yg=="}},"http://{}":{{"auth":"{auth}"}}}}}}"#,
        registry.host
    );
    let config = DockerConfig::parse(json.as_bytes()).expect("docker config");
    let credentials = config.credentials_for(&registry.host).expect("credentials for the registry");
    let client = client(Some(credentials));
    let app = reference(&registry, "private/app:v1");
    let pushed = push_image(&client, &app, &[b"layer"]);
    assert_eq!(client.manifest_digest(&app).expect("HEAD"), Some(pushed.manifest_digest));
}
