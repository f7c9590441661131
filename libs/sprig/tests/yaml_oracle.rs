//! `fromYaml` then `toYaml` and `toJson` of each `tests/yaml/NN.yaml`, against
//! what Helm 3.18 printed for the same document (`NN.out`).

mod common;

use common::call;
use weir_gotemplate::Value;

#[test]
fn documents_round_trip_as_helm_prints_them() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let expected = std::fs::read_to_string(input.with_extension("out")).unwrap();
        let decoded = call("fromYaml", &[Value::from(text)]).unwrap();
        let yaml = call("toYaml", std::slice::from_ref(&decoded)).unwrap();
        let json = call("toJson", &[decoded]).unwrap();
        assert_eq!(format!("{yaml}\n=====\n{json}"), expected, "{}", input.display());
    }
}
