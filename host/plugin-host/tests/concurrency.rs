//! Hundreds of calls at once from tokio tasks, each in its own sandbox.

mod common;

use std::sync::Arc;

use weir_plugin_host::tag_policy::{Candidate, PolicyRequest, Selection, TagPolicyPlugin};

const CALLS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_concurrent_calls_all_answer_correctly() {
    let runtime = common::runtime();
    let policy = Arc::new(TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "tag-policy")).unwrap());
    let tasks: Vec<_> = (0..CALLS)
        .map(|call| {
            let policy = policy.clone();
            tokio::spawn(async move {
                // Each call has its own answer, so crossed wires would show.
                let candidates =
                    (0..=call).map(|minor| Candidate { tag: format!("1.{minor}.0"), created: None }).collect();
                let request = PolicyRequest { candidates, selection: Selection::Semver("^1".into()), filter: None };
                let tenant = format!("tenant-{}", call % 7);
                (call, policy.select(&tenant, &request).await)
            })
        })
        .collect();
    for task in tasks {
        let (call, outcome) = task.await.unwrap();
        assert_eq!(outcome.unwrap().unwrap(), format!("1.{call}.0"));
    }
}
