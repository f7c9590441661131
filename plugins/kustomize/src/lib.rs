//! kustomize build (kustomize v5 semantics): being written, see issue 4.
