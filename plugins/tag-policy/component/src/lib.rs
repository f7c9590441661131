//! The built-in tag-policy plugin: `weir-tag-policy` behind the WIT world.

use weir_plugin_sdk::tag_policy::{Candidate, Order, PolicyError, PolicyRequest, Selection, TagFilter, TagPolicy};
use weir_plugin_sdk::types::ErrorDetail;
use weir_tag_policy as policy;

struct FluxTagPolicy;

impl TagPolicy for FluxTagPolicy {
    fn select(request: PolicyRequest) -> Result<String, PolicyError> {
        let policy_field = policy_field(&request.selection);
        policy::select(&policy::PolicyRequest {
            candidates: request.candidates.into_iter().map(candidate).collect(),
            selection: selection(request.selection),
            filter: request.filter.map(filter),
        })
        .map_err(|err| error(err, policy_field))
    }
}

/// The ImagePolicy field a policy error is about.
fn policy_field(selection: &Selection) -> &'static str {
    match selection {
        Selection::Semver(_) => "spec.policy.semver.range",
        Selection::Alphabetical(_) => "spec.policy.alphabetical.order",
        Selection::Numerical(_) => "spec.policy.numerical.order",
        Selection::Expression(_) => "spec.policy",
    }
}

fn candidate(candidate: Candidate) -> policy::Candidate {
    policy::Candidate { tag: candidate.tag, created: candidate.created }
}

fn order(order: Order) -> policy::Order {
    match order {
        Order::Asc => policy::Order::Asc,
        Order::Desc => policy::Order::Desc,
    }
}

fn selection(selection: Selection) -> policy::Selection {
    match selection {
        Selection::Semver(range) => policy::Selection::Semver(range),
        Selection::Alphabetical(direction) => policy::Selection::Alphabetical(order(direction)),
        Selection::Numerical(direction) => policy::Selection::Numerical(order(direction)),
        Selection::Expression(expression) => policy::Selection::Expression(expression),
    }
}

fn filter(filter: TagFilter) -> policy::TagFilter {
    policy::TagFilter { pattern: filter.pattern, extract: filter.extract }
}

fn error(error: policy::PolicyError, policy_field: &str) -> PolicyError {
    let detail = ErrorDetail::new(error.to_string());
    match error {
        policy::PolicyError::InvalidPolicy(_) => PolicyError::InvalidPolicy(detail.at_field(policy_field)),
        policy::PolicyError::InvalidFilter(_) => PolicyError::InvalidFilter(detail.at_field("spec.filterTags.pattern")),
        policy::PolicyError::InvalidTag(_) => PolicyError::InvalidTag(detail),
        policy::PolicyError::NoMatch(_) => PolicyError::NoMatch(detail),
    }
}

weir_plugin_sdk::export_tag_policy!(FluxTagPolicy);
