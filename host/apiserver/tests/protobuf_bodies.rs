//! Protobuf request bodies that are not what they claim: refused with
//! Kubernetes' status codes and nothing stored. Bodies are laid out by hand
//! from generated.proto's field numbers, not by the server's own encoder.

use kube::client::Body;
use kube::{Client, Config};
use serde_json::Value;
use weir_apiserver::{ApiServer, Authentication};

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

async fn client() -> Client {
    let auth = Authentication { admin_token: "admin".into(), ..Authentication::default() };
    let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
    let mut config = Config::new(server.url().parse().unwrap());
    tokio::spawn(server.serve());
    config.auth_info.token = Some("admin".to_owned().into());
    Client::try_from(config).unwrap()
}

fn field(number: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 128, "one-byte lengths keep the layout readable");
    [vec![number << 3 | 2, payload.len() as u8], payload.to_vec()].concat()
}

/// `k8s\0`, then runtime.Unknown { typeMeta { apiVersion, kind }, raw }.
fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let type_meta = [field(1, api_version.as_bytes()), field(2, kind.as_bytes())].concat();
    [b"k8s\0".to_vec(), field(1, &type_meta), field(2, raw)].concat()
}

/// A ConfigMap `name` in `default` with data {mode: fast}.
fn config_map(name: &str) -> Vec<u8> {
    let metadata = [field(1, name.as_bytes()), field(3, b"default")].concat();
    let data = [field(1, b"mode"), field(2, b"fast")].concat();
    [field(1, &metadata), field(2, &data)].concat()
}

/// POSTs `body` to `path`; the status code and the answer as JSON.
async fn post(client: &Client, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let request = hyper::Request::post(path).header("content-type", content_type).body(Body::from(body)).unwrap();
    let response = client.send(request).await.unwrap();
    let code = response.status().as_u16();
    let bytes = response.into_body().collect_bytes().await.unwrap();
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn stored(client: &Client) -> Vec<String> {
    let request = hyper::Request::get("/api/v1/namespaces/default/configmaps").body(Body::empty()).unwrap();
    let bytes = client.send(request).await.unwrap().into_body().collect_bytes().await.unwrap();
    let list: Value = serde_json::from_slice(&bytes).unwrap();
    list["items"].as_array().unwrap().iter().map(|item| item["metadata"]["name"].as_str().unwrap().to_owned()).collect()
}

const CONFIG_MAPS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn a_well_formed_body_is_stored() {
    let client = client().await;
    let (code, created) = post(&client, CONFIG_MAPS, PROTOBUF, envelope("v1", "ConfigMap", &config_map("good"))).await;
    assert_eq!((code, &created["data"]["mode"]), (201, &Value::from("fast")), "{created}");
    assert_eq!(stored(&client).await, ["good"]);
}

#[tokio::test]
async fn a_wrong_magic_is_400() {
    let client = client().await;
    let mut body = envelope("v1", "ConfigMap", &config_map("bad"));
    body[0] = b'j';
    let (code, status) = post(&client, CONFIG_MAPS, PROTOBUF, body).await;
    assert_eq!((code, &status["reason"]), (400, &Value::from("BadRequest")), "{status}");
    assert!(status["message"].as_str().unwrap().contains("does not appear to be a protobuf message"));
    assert!(stored(&client).await.is_empty());
}

#[tokio::test]
async fn truncated_and_garbage_bodies_are_400() {
    let client = client().await;
    let whole = envelope("v1", "ConfigMap", &config_map("cut"));
    for body in [whole[..whole.len() - 3].to_vec(), b"k8s\0\xff\xff\xff\xff\xff".to_vec(), b"k8s\0".to_vec()] {
        let (code, status) = post(&client, CONFIG_MAPS, PROTOBUF, body).await;
        assert_eq!(code, 400, "{status}");
        assert_eq!(status["kind"], "Status");
    }
    // An envelope whose message is cut inside a field.
    let cut_inside = envelope("v1", "ConfigMap", &[0x0a, 0x20, b'x']);
    assert_eq!(post(&client, CONFIG_MAPS, PROTOBUF, cut_inside).await.0, 400);
    assert!(stored(&client).await.is_empty());
}

#[tokio::test]
async fn a_type_that_does_not_match_the_url_is_400() {
    let client = client().await;
    let deployments = "/apis/apps/v1/namespaces/default/deployments";
    let (code, status) = post(&client, deployments, PROTOBUF, envelope("v1", "ConfigMap", &config_map("odd"))).await;
    assert_eq!(code, 400, "{status}");
    assert!(stored(&client).await.is_empty());
}

#[tokio::test]
async fn a_custom_resource_in_protobuf_is_415() {
    let client = client().await;
    let crd = serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]},
    });
    let definitions = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    assert_eq!(post(&client, definitions, "application/json", serde_json::to_vec(&crd).unwrap()).await.0, 201);
    let widgets = "/apis/example.com/v1/namespaces/default/widgets";
    let body = envelope("example.com/v1", "Widget", &field(1, &field(1, b"w")));
    let (code, status) = post(&client, widgets, PROTOBUF, body).await;
    assert_eq!((code, &status["reason"]), (415, &Value::from("UnsupportedMediaType")), "{status}");
}
