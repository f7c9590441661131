//! The built-in tag-policy plugin: `weir-tag-policy` behind the WIT world.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::tag_policy::{Candidate, Order, PolicyRequest, Selection, TagFilter};
use weir_plugin_sdk::types::{Error, ErrorCode};
use weir_tag_policy as policy;

struct FluxTagPolicy;

impl Plugin for FluxTagPolicy {
    fn select(request: PolicyRequest) -> Result<String, Error> {
        policy::select(&policy::PolicyRequest {
            candidates: request.candidates.into_iter().map(candidate).collect(),
            selection: selection(request.selection),
            filter: request.filter.map(filter),
        })
        .map_err(error)
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

/// The request field at fault is the error's path: `selection` or `filter.pattern`.
fn error(error: policy::PolicyError) -> Error {
    let message = error.to_string();
    match error {
        policy::PolicyError::InvalidPolicy(_) => Error::new(ErrorCode::InvalidInput, message).at("selection"),
        policy::PolicyError::InvalidFilter(_) => Error::new(ErrorCode::InvalidInput, message).at("filter.pattern"),
        policy::PolicyError::InvalidTag(_) => Error::new(ErrorCode::InvalidInput, message),
        policy::PolicyError::NoMatch(_) => Error::new(ErrorCode::NoMatch, message),
    }
}

weir_plugin_sdk::register_plugin!(FluxTagPolicy: tag_policy);
