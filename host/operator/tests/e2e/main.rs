//! End to end: a real `git daemon`, the embedded API server and weir's
//! controllers in this process, one module per behaviour (as Flux's tests are
//! laid out), all in one binary so the large link happens once. The harness
//! is `weir_testkit::cluster` and `weir_testkit::git`.

mod bad_commit;
mod bucket;
mod cross_namespace;
mod decryption;
mod depends_on;
mod drift;
mod force;
mod git_recovery;
mod health;
mod helm_apply_method;
mod helm_dependencies;
mod helm_drift;
mod helm_force_reset;
mod helm_kubeconfig;
mod helm_oci;
mod helm_oci_digest;
mod helm_oci_repository;
mod helm_post_renderers;
mod helm_release;
mod helm_retry_on_failure;
mod helm_sources;
mod helm_support;
mod helm_tenancy;
mod helm_tenant_renderer;
mod helm_tests;
mod helm_uninstall;
mod helm_upgrade_options;
mod helm_verify;
mod http_source;
mod impersonation;
mod oci_source;
mod ordering;
mod prune;
mod suspend;
mod sync;
mod varsub;
