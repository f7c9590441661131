//! The library's `render`: a chart with a helper, `tpl`, `lookup`, a subchart
//! under an alias with globals, a hook, a test and notes, checked against
//! what `helm template rel app -n prod` (Helm 3.18) printed for it; and the
//! template failures as Helm words them.

mod common;

use common::load;
use weir_gotemplate::Map;
use weir_helm::{HelmError, Release, RenderOptions, Rendered, render};

const APP: &[(&str, &str)] = &[
    (
        "Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.2.3\ndependencies:\n  - name: db\n    version: 0.1.0\n    alias: store\n",
    ),
    (
        "values.yaml",
        "replicas: 3\ngreeting: \"hello {{ .Release.Name }}\"\nglobal:\n  region: eu\nstore:\n  size: 5Gi\n",
    ),
    (
        "templates/_helpers.tpl",
        "{{- define \"app.labels\" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n{{- end -}}\n",
    ),
    (
        "templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template: {{ .Template.Name }}\n",
    ),
    (
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ tpl .Values.greeting . | quote }}\n  lookup: {{ lookup \"v1\" \"Secret\" \"ns\" \"x\" | len | quote }}\n  kube: {{ .Capabilities.KubeVersion }}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n",
    ),
    (
        "templates/hook.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: hook-succeeded\n",
    ),
    (
        "templates/tests/t.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations:\n    helm.sh/hook: test\n",
    ),
    ("templates/NOTES.txt", "Installed {{ .Release.Name }}.\n"),
    ("charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 0.1.0\n"),
    ("charts/db/values.yaml", "size: 1Gi\n"),
    (
        "charts/db/templates/pvc.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values.global.region }}\nspec:\n  size: {{ .Values.size }}\n",
    ),
];

fn options() -> RenderOptions {
    RenderOptions {
        release: Release {
            name: "rel".into(),
            namespace: "prod".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            service: "Helm".into(),
        },
        kube_version: String::new(),
        api_versions: Vec::new(),
        include_crds: false,
        skip_tests: false,
    }
}

fn render_app(options: &RenderOptions) -> Rendered {
    render(load(APP), Map::new(), options).unwrap()
}

#[test]
fn manifests_come_in_install_order_one_document_each() {
    let rendered = render_app(&options());
    let sources: Vec<(&str, &str)> = rendered.manifests.iter().map(|m| (m.name.as_str(), m.kind.as_str())).collect();
    assert_eq!(
        sources,
        [
            ("app/templates/cm.yaml", "Namespace"),
            ("app/templates/cm.yaml", "ConfigMap"),
            ("app/charts/store/templates/pvc.yaml", "PersistentVolumeClaim"),
            ("app/templates/deploy.yaml", "Deployment"),
        ]
    );
    assert_eq!(
        rendered.manifests[1].content,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel-cm\ndata:\n  greeting: \"hello rel\"\n  lookup: \"0\"\n  kube: v1.33.0"
    );
    assert_eq!(
        rendered.manifests[3].content,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel\n  labels:\n    app: app\n    release: rel\nspec:\n  replicas: 3\n  template: app/templates/deploy.yaml"
    );
}

#[test]
fn a_subchart_sees_its_aliased_values_and_the_globals() {
    let rendered = render_app(&options());
    assert_eq!(
        rendered.manifests[2].content,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: store-eu\nspec:\n  size: 5Gi"
    );
}

#[test]
fn hooks_and_notes_stay_out_of_the_manifests() {
    let rendered = render_app(&options());
    let hooks: Vec<(&str, &[String], i64)> =
        rendered.hooks.iter().map(|h| (h.path.as_str(), h.events.as_slice(), h.weight)).collect();
    assert_eq!(
        hooks,
        [
            ("app/templates/tests/t.yaml", &["test".to_owned()][..], 0),
            ("app/templates/hook.yaml", &["pre-install".to_owned(), "pre-upgrade".to_owned()][..], -5),
        ]
    );
    assert_eq!(rendered.hooks[1].delete_policies, ["hook-succeeded"]);
    assert_eq!(rendered.notes.as_deref(), Some("Installed rel.\n"));

    let without_tests = render_app(&RenderOptions { skip_tests: true, ..options() });
    assert_eq!(without_tests.hooks.len(), 1);
    assert_eq!(without_tests.hooks[0].name, "migrate");
}

fn render_one(template: &str) -> Result<Rendered, HelmError> {
    let chart = load(&[
        ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("values.yaml", "a: 1\n"),
        ("templates/_h.tpl", "{{- define \"req\" -}}\n{{ required \"need foo\" .Values.foo }}\n{{- end -}}\n"),
        ("templates/a.yaml", template),
    ]);
    render(chart, Map::new(), &options())
}

fn failure(template: &str) -> String {
    match render_one(template) {
        Err(HelmError::TemplateFailed(message)) => message,
        other => panic!("{template}: expected a template failure, got {other:?}"),
    }
}

#[test]
fn template_failures_read_as_helms() {
    // `required` inside an include is reported at the outer template's position.
    assert_eq!(failure("x: {{ include \"req\" . }}\n"), "execution error at (c/templates/a.yaml:1:6): need foo");
    assert_eq!(failure("x: {{ fail \"boom\" }}\n"), "execution error at (c/templates/a.yaml:1:6): boom");
    assert_eq!(
        failure("x: {{ .Values.a.b }}\n"),
        "template: c/templates/a.yaml:1:13: executing \"c/templates/a.yaml\" at <.Values.a.b>: can't evaluate field b in type interface {}"
    );
    assert_eq!(failure("x: {{ nope }}\n"), "parse error at (c/templates/a.yaml:1): function \"nope\" not defined");
    assert_eq!(
        failure("x: {{ include \"nope\" . }}\n"),
        "template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\""
    );
}

#[test]
fn a_library_chart_is_not_installable() {
    let chart = load(&[("Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")]);
    assert_eq!(
        render(chart, Map::new(), &options()).unwrap_err(),
        HelmError::InvalidChart("library charts are not installable".into())
    );
}
