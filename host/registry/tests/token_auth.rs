//! Bearer token auth on a real registry (distribution's `auth: token`, verifying the JWTs a
//! small issuer signs): tokens fetched with the credentials for the scope asked, cached, and
//! refused without the right credentials.

mod common;

use common::{client, push_image, reference};
use weir_registry::{Credentials, RegistryError};
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};

fn registry() -> Registry {
    Registry::start(&RegistryOptions {
        auth: RegistryAuth::Token { username: "robot", password: "token-pw" },
        ..RegistryOptions::default()
    })
}

#[test]
fn tokens_for_pull_and_push_are_fetched_once_per_scope() {
    let registry = registry();
    let issuer = registry.tokens.as_ref().unwrap();
    let client = client(Some(Credentials::new("robot", "token-pw")));
    let app = reference(&registry, "team/app:v1");
    let pushed = push_image(&client, &app, &[b"layer one", b"layer two"]);
    let after_push = issuer.requests();
    assert_eq!(after_push, 1, "one pull,push token for the whole push");

    assert_eq!(client.manifest(&app).expect("manifest").digest, pushed.manifest_digest);
    assert_eq!(client.tags(&app).expect("tags"), ["v1"]);
    let mut sink = Vec::new();
    client.blob(&app, &pushed.layers[0].0, &mut sink).expect("blob");
    assert_eq!(issuer.requests(), after_push + 1, "one pull token, cached for the reads");

    // Another repository is another scope.
    push_image(&client, &reference(&registry, "team/other:v1"), &[b"x"]);
    assert_eq!(issuer.requests(), after_push + 2);
}

#[test]
fn without_the_right_credentials_the_registry_refuses() {
    let registry = registry();
    let app = reference(&registry, "team/app:v1");
    push_image(&client(Some(Credentials::new("robot", "token-pw"))), &app, &[b"layer"]);

    // The issuer hands out tokens without access; the registry refuses them.
    for credentials in [None, Some(Credentials::new("robot", "wrong"))] {
        let error = client(credentials).manifest(&app).expect_err("no access");
        let RegistryError::Unauthorized { registry: named, status, .. } = &error else { panic!("{error:?}") };
        assert_eq!(*named, registry.host);
        assert_eq!(status, "401 Unauthorized");
        let message = error.to_string();
        assert!(message.contains("authentication required") && !message.contains("wrong"), "{message}");
    }
}
