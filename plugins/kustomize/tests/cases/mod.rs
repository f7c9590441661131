//! The kustomization trees of the conformance suite, shared by the library's
//! conformance test and by `weir kustomize`'s (host/cli/tests), which
//! includes this file by path: each case is a tree written to a temp dir,
//! built by `kubectl kustomize` (kustomize v5.5.0, the oracle) and by weir.

#![allow(dead_code)] // each including test uses its own subset

use std::path::Path;

pub struct Case {
    pub name: &'static str,
    /// Directory (relative to the tree) to build.
    pub root: &'static str,
    pub files: &'static [(&'static str, &'static str)],
    /// Extra kubectl flags; mirrored into BuildOptions.
    pub load_none: bool,
}

macro_rules! deploy {
    () => {
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: sa
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        envFrom:
        - configMapRef:
            name: cfg
        - secretRef:
            name: sec
        env:
        - name: A
          valueFrom:
            configMapKeyRef:
              name: cfg
              key: a
        - name: B
          valueFrom:
            secretKeyRef:
              name: sec
              key: b
        volumeMounts:
        - name: data
          mountPath: /data
      initContainers:
      - name: init
        image: busybox
      imagePullSecrets:
      - name: pull
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: pvc
      - name: conf
        configMap:
          name: cfg
      - name: s
        secret:
          secretName: sec
      - name: proj
        projected:
          sources:
          - configMap:
              name: cfg
          - secret:
              name: sec
"
    };
}

macro_rules! service {
    () => {
        "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
"
    };
}

macro_rules! cm {
    () => {
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: \"1\"
  b: \"true\"
"
    };
}

macro_rules! misc {
    () => {
        "apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
type: Opaque
data:
  b: eA==
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: role
subjects:
- kind: ServiceAccount
  name: sa
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cr
subjects:
- kind: ServiceAccount
  name: sa
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
rules: []
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  tls:
  - secretName: sec
  defaultBackend:
    service:
      name: web
      port:
        number: 80
  rules:
  - host: x.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
"
    };
}

macro_rules! sts {
    () => {
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: web
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                app: db
      containers:
      - name: db
        image: postgres:16
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
"
    };
}

macro_rules! cronjob {
    () => {
        "apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  schedule: \"*/5 * * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox:1.36
            args: [\"sh\", \"-c\", \"date; echo hello\"]
            envFrom:
            - configMapRef:
                name: cfg
"
    };
}

macro_rules! crd_obj {
    () => {
        "apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
spec:
  size: 3
  items:
  - name: a
    value: 1
  - name: b
    value: 2
  template:
    spec:
      containers:
      - name: c
        image: nginx
"
    };
}

const K_ALL: &str = "resources:\n- deploy.yaml\n- service.yaml\n- cm.yaml\n- misc.yaml\n";

macro_rules! base_files {
    () => {
        [
            ("base/deploy.yaml", deploy!()),
            ("base/service.yaml", service!()),
            ("base/cm.yaml", cm!()),
            ("base/misc.yaml", misc!()),
            ("base/kustomization.yaml", "resources:\n- deploy.yaml\n- service.yaml\n- cm.yaml\n- misc.yaml\n"),
        ]
    };
}

macro_rules! case {
    ($name:expr, $root:expr, [$($f:expr),* $(,)?]) => {
        Case { name: $name, root: $root, files: &[$($f),*], load_none: false }
    };
}

macro_rules! with_base {
    ($name:expr, $k:expr $(, $f:expr)* $(,)?) => {{
        const B: [(&str, &str); 5] = base_files!();
        Case { name: $name, root: "overlay", files: &[B[0], B[1], B[2], B[3], B[4], ("overlay/kustomization.yaml", $k) $(, $f)*], load_none: false }
    }};
}

/// Error cases (named "error ...") and the error kind weir must report.
pub const EXPECTED_ERRORS: &[(&str, &str)] = &[
    ("error empty kustomization", "invalid-input"),
    ("error same base twice", "conflict"),
    ("error replacement target field missing", "invalid-input"),
    ("error replacement source missing", "invalid-input"),
    ("error replacement source field missing", "invalid-input"),
    ("error missing resource file", "not-found"),
    ("error no kustomization", "not-found"),
    ("error root escape", "load-restricted"),
    ("error invalid yaml resource", "invalid-input"),
    ("error invalid kustomization yaml", "invalid-input"),
    ("error duplicate ids", "conflict"),
    ("error cycle", "conflict"),
    ("error missing base dir", "not-found"),
    ("error merge without base", "invalid-input"),
    ("error patch file missing", "not-found"),
    ("error smp patch without match", "invalid-input"),
    ("error missing kind", "invalid-input"),
    ("error generator file missing", "not-found"),
    ("error generator file escapes root", "load-restricted"),
    ("error duplicate generator keys", "invalid-input"),
    ("error json patch bad path", "invalid-input"),
    ("error component as resource", "invalid-input"),
    ("error literal without equals", "invalid-input"),
    ("error patch patch invalid yaml", "invalid-input"),
    ("error bool namespace yaml 1.1", "invalid-input"),
    ("error bool label yaml 1.1", "invalid-input"),
    ("error two kustomization files", "invalid-input"),
    ("error bool key yaml 1.1", "invalid-input"),
    ("error vars duplicate name", "conflict"),
    ("error images numeric tag", "invalid-input"),
    ("error resource without name", "invalid-input"),
    ("error empty json patch", "invalid-input"),
    ("error kustomization odd kind", "invalid-input"),
    ("error kustomization wrong api version", "invalid-input"),
    ("error component wrong api version", "invalid-input"),
    ("error kustomization only type fields", "invalid-input"),
    ("error smp scalar replaced by map on crd", "invalid-input"),
    ("error json6902 add two levels missing", "invalid-input"),
    ("error json6902 remove missing", "invalid-input"),
    ("error resource with generateName", "invalid-input"),
    ("error generator files from directory", "invalid-input"),
    ("error unknown field", "invalid-input"),
    ("error helm charts", "unsupported"),
    ("error generator plugins", "unsupported"),
    ("error crds file missing", "not-found"),
    ("error vars unknown object", "invalid-input"),
];

pub const CASES: &[Case] = &[
    // ---- resources
    case!("single file", "", [("kustomization.yaml", "resources:\n- deploy.yaml\n"), ("deploy.yaml", deploy!())]),
    case!(
        "all kinds legacy order",
        "",
        [
            ("kustomization.yaml", K_ALL),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!())
        ]
    ),
    case!("kustomization.yml name", "", [("kustomization.yml", "resources:\n- cm.yaml\n"), ("cm.yaml", cm!())]),
    case!("Kustomization name", "", [("Kustomization", "resources:\n- cm.yaml\n"), ("cm.yaml", cm!())]),
    case!(
        "multi doc with separators and comments",
        "",
        [
            ("kustomization.yaml", "resources:\n- all.yaml\n"),
            (
                "all.yaml",
                "---\n# comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b # trailing\ndata: {x: y}\n...\n"
            ),
        ]
    ),
    case!(
        "List kind flattened",
        "",
        [
            ("kustomization.yaml", "resources:\n- list.yaml\n"),
            (
                "list.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n"
            ),
        ]
    ),
    case!(
        "directory resource",
        "",
        [
            ("kustomization.yaml", "resources:\n- sub\n"),
            ("sub/kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("sub/cm.yaml", cm!()),
        ]
    ),
    case!(
        "legacy bases",
        "overlay",
        [
            ("overlay/kustomization.yaml", "bases:\n- ../base\nnamePrefix: o-\n"),
            ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("base/cm.yaml", cm!()),
        ]
    ),
    case!(
        "crd object and unknown kinds",
        "",
        [
            ("kustomization.yaml", "namespace: apps\nnamePrefix: x-\ncommonLabels:\n  team: a\nresources:\n- w.yaml\n"),
            ("w.yaml", crd_obj!()),
        ]
    ),
    case!(
        "reorder none via sortOptions fifo",
        "",
        [
            (
                "kustomization.yaml",
                "sortOptions:\n  order: fifo\nresources:\n- deploy.yaml\n- service.yaml\n- cm.yaml\n- misc.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
        ]
    ),
    case!(
        "sortOptions legacy explicit",
        "",
        [
            ("kustomization.yaml", "sortOptions:\n  order: legacy\nresources:\n- misc.yaml\n- cm.yaml\n"),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
        ]
    ),
    case!(
        "scalars and quoting",
        "",
        [
            ("kustomization.yaml", "resources:\n- cm.yaml\n"),
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\n  annotations:\n    yes-ish: \"yes\"\n    num: \"0123\"\n    flt: \"1.5\"\ndata:\n  empty: \"\"\n  colon: \"a: b\"\n  hash: \"a #b\"\n  lead: \" x\"\n  multi: |\n    line1\n    line2\n  strip: |-\n    one\n    two\n  keep: |+\n    k\n\n  quote: \"it's\"\n  dq: 'say \"hi\"'\n  tab: \"a\\tb\"\n  star: \"*x\"\n  on: \"on\"\n  nul: \"null\"\n  tilde: \"~\"\n  date: \"2024-01-02\"\n  uni: \"héllo wörld\"\n  long: \"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua\"\n"
            ),
        ]
    ),
    case!(
        "numbers and bools",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  i: 42\n  neg: -7\n  f: 1.50\n  e: 1e3\n  big: 12345678901234\n  oct: 0o17\n  hex: 0xff\n  b: true\n  n: null\n  t: ~\n  list: [1, 2.5, \"3\", false]\n  nested: [[1, 2], [3]]\n  emptymap: {}\n  emptylist: []\n"
            ),
        ]
    ),
    case!(
        "flow styles and anchors",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow, labels: {a: b}}\ndata:\n  base: &b hello\n  ref: *b\n"
            ),
        ]
    ),
    // ---- namespace
    case!(
        "namespace",
        "",
        [
            (
                "kustomization.yaml",
                "namespace: prod\nresources:\n- deploy.yaml\n- service.yaml\n- cm.yaml\n- misc.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
        ]
    ),
    case!(
        "namespace renames Namespace object",
        "",
        [
            ("kustomization.yaml", "namespace: prod\nresources:\n- ns.yaml\n"),
            (
                "ns.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: dev\n"
            ),
        ]
    ),
    case!(
        "namespace overrides existing",
        "",
        [
            ("kustomization.yaml", "namespace: b\nresources:\n- cm.yaml\n"),
            ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n"),
        ]
    ),
    case!(
        "namespace on webhook service",
        "",
        [
            ("kustomization.yaml", "namespace: sys\nresources:\n- wh.yaml\n"),
            (
                "wh.yaml",
                "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: vw\nwebhooks:\n- name: a.example.com\n  clientConfig:\n    service:\n      name: svc\n      namespace: old\n      path: /v\n"
            ),
        ]
    ),
    // ---- prefix / suffix and references
    case!(
        "prefix and suffix with references",
        "",
        [
            (
                "kustomization.yaml",
                "namePrefix: pre-\nnameSuffix: -suf\nresources:\n- deploy.yaml\n- service.yaml\n- cm.yaml\n- misc.yaml\n- sts.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "prefix namespace and references",
        "",
        [
            (
                "kustomization.yaml",
                "namePrefix: p-\nnamespace: team\nresources:\n- deploy.yaml\n- cm.yaml\n- misc.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
        ]
    ),
    case!(
        "prefix skips crd and namespace",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
            ),
        ]
    ),
    case!(
        "cronjob references",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- cj.yaml\n- cm.yaml\n"),
            ("cj.yaml", cronjob!()),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "overlay prefix over base prefix",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n- cm.yaml\n- misc.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            ("base/cm.yaml", cm!()),
            ("base/misc.yaml", misc!()),
            ("overlay/kustomization.yaml", "namePrefix: o-\nnameSuffix: -v2\nresources:\n- ../base\n"),
        ]
    ),
    case!(
        "hpa scale target",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- deploy.yaml\n- hpa.yaml\n"),
            ("deploy.yaml", deploy!()),
            (
                "hpa.yaml",
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 1\n  maxReplicas: 3\n"
            ),
        ]
    ),
    case!(
        "two bases same names different namespaces",
        "",
        [
            ("kustomization.yaml", "resources:\n- a\n- b\n"),
            ("a/kustomization.yaml", "namespace: a\nnamePrefix: a-\nresources:\n- cm.yaml\n"),
            ("b/kustomization.yaml", "namespace: b\nnamePrefix: b-\nresources:\n- cm.yaml\n"),
            ("a/cm.yaml", cm!()),
            ("b/cm.yaml", cm!()),
        ]
    ),
    // ---- labels and annotations
    case!(
        "commonLabels",
        "",
        [
            (
                "kustomization.yaml",
                "commonLabels:\n  app.kubernetes.io/part-of: shop\n  env: dev\nresources:\n- deploy.yaml\n- service.yaml\n- sts.yaml\n- cj.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
            ("sts.yaml", sts!()),
            ("cj.yaml", cronjob!()),
        ]
    ),
    case!(
        "commonLabels on misc kinds",
        "",
        [
            ("kustomization.yaml", "commonLabels:\n  env: dev\nresources:\n- misc.yaml\n- x.yaml\n"),
            ("misc.yaml", misc!()),
            (
                "x.yaml",
                "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: pdb\nspec:\n  selector:\n    matchLabels:\n      app: web\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          role: fe\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers:\n      - name: j\n        image: busybox\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\nspec:\n  template:\n    spec:\n      containers:\n      - name: d\n        image: busybox\n"
            ),
        ]
    ),
    case!(
        "labels without selectors",
        "",
        [
            ("kustomization.yaml", "labels:\n- pairs:\n    owner: me\nresources:\n- deploy.yaml\n- service.yaml\n"),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "labels include selectors",
        "",
        [
            (
                "kustomization.yaml",
                "labels:\n- pairs:\n    owner: me\n  includeSelectors: true\nresources:\n- deploy.yaml\n- service.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "labels include templates",
        "",
        [
            (
                "kustomization.yaml",
                "labels:\n- pairs:\n    owner: me\n  includeTemplates: true\n- pairs:\n    tier: x\nresources:\n- deploy.yaml\n- cj.yaml\n- sts.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cj.yaml", cronjob!()),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "commonAnnotations",
        "",
        [
            (
                "kustomization.yaml",
                "commonAnnotations:\n  note: \"hello: world\"\n  count: \"3\"\nresources:\n- deploy.yaml\n- cj.yaml\n- sts.yaml\n- cm.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cj.yaml", cronjob!()),
            ("sts.yaml", sts!()),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "label values non-string",
        "",
        [
            (
                "kustomization.yaml",
                "commonLabels:\n  version: \"2\"\n  flag: \"true\"\ncommonAnnotations:\n  x: \"1.0\"\nresources:\n- cm.yaml\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    // ---- images and replicas
    case!(
        "images",
        "",
        [
            (
                "kustomization.yaml",
                "images:\n- name: nginx\n  newTag: \"1.27\"\n- name: busybox\n  newName: registry.example.com/busybox\n  newTag: stable\n- name: postgres\n  digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3\nresources:\n- deploy.yaml\n- sts.yaml\n- cj.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("sts.yaml", sts!()),
            ("cj.yaml", cronjob!()),
        ]
    ),
    case!(
        "images newName only and crd containers",
        "",
        [
            (
                "kustomization.yaml",
                "images:\n- name: nginx\n  newName: my/nginx\nresources:\n- w.yaml\n- deploy.yaml\n"
            ),
            ("w.yaml", crd_obj!()),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "images with registry port",
        "",
        [
            ("kustomization.yaml", "images:\n- name: localhost:5000/app\n  newTag: v2\nresources:\n- p.yaml\n"),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: localhost:5000/app:v1\n  - name: b\n    image: localhost:5000/app\n"
            ),
        ]
    ),
    case!(
        "replicas",
        "",
        [
            (
                "kustomization.yaml",
                "replicas:\n- name: web\n  count: 5\n- name: db\n  count: 0\nresources:\n- deploy.yaml\n- sts.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "replicas with prefix in overlay",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            ("overlay/kustomization.yaml", "replicas:\n- name: b-web\n  count: 2\nresources:\n- ../base\n"),
        ]
    ),
    // ---- generators
    case!(
        "configmap generator literals",
        "",
        [(
            "kustomization.yaml",
            "configMapGenerator:\n- name: app\n  literals:\n  - A=1\n  - B=hello world\n  - C=\"quoted\"\n  - D=\n  - E=a=b\n"
        ),]
    ),
    case!(
        "configmap generator files and envs",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: files\n  files:\n  - app.properties\n  - renamed.txt=data.txt\n- name: envs\n  envs:\n  - a.env\n"
            ),
            ("app.properties", "x=1\ny=2\n"),
            ("data.txt", "some text\nwith lines\n"),
            ("a.env", "# comment\nFOO=bar\n\nBAZ=qux=1\nEMPTY=\n"),
        ]
    ),
    case!(
        "secret generator",
        "",
        [
            (
                "kustomization.yaml",
                "secretGenerator:\n- name: creds\n  literals:\n  - user=admin\n  - pass=s3cr3t\n- name: tls\n  type: kubernetes.io/tls\n  files:\n  - tls.crt\n  - tls.key\n"
            ),
            ("tls.crt", "CERT\n"),
            ("tls.key", "KEY\n"),
        ]
    ),
    case!(
        "generator options",
        "",
        [(
            "kustomization.yaml",
            "generatorOptions:\n  labels:\n    gen: \"yes\"\n  annotations:\n    note: x\nconfigMapGenerator:\n- name: a\n  literals: [k=v]\n  options:\n    labels:\n      own: \"1\"\n    disableNameSuffixHash: true\n- name: b\n  literals: [k=v]\n  options:\n    immutable: true\n"
        ),]
    ),
    case!(
        "generator disable hash globally",
        "",
        [(
            "kustomization.yaml",
            "generatorOptions:\n  disableNameSuffixHash: true\nconfigMapGenerator:\n- name: a\n  literals: [k=v]\nsecretGenerator:\n- name: s\n  literals: [k=v]\n"
        ),]
    ),
    case!(
        "generated names referenced with prefix",
        "",
        [
            (
                "kustomization.yaml",
                "namePrefix: p-\nnamespace: nn\nconfigMapGenerator:\n- name: cfg\n  literals: [a=1]\nsecretGenerator:\n- name: sec\n  literals: [b=2]\n- name: pull\n  type: kubernetes.io/dockerconfigjson\n  literals:\n  - .dockerconfigjson={}\nresources:\n- deploy.yaml\n- cj.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cj.yaml", cronjob!()),
        ]
    ),
    case!(
        "generator merge behavior in overlay",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "configMapGenerator:\n- name: cfg\n  literals: [a=1, b=2]\nresources:\n- deploy.yaml\n"
            ),
            ("base/deploy.yaml", deploy!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [b=3, c=4]\n"
            ),
        ]
    ),
    case!(
        "generator replace behavior in overlay",
        "overlay",
        [
            ("base/kustomization.yaml", "configMapGenerator:\n- name: cfg\n  literals: [a=1, b=2]\n"),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: replace\n  literals: [z=9]\n"
            ),
        ]
    ),
    case!(
        "generator merge into plain configmap",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [c=3]\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "generator with namespace",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: a\n  namespace: other\n  literals: [x=y]\n"),]
    ),
    case!(
        "generator special chars hash",
        "",
        [(
            "kustomization.yaml",
            "configMapGenerator:\n- name: html\n  literals:\n  - \"page=<a href='x'>&amp;</a>\"\n  - \"unicode=日本語\"\n"
        ),]
    ),
    case!(
        "generator multi-line file value",
        "",
        [
            ("kustomization.yaml", "configMapGenerator:\n- name: script\n  files:\n  - run.sh\n"),
            ("run.sh", "#!/bin/sh\necho \"hi\"\n  indented\n"),
        ]
    ),
    // ---- patches
    case!(
        "patch smp inline add container",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: sidecar\n            image: envoy\n          - name: web\n            resources:\n              limits:\n                cpu: 100m\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "patch smp file",
        "",
        [
            ("kustomization.yaml", "resources:\n- deploy.yaml\npatches:\n- path: patch.yaml\n"),
            ("deploy.yaml", deploy!()),
            (
                "patch.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - name: NEW\n          value: x\n        - name: A\n          value: direct\n"
            ),
        ]
    ),
    case!(
        "patch smp delete directive",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          initContainers:\n          - name: init\n            $patch: delete\n          volumes:\n          - name: conf\n            $patch: delete\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "patch smp null removes",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n      labels: null\n    spec:\n      replicas: null\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "patch smp delete resource",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\n- service.yaml\npatches:\n- patch: |-\n    $patch: delete\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n"
            ),
            ("cm.yaml", cm!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "patch with target kind",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- sts.yaml\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: ignored\n    spec:\n      minReadySeconds: 10\n"
            ),
            ("deploy.yaml", deploy!()),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "patch target regex name",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\npatches:\n- target:\n    kind: ConfigMap\n    name: app-.*\n  patch: |-\n    kind: ConfigMap\n    metadata:\n      name: x\n      annotations:\n        patched: \"true\"\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n"
            ),
        ]
    ),
    case!(
        "patch target label selector",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\npatches:\n- target:\n    labelSelector: tier=fe,env in (dev,qa)\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value:\n        sel: hit\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    tier: fe\n    env: dev\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels:\n    tier: fe\n    env: prod\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
            ),
        ]
    ),
    case!(
        "patch target annotation selector",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\npatches:\n- target:\n    annotationSelector: mark\n  patch: |-\n    - op: replace\n      path: /data/k\n      value: new\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    mark: \"\"\ndata:\n  k: old\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: old\n"
            ),
        ]
    ),
    case!(
        "json6902 ops",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 4\n    - op: add\n      path: /spec/template/spec/containers/0/args\n      value: [\"--verbose\"]\n    - op: remove\n      path: /spec/template/spec/initContainers\n    - op: add\n      path: /spec/template/spec/volumes/-\n      value:\n        name: tmp\n        emptyDir: {}\n    - op: copy\n      from: /metadata/labels/app\n      path: /metadata/labels/copied\n    - op: move\n      from: /spec/template/spec/serviceAccountName\n      path: /spec/template/spec/serviceAccount\n    - op: test\n      path: /kind\n      value: Deployment\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "json6902 json syntax from file",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- service.yaml\npatches:\n- path: p.json\n  target:\n    kind: Service\n    name: web\n"
            ),
            ("service.yaml", service!()),
            (
                "p.json",
                "[{\"op\": \"add\", \"path\": \"/spec/type\", \"value\": \"NodePort\"}, {\"op\": \"replace\", \"path\": \"/spec/ports/0/port\", \"value\": 8080}]"
            ),
        ]
    ),
    case!(
        "legacy patchesStrategicMerge",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatchesStrategicMerge:\n- p.yaml\n- |-\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: web\n  spec:\n    type: LoadBalancer\n"
            ),
            ("deploy.yaml", concat!(deploy!(), "---\n", service!())),
            (
                "p.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      annotations:\n        x: y\n"
            ),
        ]
    ),
    case!(
        "legacy patchesJson6902",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\n  path: p.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("p.yaml", "- op: add\n  path: /metadata/annotations\n  value:\n    a: b\n"),
        ]
    ),
    case!(
        "patch on crd replaces lists",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- w.yaml\npatches:\n- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata:\n      name: w1\n    spec:\n      size: 5\n      items:\n      - name: c\n        value: 3\n"
            ),
            ("w.yaml", crd_obj!()),
        ]
    ),
    case!(
        "patch service ports merge",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- service.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n    spec:\n      ports:\n      - port: 443\n        targetPort: 8443\n        name: https\n"
            ),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "patch in base then prefix in overlay",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 2\n"
            ),
            ("base/deploy.yaml", deploy!()),
            (
                "overlay/kustomization.yaml",
                "namePrefix: o-\nresources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      paused: true\n"
            ),
        ]
    ),
    case!(
        "patch generated configmap changes hash",
        "",
        [(
            "kustomization.yaml",
            "configMapGenerator:\n- name: cfg\n  literals: [a=1]\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    - op: add\n      path: /data/b\n      value: \"2\"\n"
        ),]
    ),
    case!(
        "patch retainKeys strategy",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      strategy:\n        type: Recreate\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    // ---- components
    case!(
        "component adds resources and patches",
        "app",
        [
            ("app/kustomization.yaml", "resources:\n- ../base\ncomponents:\n- ../comp\n"),
            ("base/kustomization.yaml", "resources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            (
                "comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- extra.yaml\nconfigMapGenerator:\n- name: cfg\n  literals: [from=component]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 9\n"
            ),
            ("comp/extra.yaml", service!()),
        ]
    ),
    case!(
        "two components in order",
        "app",
        [
            ("app/kustomization.yaml", "namePrefix: app-\nresources:\n- cm.yaml\ncomponents:\n- ../c1\n- ../c2\n"),
            ("app/cm.yaml", cm!()),
            (
                "c1/kustomization.yaml",
                "kind: Component\ncommonLabels:\n  c1: \"on\"\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [c1=1]\n"
            ),
            ("c2/kustomization.yaml", "kind: Component\ncommonAnnotations:\n  c2: \"on\"\n"),
        ]
    ),
    // ---- overlays
    case!(
        "overlay full stack",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "resources:\n- deploy.yaml\n- service.yaml\n- misc.yaml\nconfigMapGenerator:\n- name: cfg\n  literals: [a=1]\n"
            ),
            ("base/deploy.yaml", deploy!()),
            ("base/service.yaml", service!()),
            ("base/misc.yaml", misc!()),
            (
                "overlay/kustomization.yaml",
                "namespace: prod\nnamePrefix: prod-\ncommonLabels:\n  env: prod\ncommonAnnotations:\n  owner: ops\nimages:\n- name: nginx\n  newTag: \"1.26\"\nreplicas:\n- name: web\n  count: 3\nresources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [b=2]\n"
            ),
        ]
    ),
    case!(
        "overlay of overlay",
        "top",
        [
            ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("base/cm.yaml", cm!()),
            ("mid/kustomization.yaml", "namePrefix: mid-\ncommonLabels:\n  layer: mid\nresources:\n- ../base\n"),
            (
                "top/kustomization.yaml",
                "namePrefix: top-\nnamespace: t\ncommonLabels:\n  layer: top\nresources:\n- ../mid\n"
            ),
        ]
    ),
    with_base!("shared base overlay namespace", "namespace: shared\nresources:\n- ../base\n"),
    with_base!("shared base overlay suffix", "nameSuffix: -x\nresources:\n- ../base\n"),
    with_base!("shared base overlay labels", "commonLabels:\n  a: b\nresources:\n- ../base\n"),
    with_base!(
        "shared base overlay images",
        "images:\n- name: nginx\n  newName: ghcr.io/x/nginx\n  digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\nresources:\n- ../base\n"
    ),
    with_base!(
        "shared base overlay generator merge",
        "resources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [z=1]\n"
    ),
    with_base!(
        "shared base overlay secret replace",
        "resources:\n- ../base\nsecretGenerator:\n- name: sec\n  behavior: replace\n  literals: [b=new]\n"
    ),
    with_base!(
        "shared base overlay patch service",
        "resources:\n- ../base\npatches:\n- target:\n    kind: Service\n  patch: |-\n    - op: replace\n      path: /spec/ports/0/targetPort\n      value: http\n"
    ),
    with_base!(
        "shared base overlay prefix and patch by new name",
        "namePrefix: n-\nresources:\n- ../base\npatches:\n- target:\n    name: web\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      revisionHistoryLimit: 1\n"
    ),
    with_base!(
        "shared base overlay resource file added",
        "resources:\n- ../base\n- extra.yaml\n",
        ("overlay/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
    ),
    with_base!(
        "shared base overlay all",
        "namespace: all\nnamePrefix: a-\nnameSuffix: -z\ncommonLabels:\n  x: y1\nlabels:\n- pairs:\n    t: u\n  includeTemplates: true\ncommonAnnotations:\n  n2: m\nresources:\n- ../base\n"
    ),
    // ---- more edge cases
    case!(
        "smp two new containers and env order",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: one\n            image: a\n          - name: two\n            image: b\n          - name: web\n            env:\n            - name: Z\n              value: z\n            - name: Y\n              value: y\n            volumeMounts:\n            - name: extra\n              mountPath: /extra\n          volumes:\n          - name: extra\n            emptyDir: {}\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "smp replace directive on map",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      selector:\n        $patch: replace\n        matchLabels:\n          new: sel\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "smp replace directive on list",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: replace\n          - name: only\n            image: only:1\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "smp multi doc patch file",
        "",
        [
            ("kustomization.yaml", "resources:\n- all.yaml\npatches:\n- path: p.yaml\n"),
            ("all.yaml", concat!(deploy!(), "---\n", service!())),
            (
                "p.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 7\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n"
            ),
        ]
    ),
    case!(
        "patch target namespace",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\npatches:\n- target:\n    namespace: a\n  patch: |-\n    - op: add\n      path: /data\n      value: {hit: \"yes\"}\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: b\n"
            ),
        ]
    ),
    case!(
        "patch allowNameChange",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\n- deploy.yaml\npatches:\n- target:\n    kind: ConfigMap\n    name: cfg\n  options:\n    allowNameChange: true\n  patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: renamed\n"
            ),
            ("cm.yaml", cm!()),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "images tag and digest",
        "",
        [
            (
                "kustomization.yaml",
                "images:\n- name: nginx\n  newTag: \"1.0\"\n  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\n- name: busybox\n  newTag: \"2\"\nresources:\n- p.yaml\n"
            ),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx@sha256:2222222222222222222222222222222222222222222222222222222222222222\n  - name: b\n    image: docker.io/nginx:1\n  initContainers:\n  - name: c\n    image: busybox@sha256:3333333333333333333333333333333333333333333333333333333333333333\n"
            ),
        ]
    ),
    case!(
        "env file details",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: e\n  envs:\n  - a.env\n  - b.env\nsecretGenerator:\n- name: s\n  envs:\n  - b.env\n"
            ),
            ("a.env", "A=1\n  B=two words\nC=\"quoted\"\nD='single'\n"),
            ("b.env", "# only\nX=y\n"),
        ]
    ),
    case!(
        "generator file in subdir",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: f\n  files:\n  - conf/app.yaml\n  - key.txt=conf/other.txt\n"
            ),
            ("conf/app.yaml", "server:\n  port: 8080\n"),
            ("conf/other.txt", "single line no newline"),
        ]
    ),
    case!(
        "labels existing in selector",
        "",
        [
            ("kustomization.yaml", "commonLabels:\n  app: override\nresources:\n- deploy.yaml\n- service.yaml\n"),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "labels create missing selector and template",
        "",
        [
            ("kustomization.yaml", "commonLabels:\n  a: b\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bare\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: bare\nspec:\n  type: ExternalName\n  externalName: example.com\n"
            ),
        ]
    ),
    case!(
        "pod and job references",
        "",
        [
            ("kustomization.yaml", "nameSuffix: -s\nresources:\n- x.yaml\n- cm.yaml\n- misc.yaml\n"),
            ("cm.yaml", cm!()),
            ("misc.yaml", misc!()),
            (
                "x.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccountName: sa\n  containers:\n  - name: a\n    image: a\n    envFrom:\n    - configMapRef:\n        name: cfg\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      serviceAccount: sa\n      volumes:\n      - name: v\n        secret:\n          secretName: sec\n      containers:\n      - name: j\n        image: j\n"
            ),
        ]
    ),
    case!(
        "suffix with generator hash",
        "",
        [
            (
                "kustomization.yaml",
                "nameSuffix: -v1\nconfigMapGenerator:\n- name: c\n  literals: [a=b]\nresources:\n- p.yaml\n"
            ),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n    env:\n    - name: X\n      valueFrom:\n        configMapKeyRef:\n          name: c\n          key: a\n"
            ),
        ]
    ),
    case!(
        "long strings fold",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- x.yaml\ncommonAnnotations:\n  long: \"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt uuuu vvvv\"\n"
            ),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\ndata:\n  sq: \"'quoted' aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr\"\n  dq: \"tab\\there aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr\"\n  list: \"x\"\n  nested:\n    deeper: \"word word word word word word word word word word word word word word word word word word word\"\n"
            ),
        ]
    ),
    case!(
        "kustomization with apiVersion and kind",
        "",
        [
            (
                "kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cm.yaml\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!("error empty kustomization", "", [("kustomization.yaml", "")]),
    case!(
        "nested directories",
        "",
        [
            ("kustomization.yaml", "resources:\n- a\n"),
            ("a/kustomization.yaml", "resources:\n- b\n- x.yaml\n"),
            ("a/x.yaml", service!()),
            ("a/b/kustomization.yaml", "namePrefix: deep-\nresources:\n- cm.yaml\n"),
            ("a/b/cm.yaml", cm!()),
        ]
    ),
    case!(
        "ingress v1beta1 serviceName",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- x.yaml\n- service.yaml\n"),
            ("service.yaml", service!()),
            (
                "x.yaml",
                "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  backend:\n    serviceName: web\n    servicePort: 80\n  rules:\n  - http:\n      paths:\n      - backend:\n          serviceName: web\n          servicePort: 80\n"
            ),
        ]
    ),
    case!(
        "webhook and apiservice service refs",
        "",
        [
            ("kustomization.yaml", "namespace: sys\nnamePrefix: p-\nresources:\n- x.yaml\n- service.yaml\n"),
            ("service.yaml", service!()),
            (
                "x.yaml",
                "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: mw\nwebhooks:\n- name: a.example.com\n  clientConfig:\n    service:\n      name: web\n      namespace: elsewhere\n---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1.example.com\nspec:\n  service:\n    name: web\n"
            ),
        ]
    ),
    case!(
        "cluster role binding to cluster role with prefix",
        "",
        [("kustomization.yaml", "namePrefix: p-\nnamespace: n1\nresources:\n- misc.yaml\n"), ("misc.yaml", misc!()),]
    ),
    case!(
        "pvc and storage class refs",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: x\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv\nspec:\n  storageClassName: fast\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: pvc\nspec:\n  storageClassName: fast\n  volumeName: pv\n"
            ),
        ]
    ),
    case!(
        "service account secrets refs",
        "",
        [
            ("kustomization.yaml", "nameSuffix: -x\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\nsecrets:\n- name: tok\nimagePullSecrets:\n- name: tok\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tok\n"
            ),
        ]
    ),
    case!(
        "priority class ref",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  priorityClassName: high\n  containers:\n  - name: a\n    image: a\n"
            ),
        ]
    ),
    case!(
        "error same base twice",
        "",
        [
            ("kustomization.yaml", "resources:\n- base\n- base\n"),
            ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("base/cm.yaml", cm!()),
        ]
    ),
    case!(
        "crds field ignored resources",
        "",
        [("kustomization.yaml", "resources:\n- w.yaml\n"), ("w.yaml", crd_obj!()),]
    ),
    case!(
        "unicode and emoji values",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\ndata:\n  emoji: \"🚀 launch\"\n  cjk: 日本\n  nbsp: \"a\u{a0}b\"\n  ctrl: \"bell\\a\"\n"
            ),
        ]
    ),
    case!(
        "keys needing quotes",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\ndata:\n  \"on\": a\n  \"true\": b\n  \"1\": c\n  \"a b\": d\n  \"x:y\": e\n  \"- z\": f\n  \"\": g\n  \"#h\": i\n"
            ),
        ]
    ),
    case!(
        "block scalars in lists",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  containers:\n  - name: a\n    image: a\n    command:\n    - sh\n    - -c\n    - |\n      echo one\n      echo two\n    - |-\n        indented more\n        same\n    - \"  leading spaces\\nsecond\"\n"
            ),
        ]
    ),
    // ---- replacements
    case!(
        "replacement name into env",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- service.yaml\nreplacements:\n- source:\n    kind: Service\n    name: web\n    fieldPath: metadata.name\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.spec.containers.[name=web].env.[name=A].valueFrom.configMapKeyRef.key\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "replacement image tag with delimiter",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- sts.yaml\nreplacements:\n- source:\n    kind: Deployment\n    fieldPath: spec.template.spec.containers.0.image\n    options:\n      delimiter: ':'\n      index: 1\n  targets:\n  - select:\n      kind: StatefulSet\n    fieldPaths:\n    - spec.template.spec.containers.0.image\n    options:\n      delimiter: ':'\n      index: 1\n"
            ),
            ("deploy.yaml", deploy!()),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "replacement create and map value",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- cm.yaml\nreplacements:\n- source:\n    kind: Deployment\n    fieldPath: spec.selector.matchLabels\n  targets:\n  - select:\n      kind: ConfigMap\n    fieldPaths:\n    - metadata.labels\n    - spec.copied.labels\n    options:\n      create: true\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "replacement from file with reject",
        "",
        [
            ("kustomization.yaml", "resources:\n- cms.yaml\nreplacements:\n- path: r.yaml\n"),
            (
                "r.yaml",
                "source:\n  kind: ConfigMap\n  name: src\n  fieldPath: data.value\ntargets:\n- select:\n    kind: ConfigMap\n  reject:\n  - name: src\n  - name: skip\n  fieldPaths:\n  - data.value\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  value: \"42\"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dst\ndata:\n  value: old\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skip\ndata:\n  value: old\n"
            ),
        ]
    ),
    case!(
        "replacement number source into string",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- service.yaml\nreplacements:\n- source:\n    kind: Deployment\n    fieldPath: spec.replicas\n  targets:\n  - select:\n      kind: Service\n    fieldPaths:\n    - spec.ports.0.port\n    - metadata.annotations.replicas\n    options:\n      create: true\n"
            ),
            ("deploy.yaml", deploy!()),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "replacement generated configmap name",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: cfg\n  literals: [a=b]\nresources:\n- deploy.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: cfg\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - metadata.annotations.cm\n    options:\n      create: true\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "replacement wildcard and label selector target",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data.img\n  targets:\n  - select:\n      labelSelector: app=web\n    fieldPaths:\n    - spec.template.spec.containers.*.image\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cms.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  img: custom:9\n"),
        ]
    ),
    case!(
        "error replacement target field missing",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    fieldPath: data.a\n  targets:\n  - select:\n      kind: ConfigMap\n    fieldPaths:\n    - spec.nope\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error replacement source missing",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\nreplacements:\n- source:\n    kind: Secret\n  targets:\n  - select:\n      kind: ConfigMap\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error replacement source field missing",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    fieldPath: data.zzz\n  targets:\n  - select:\n      kind: ConfigMap\n    fieldPaths: [data.a]\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "metadata scalars keep source text",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\ncommonLabels:\n  z: \"1\"\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n  labels:\n    a: \"1\"\n  annotations:\n    i: yes\n    j: 0x1F\n    k: ~\n    l: 1.0\n    m: 012\n    n: true\n    o: 1e3\ndata:\n  l: \"1.0\"\n"
            ),
        ]
    ),
    // ---- vars
    case!(
        "vars service name into args",
        "",
        [
            (
                "kustomization.yaml",
                "namePrefix: p-\nresources:\n- deploy.yaml\n- service.yaml\nvars:\n- name: SVC\n  objref:\n    kind: Service\n    name: web\n    apiVersion: v1\n- name: IMG\n  objref:\n    kind: Deployment\n    name: web\n    apiVersion: apps/v1\n  fieldref:\n    fieldpath: spec.template.spec.containers[0].image\n"
            ),
            (
                "deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    svc: $(SVC)\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n        command: [\"run\", \"--svc=$(SVC)\", \"$$(SVC)\", \"$(UNKNOWN)\"]\n        env:\n        - name: IMAGE\n          value: \"image is $(IMG)\"\n"
            ),
            ("service.yaml", service!()),
        ]
    ),
    case!(
        "vars from base used in overlay",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "resources:\n- service.yaml\nvars:\n- name: PORT\n  objref:\n    kind: Service\n    name: web\n    apiVersion: v1\n  fieldref:\n    fieldpath: spec.ports[0].port\n"
            ),
            ("base/service.yaml", service!()),
            ("overlay/kustomization.yaml", "namePrefix: o-\nresources:\n- ../base\n- pod.yaml\n"),
            (
                "overlay/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n    args: [\"--port=$(PORT)\"]\n"
            ),
        ]
    ),
    case!(
        "vars generated configmap name",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: cfg\n  literals: [a=b]\nresources:\n- pod.yaml\nvars:\n- name: CM\n  objref:\n    kind: ConfigMap\n    name: cfg\n    apiVersion: v1\n"
            ),
            (
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n    args: [\"$(CM)\"]\n"
            ),
        ]
    ),
    case!(
        "error vars duplicate name",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "resources:\n- service.yaml\nvars:\n- name: X\n  objref:\n    kind: Service\n    name: web\n    apiVersion: v1\n"
            ),
            ("base/service.yaml", service!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\nvars:\n- name: X\n  objref:\n    kind: Service\n    name: web\n    apiVersion: v1\n"
            ),
        ]
    ),
    case!(
        "error vars unknown object",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- service.yaml\nvars:\n- name: X\n  objref:\n    kind: Service\n    name: nope\n    apiVersion: v1\n"
            ),
            ("service.yaml", service!()),
        ]
    ),
    // ---- batch 3
    case!(
        "error images numeric tag",
        "",
        [
            ("kustomization.yaml", "images:\n- name: nginx\n  newTag: 1.2\nresources:\n- deploy.yaml\n"),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "component with prefix and generator",
        "app",
        [
            ("app/kustomization.yaml", "resources:\n- cm.yaml\ncomponents:\n- ../comp\nnameSuffix: -app\n"),
            ("app/cm.yaml", cm!()),
            (
                "comp/kustomization.yaml",
                "kind: Component\nnamePrefix: c-\nsecretGenerator:\n- name: s\n  literals: [x=y]\nresources:\n- pod.yaml\n"
            ),
            (
                "comp/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n    envFrom:\n    - secretRef:\n        name: s\n    - configMapRef:\n        name: cfg\n"
            ),
        ]
    ),
    case!(
        "smp target matching many",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- sts.yaml\n- cj.yaml\npatches:\n- target:\n    group: apps\n  patch: |-\n    apiVersion: apps/v1\n    kind: Any\n    metadata:\n      name: any\n      labels:\n        patched: \"yes\"\n"
            ),
            ("deploy.yaml", deploy!()),
            ("sts.yaml", sts!()),
            ("cj.yaml", cronjob!()),
        ]
    ),
    case!(
        "secret generator envs type options",
        "",
        [
            (
                "kustomization.yaml",
                "secretGenerator:\n- name: s\n  type: Opaque\n  envs: [s.env]\n  options:\n    annotations:\n      a: b\n    labels:\n      l: m\n"
            ),
            ("s.env", "USER=u\nPASS=p w\n"),
        ]
    ),
    case!(
        "generators same name different namespaces",
        "",
        [(
            "kustomization.yaml",
            "configMapGenerator:\n- name: c\n  namespace: a\n  literals: [k=1]\n- name: c\n  namespace: b\n  literals: [k=2]\n"
        ),]
    ),
    case!(
        "references across namespaces",
        "",
        [
            ("kustomization.yaml", "namePrefix: p-\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  containers:\n  - name: a\n    image: a\n    envFrom:\n    - configMapRef:\n        name: c\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: b\nspec:\n  containers:\n  - name: a\n    image: a\n    envFrom:\n    - configMapRef:\n        name: c\n"
            ),
        ]
    ),
    case!(
        "labels with match expressions only",
        "",
        [
            ("kustomization.yaml", "commonLabels:\n  l: v\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchExpressions:\n    - key: app\n      operator: In\n      values: [a]\n  template:\n    metadata:\n      labels:\n        app: a\n    spec:\n      containers:\n      - name: c\n        image: c\n"
            ),
        ]
    ),
    case!(
        "smp delete map key directive",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      selector:\n        $patch: delete\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "legacy sort options custom",
        "",
        [
            (
                "kustomization.yaml",
                "sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst: [Deployment, Service]\n    orderLast: [ConfigMap]\nresources:\n- all.yaml\n"
            ),
            ("all.yaml", concat!(cm!(), "---\n", service!(), "---\n", deploy!(), "---\n", misc!())),
        ]
    ),
    case!(
        "replicas on unnamed kind ignored",
        "",
        [
            ("kustomization.yaml", "replicas:\n- name: web\n  count: 2\nresources:\n- service.yaml\n- deploy.yaml\n"),
            ("service.yaml", service!()),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "namespace on cluster scoped kinds",
        "",
        [
            ("kustomization.yaml", "namespace: x\nresources:\n- c.yaml\n"),
            (
                "c.yaml",
                "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: sc\nprovisioner: p\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: pc\nvalue: 1\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ic\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: v\n"
            ),
        ]
    ),
    case!(
        "images on pod template in crd list",
        "",
        [
            ("kustomization.yaml", "images:\n- name: busybox\n  newTag: \"1.0\"\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  jobs:\n  - steps:\n      containers:\n      - name: s\n        image: busybox\n  image: busybox\n"
            ),
        ]
    ),
    // ---- buildMetadata
    case!(
        "build metadata all",
        "ov",
        [
            ("base/kustomization.yaml", "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: g\n  literals: [a=b]\n"),
            ("base/cm.yaml", cm!()),
            (
                "ov/kustomization.yaml",
                "buildMetadata: [originAnnotations, transformerAnnotations, managedByLabel]\nnamePrefix: p-\ncommonLabels:\n  a: b\nresources:\n- ../base\n- x.yaml\nsecretGenerator:\n- name: s\n  literals: [k=v]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: x\n    data:\n      k: v\n"
            ),
            ("ov/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        ]
    ),
    case!(
        "build metadata origin only",
        "",
        [
            ("kustomization.yaml", "buildMetadata: [originAnnotations]\nresources:\n- sub/cm.yaml\n- dir\n"),
            ("sub/cm.yaml", cm!()),
            ("dir/kustomization.yaml", "resources:\n- s.yaml\n"),
            ("dir/s.yaml", service!()),
        ]
    ),
    // ---- configurations and label fields
    case!(
        "configurations for a crd",
        "",
        [
            (
                "kustomization.yaml",
                "configurations:\n- conf.yaml\nnamePrefix: p-\ncommonLabels:\n  team: a\ncommonAnnotations:\n  note: nn\nimages:\n- name: nginx\n  newTag: \"2\"\nresources:\n- w.yaml\n- cm.yaml\n"
            ),
            (
                "conf.yaml",
                "commonLabels:\n- path: spec/selector/labels\n  kind: Widget\n  create: true\ncommonAnnotations:\n- path: spec/template/metadata/annotations\n  kind: Widget\n  create: true\nimages:\n- path: spec/image\n  kind: Widget\n- path: spec/sidecars/image\n  kind: Widget\nnameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - path: spec/configRef\n    kind: Widget\n  - path: spec/extraConfigs/name\n    kind: Widget\n"
            ),
            (
                "w.yaml",
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  image: nginx:1\n  sidecars:\n  - image: nginx\n  - image: busybox\n  configRef: cfg\n  extraConfigs:\n  - name: cfg\n  - name: other\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "labels with fields",
        "",
        [
            (
                "kustomization.yaml",
                "labels:\n- pairs:\n    team: x\n  fields:\n  - path: spec/selector/matchLabels\n    kind: Deployment\n  - path: spec/extra/labels\n    kind: Widget\n    create: true\nresources:\n- deploy.yaml\n- w.yaml\n"
            ),
            ("deploy.yaml", deploy!()),
            ("w.yaml", crd_obj!()),
        ]
    ),
    // ---- emitter details
    case!(
        "long double quoted with newlines and trailing spaces",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dq\ndata:\n  script: \"line one has trailing spaces   \\nline two is a rather long line that goes on and on and on past eighty columns for sure\\n  indented third line\\n\"\n  tabs: \"col1\\tcol2\\tcol3 and some more words to make it longer than the eighty column limit of the emitter\"\n  spaces: \"a  b  c  d  e  f  g  h  i  j  k  l  m  n  o  p  q  r  s  t  u  v  w  x  y  z  aa  bb  cc\"\n"
            ),
        ]
    ),
    case!(
        "long single quoted and plain edge",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sq\ndata:\n  colon: \"key: value and then many more words so that the line becomes longer than eighty chars\"\n  nospace: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  url: \"https://example.com/a/very/long/path/that/keeps/going/and/going?with=query&and=more&params=1 tail\"\n  literal: \"first line\\nsecond line that is very long and should not be folded because literal blocks never fold at all ok\\n\"\n  hash: \"# starts with hash and is long enough to need folding beyond the eighty column limit yes\"\n"
            ),
        ]
    ),
    case!(
        "deeply nested lists and maps",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: d\nspec:\n  a:\n  - - - x\n      - y\n    - z\n  - b: [c, {d: e}]\n    f: [[], {}]\n  m: {k1: {k2: {k3: [1, {k4: v}]}}}\n"
            ),
        ]
    ),
    case!(
        "special keys and values",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sp\ndata:\n  \"key with: colon\": v\n  \"trailing \": v\n  \"quote'single\": \"it's\"\n  'quote\"double': 'say \"x\"'\n  backslash: \"C:\\\\path\\\\to\"\n  percent: \"%d\"\n  at: \"@home\"\n  backtick: \"`cmd`\"\n  bang: \"!important\"\n  amp: \"&ref\"\n  question: \"? q\"\n  dash: \"-\"\n  dashes: \"--flag\"\n  dots: \"...\"\n  pipe: \"|\"\n  gt: \">\"\n  brace: \"{}\"\n  bracket: \"[]\"\n  comma: \"a, b\"\n  equals: \"=\"\n  sci: \"1e10\"\n  inf: \".inf\"\n  neg: \"-1\"\n  plus: \"+1\"\n  ver: \"1.2.3\"\n  sexa: \"1:30\"\n  time: \"12:30:45\"\n  ts: \"2024-01-02T03:04:05Z\"\n"
            ),
        ]
    ),
    case!(
        "json input file",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.json\n"),
            (
                "x.json",
                "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"j\"}, \"data\": {\"a\": \"1\", \"b\": \"x\\ny\"}}"
            ),
        ]
    ),
    case!(
        "windows line endings and bom free tabs",
        "",
        [
            ("kustomization.yaml", "resources:\r\n- x.yaml\r\n"),
            (
                "x.yaml",
                "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: b\r\n  block: |\r\n    l1\r\n    l2\r\n"
            ),
        ]
    ),
    // ---- name matching across layers
    case!(
        "overlay smp by original name after base prefix",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 4\n"
            ),
        ]
    ),
    case!(
        "overlay target by original name after base prefix",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\npatches:\n- target:\n    kind: Deployment\n    name: web\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 6\n"
            ),
        ]
    ),
    case!(
        "overlay target by current name",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\npatches:\n- target:\n    kind: Deployment\n    name: b-web\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 7\n"
            ),
        ]
    ),
    case!(
        "overlay replicas by original name",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            ("overlay/kustomization.yaml", "resources:\n- ../base\nreplicas:\n- name: web\n  count: 8\n"),
        ]
    ),
    case!(
        "overlay generator merge by original name",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nconfigMapGenerator:\n- name: cfg\n  literals: [a=1]\n"),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [b=2]\n"
            ),
        ]
    ),
    case!(
        "overlay replacement source by original name",
        "overlay",
        [
            ("base/kustomization.yaml", "namePrefix: b-\nresources:\n- deploy.yaml\n- service.yaml\n"),
            ("base/deploy.yaml", deploy!()),
            ("base/service.yaml", service!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\nreplacements:\n- source:\n    kind: Service\n    name: web\n  targets:\n  - select:\n      kind: Deployment\n      name: web\n    fieldPaths:\n    - metadata.annotations.svc\n    options:\n      create: true\n"
            ),
        ]
    ),
    case!(
        "overlay namespace then patch by namespace",
        "overlay",
        [
            ("base/kustomization.yaml", "namespace: one\nresources:\n- cm.yaml\n"),
            ("base/cm.yaml", cm!()),
            (
                "overlay/kustomization.yaml",
                "resources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n      namespace: one\n    data:\n      z: \"26\"\n"
            ),
        ]
    ),
    // ---- strategic merge details
    case!(
        "smp ports with protocols",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- p.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Pod\n    metadata:\n      name: dns\n    spec:\n      containers:\n      - name: d\n        ports:\n        - containerPort: 53\n          protocol: UDP\n          name: dns-udp\n        - containerPort: 9153\n          name: metrics\n"
            ),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: dns\nspec:\n  containers:\n  - name: d\n    image: coredns\n    ports:\n    - containerPort: 53\n      protocol: TCP\n      name: dns-tcp\n"
            ),
        ]
    ),
    case!(
        "smp volume source change",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          volumes:\n          - name: conf\n            secret:\n              secretName: other\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "smp tolerations and args replaced",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- p.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Pod\n    metadata:\n      name: t\n    spec:\n      tolerations:\n      - key: b\n        operator: Exists\n      containers:\n      - name: c\n        args: [new]\n"
            ),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\nspec:\n  tolerations:\n  - key: a\n    operator: Exists\n  containers:\n  - name: c\n    image: c\n    args: [old1, old2]\n"
            ),
        ]
    ),
    case!(
        "smp imagePullSecrets and hostAliases merge",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- p.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Pod\n    metadata:\n      name: h\n    spec:\n      imagePullSecrets:\n      - name: second\n      hostAliases:\n      - ip: 10.0.0.1\n        hostnames: [b]\n      - ip: 10.0.0.2\n        hostnames: [c]\n"
            ),
            (
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\nspec:\n  imagePullSecrets:\n  - name: first\n  hostAliases:\n  - ip: 10.0.0.1\n    hostnames: [a]\n  containers:\n  - name: c\n    image: c\n"
            ),
        ]
    ),
    case!(
        "smp finalizers and owner refs",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n      finalizers: [b.example.com/f]\n"
            ),
            ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  finalizers: [a.example.com/f]\n"),
        ]
    ),
    case!(
        "smp init containers and env from",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          initContainers:\n          - name: migrate\n            image: m\n          containers:\n          - name: web\n            envFrom:\n            - secretRef:\n                name: extra\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "smp statefulset volume claim templates",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- sts.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: StatefulSet\n    metadata:\n      name: db\n    spec:\n      volumeClaimTemplates:\n      - metadata:\n          name: logs\n        spec:\n          accessModes: [ReadWriteOnce]\n"
            ),
            ("sts.yaml", sts!()),
        ]
    ),
    case!(
        "smp service ports by port and cronjob containers",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cj.yaml\n- service.yaml\npatches:\n- patch: |-\n    apiVersion: batch/v1\n    kind: CronJob\n    metadata:\n      name: cj\n    spec:\n      jobTemplate:\n        spec:\n          template:\n            spec:\n              containers:\n              - name: job\n                image: busybox:2\n              - name: extra\n                image: e\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n    spec:\n      ports:\n      - port: 80\n        name: http\n      - port: 9090\n        name: metrics\n"
            ),
            ("cj.yaml", cronjob!()),
            ("service.yaml", service!()),
        ]
    ),
    // ---- batch 5
    case!(
        "json6902 escaped pointer",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value: {}\n    - op: add\n      path: /metadata/annotations/example.com~1owner\n      value: team-a\n    - op: add\n      path: /metadata/labels/tilde~0x\n      value: t\n    - op: replace\n      path: /spec/template/spec/containers/0/ports/0/containerPort\n      value: 8080\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "cluster role binding subject without namespace",
        "",
        [
            ("kustomization.yaml", "namespace: ns\nnamePrefix: p-\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: sa\n- kind: Group\n  name: devs\n  apiGroup: rbac.authorization.k8s.io\n"
            ),
        ]
    ),
    case!(
        "overlay generator merge without hash",
        "overlay",
        [
            (
                "base/kustomization.yaml",
                "configMapGenerator:\n- name: cfg\n  literals: [a=1]\nresources:\n- pod.yaml\n"
            ),
            (
                "base/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: c\n    envFrom:\n    - configMapRef:\n        name: cfg\n"
            ),
            (
                "overlay/kustomization.yaml",
                "namePrefix: o-\nresources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [b=2]\n  options:\n    disableNameSuffixHash: true\n"
            ),
        ]
    ),
    case!(
        "generator key with space",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  literals: [\"a b=c\"]\n")]
    ),
    case!(
        "env file export line",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  envs: [a.env]\n"), ("a.env", "export A=1\n")]
    ),
    case!(
        "error generator files from directory",
        "",
        [
            ("kustomization.yaml", "configMapGenerator:\n- name: d\n  files:\n  - conf\n"),
            ("conf/a.txt", "A"),
            ("conf/b.txt", "B"),
        ]
    ),
    case!(
        "generator env without value",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: e\n  envs: [a.env]\n"), ("a.env", "A=1\nB\n"),]
    ),
    // ---- batch 6
    case!(
        "empty and comment-only resource files",
        "",
        [
            ("kustomization.yaml", "resources:\n- empty.yaml\n- comments.yaml\n- cm.yaml\n"),
            ("empty.yaml", ""),
            ("comments.yaml", "# nothing\n---\n# here\n"),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error resource without name",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            ("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n")
        ]
    ),
    case!(
        "patch allowKindChange",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  options:\n    allowKindChange: true\n  patch: |-\n    apiVersion: v1\n    kind: Secret\n    metadata:\n      name: cfg\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "patch without allowNameChange keeps name",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: other\n    data:\n      c: d\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error resource with generateName",
        "",
        [
            ("kustomization.yaml", "resources:\n- job.yaml\n"),
            (
                "job.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: c\n"
            ),
        ]
    ),
    case!(
        "json6902 add to missing annotations",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    - op: add\n      path: /metadata/annotations/x\n      value: y\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "empty annotations dropped labels kept",
        "",
        [
            ("kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {}\n  labels: {}\n"),
        ]
    ),
    case!(
        "error json6902 add two levels missing",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    - op: add\n      path: /spec/a/b\n      value: z\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error json6902 remove missing",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    - op: remove\n      path: /data/zzz\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    // ---- batch 7
    case!(
        "label selector operators",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\npatches:\n- target:\n    labelSelector: \"!skip,tier notin (db),env\"\n  patch: |-\n    - op: add\n      path: /data/hit\n      value: \"1\"\n- target:\n    labelSelector: tier!=fe\n    kind: ConfigMap\n  patch: |-\n    - op: add\n      path: /data/ne\n      value: \"1\"\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {tier: fe, env: dev}\ndata: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: {tier: db, env: dev}\ndata: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {env: dev, skip: \"y\"}\ndata: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata: {}\n"
            ),
        ]
    ),
    case!(
        "long keys and unicode folding",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lk\ndata:\n  a-really-long-key-name-that-goes-on-and-on-and-on-for-a-while-longer-than-eighty: short value here\n  ünïcödé: \"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé ééééé ééééé éééé\"\n  items: \"x\"\n"
            ),
        ]
    ),
    case!(
        "null label value and selector null",
        "",
        [
            ("kustomization.yaml", "commonLabels:\n  a: b\nresources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\nspec:\n  selector:\n  ports:\n  - port: 1\n"
            ),
        ]
    ),
    case!(
        "merge keys on yaml anchors",
        "",
        [
            ("kustomization.yaml", "resources:\n- x.yaml\n"),
            (
                "x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: an\ndata:\n  base: &b x\n  other: *b\n---\napiVersion: example.com/v1\nkind: M\nmetadata:\n  name: m\nspec:\n  defaults: &d\n    a: 1\n    b: 2\n  merged:\n    <<: *d\n    b: 3\n"
            ),
        ]
    ),
    case!(
        "error empty json patch",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatchesJson6902:\n- target: {kind: ConfigMap, name: cfg, version: v1}\n  patch: \"[]\"\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "legacy imageTags",
        "",
        [
            ("kustomization.yaml", "imageTags:\n- name: nginx\n  newTag: \"9\"\nresources:\n- deploy.yaml\n"),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "namespace on kinds newer than kustomize's schema",
        "",
        [
            ("kustomization.yaml", "namespace: x\nresources:\n- r.yaml\n"),
            (
                "r.yaml",
                "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: vap\n---\napiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata:\n  name: fs\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: n\n---\napiVersion: example.com/v1\nkind: Node\nmetadata:\n  name: crd-node\n---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: rc\n---\napiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: csr\n---\napiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nmetadata:\n  name: sar\n"
            ),
        ]
    ),
    // ---- replacements edge cases
    case!(
        "replacement bracketed key with dots",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: a\n    fieldPath: metadata.annotations.[example.com/src]\n  targets:\n  - select:\n      name: b\n    fieldPaths:\n    - metadata.labels.[app.kubernetes.io/name]\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    example.com/src: value-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels:\n    app.kubernetes.io/name: old\n"
            ),
        ]
    ),
    case!(
        "replacement into all list elements by index create",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    fieldPath: data.a\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.spec.containers.0.env.1.value\n    - spec.template.spec.containers.[name=web].workingDir\n    options:\n      create: true\n"
            ),
            ("deploy.yaml", deploy!()),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "replacement delimiter index beyond",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: a\n    fieldPath: data.v\n  targets:\n  - select:\n      name: b\n    fieldPaths: [data.v]\n    options:\n      delimiter: \".\"\n      index: 5\n  - select:\n      name: c\n    fieldPaths: [data.v]\n    options:\n      delimiter: \"-\"\n      index: -1\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: NEW\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  v: x.y\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: p-q\n"
            ),
        ]
    ),
    case!(
        "replacement multiple sources and targets order",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: a\n    fieldPath: data.v\n  targets:\n  - select:\n      name: b\n    fieldPaths: [data.v]\n- source:\n    kind: ConfigMap\n    name: b\n    fieldPath: data.v\n  targets:\n  - select:\n      name: c\n    fieldPaths: [data.v, data.w]\n    options:\n      create: true\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  v: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: y\n"
            ),
        ]
    ),
    case!(
        "replacement keeps target scalar types",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- service.yaml\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    fieldPath: data.port\n  targets:\n  - select:\n      kind: Service\n    fieldPaths: [spec.ports.0.port, spec.ports.0.targetPort, metadata.annotations.p]\n    options:\n      create: true\n- source:\n    kind: ConfigMap\n    fieldPath: data.flag\n  targets:\n  - select:\n      kind: Service\n    fieldPaths: [spec.publishNotReadyAddresses, spec.newFlag]\n    options:\n      create: true\n"
            ),
            (
                "service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  publishNotReadyAddresses: false\n  ports:\n  - port: 80\n    targetPort: http\n"
            ),
            (
                "cms.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  port: \"8080\"\n  flag: \"true\"\n"
            ),
        ]
    ),
    case!(
        "makefile with tabs and json blobs",
        "",
        [
            (
                "kustomization.yaml",
                "configMapGenerator:\n- name: files\n  files:\n  - Makefile\n  - conf.json\n  - trailing.txt\n  - lead.txt\n"
            ),
            (
                "Makefile",
                "all: build\n\nbuild:\n\tgo build ./... && echo \"done building everything in this very long line of the makefile\"\n\ntest:\n\tgo test ./...\n"
            ),
            (
                "conf.json",
                "{\n  \"a\": 1,\n  \"b\": [true, false, null],\n  \"c\": \"string with \\\"quotes\\\" and \\\\ backslash\"\n}\n"
            ),
            ("trailing.txt", "line with trailing space \nnext line\n\n\n"),
            ("lead.txt", "\n  leading newline and indent\n"),
        ]
    ),
    case!(
        "component built directly",
        "comp",
        [
            (
                "comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\nnamePrefix: c-\n"
            ),
            ("comp/cm.yaml", cm!()),
        ]
    ),
    case!(
        "component nested in component",
        "app",
        [
            ("app/kustomization.yaml", "resources:\n- cm.yaml\ncomponents:\n- ../outer\n"),
            ("app/cm.yaml", cm!()),
            (
                "outer/kustomization.yaml",
                "kind: Component\ncomponents:\n- ../inner\ncommonAnnotations:\n  outer: \"1\"\n"
            ),
            (
                "inner/kustomization.yaml",
                "kind: Component\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [inner=1]\n"
            ),
        ]
    ),
    case!(
        "smp container without merge key",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - image: nameless\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "error smp scalar replaced by map on crd",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- w.yaml\npatches:\n- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata:\n      name: w1\n    spec:\n      size: {min: 1, max: 5}\n      items: null\n      template:\n        spec:\n          extra: true\n"
            ),
            ("w.yaml", crd_obj!()),
        ]
    ),
    case!(
        "smp keyed and keyless elements",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: web\n            image: z\n          - image: nameless\n"
            ),
            ("deploy.yaml", deploy!()),
        ]
    ),
    case!(
        "kustomization empty strings",
        "",
        [("kustomization.yaml", "namespace: \"\"\nnamePrefix: \"\"\nresources:\n- cm.yaml\n"), ("cm.yaml", cm!()),]
    ),
    case!(
        "kustomization metadata and null fields",
        "",
        [
            (
                "kustomization.yaml",
                "metadata:\n  name: my-kustomization\nresources:\n- cm.yaml\nimages:\npatches: []\ncommonLabels: {}\n"
            ),
            ("cm.yaml", cm!()),
        ]
    ),
    case!(
        "error kustomization odd kind",
        "",
        [("kustomization.yaml", "apiVersion: example.com/v9\nkind: Foo\nresources:\n- cm.yaml\n"), ("cm.yaml", cm!())]
    ),
    case!(
        "error kustomization wrong api version",
        "",
        [("kustomization.yaml", "apiVersion: example.com/v9\nresources:\n- cm.yaml\n"), ("cm.yaml", cm!())]
    ),
    case!(
        "error component wrong api version",
        "",
        [
            (
                "kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nresources:\n- cm.yaml\n"
            ),
            ("cm.yaml", cm!())
        ]
    ),
    case!(
        "error kustomization only type fields",
        "",
        [("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")]
    ),
    case!(
        "kustomization with only metadata",
        "",
        [("kustomization.yaml", "kind: Kustomization\nmetadata:\n  name: x\n")]
    ),
    case!(
        "build metadata in base ignored",
        "ov",
        [
            (
                "base/kustomization.yaml",
                "buildMetadata: [originAnnotations, managedByLabel, transformerAnnotations]\nnamePrefix: b-\nresources: [cm.yaml]\n"
            ),
            ("base/cm.yaml", cm!()),
            ("ov/kustomization.yaml", "resources: [../base, x.yaml]\nnameSuffix: -s\n"),
            ("ov/x.yaml", service!()),
        ]
    ),
    case!(
        "build metadata origin through components",
        "app",
        [
            (
                "app/kustomization.yaml",
                "buildMetadata: [originAnnotations]\nresources:\n- cm.yaml\ncomponents:\n- ../comp\n"
            ),
            ("app/cm.yaml", cm!()),
            (
                "comp/kustomization.yaml",
                "kind: Component\nresources:\n- svc.yaml\nsecretGenerator:\n- name: s\n  literals: [a=b]\n"
            ),
            ("comp/svc.yaml", service!()),
        ]
    ),
    // ---- errors (both must fail)
    case!("error missing resource file", "", [("kustomization.yaml", "resources:\n- nope.yaml\n")]),
    case!("error no kustomization", "", [("cm.yaml", cm!())]),
    case!("error root escape", "app", [("app/kustomization.yaml", "resources:\n- ../cm.yaml\n"), ("cm.yaml", cm!())]),
    case!(
        "error invalid yaml resource",
        "",
        [("kustomization.yaml", "resources:\n- bad.yaml\n"), ("bad.yaml", "apiVersion: v1\nkind: [ConfigMap\n")]
    ),
    case!("error invalid kustomization yaml", "", [("kustomization.yaml", "resources: [\n")]),
    case!(
        "error duplicate ids",
        "",
        [("kustomization.yaml", "resources:\n- a.yaml\n- b.yaml\n"), ("a.yaml", cm!()), ("b.yaml", cm!())]
    ),
    case!(
        "error cycle",
        "a",
        [("a/kustomization.yaml", "resources:\n- ../b\n"), ("b/kustomization.yaml", "resources:\n- ../a\n")]
    ),
    case!("error missing base dir", "", [("kustomization.yaml", "resources:\n- ./missing/\n")]),
    case!(
        "error merge without base",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [a=b]\n")]
    ),
    case!(
        "error patch file missing",
        "",
        [("kustomization.yaml", "resources:\n- cm.yaml\npatches:\n- path: nope.yaml\n"), ("cm.yaml", cm!())]
    ),
    case!(
        "error smp patch without match",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: nope\n"
            ),
            ("cm.yaml", cm!())
        ]
    ),
    case!(
        "error missing kind",
        "",
        [("kustomization.yaml", "resources:\n- x.yaml\n"), ("x.yaml", "apiVersion: v1\nmetadata:\n  name: x\n")]
    ),
    case!(
        "error generator file missing",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  files: [nope.txt]\n")]
    ),
    case!(
        "error generator file escapes root",
        "app",
        [("app/kustomization.yaml", "configMapGenerator:\n- name: x\n  files: [../secret.txt]\n"), ("secret.txt", "x")]
    ),
    case!(
        "error duplicate generator keys",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  literals: [a=1, a=2]\n")]
    ),
    case!(
        "error json patch bad path",
        "",
        [
            (
                "kustomization.yaml",
                "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n    - op: replace\n      path: /nope/deeper\n      value: 1\n"
            ),
            ("cm.yaml", cm!())
        ]
    ),
    case!(
        "error component as resource",
        "",
        [("kustomization.yaml", "resources:\n- comp\n"), ("comp/kustomization.yaml", "kind: Component\n")]
    ),
    case!(
        "error literal without equals",
        "",
        [("kustomization.yaml", "configMapGenerator:\n- name: x\n  literals: [novalue]\n")]
    ),
    case!(
        "error patch patch invalid yaml",
        "",
        [("kustomization.yaml", "resources:\n- cm.yaml\npatches:\n- patch: \"a: [\"\n"), ("cm.yaml", cm!())]
    ),
    case!("error bool namespace yaml 1.1", "", [("kustomization.yaml", "namespace: n\nresources: []\n")]),
    case!("error bool label yaml 1.1", "", [("kustomization.yaml", "commonLabels:\n  x: y\nresources: []\n")]),
    case!("bool key unused yaml 1.1", "", [("kustomization.yaml", "commonAnnotations:\n  n: m\nresources: []\n")]),
    case!(
        "error bool key yaml 1.1",
        "",
        [("kustomization.yaml", "commonAnnotations:\n  n: m\nresources:\n- cm.yaml\n"), ("cm.yaml", cm!())]
    ),
    case!("error unknown field", "", [("kustomization.yaml", "foo: bar\nresources: []\n")]),
    case!("error helm charts", "", [("kustomization.yaml", "helmCharts:\n- name: x\nresources: []\n")]),
    case!("error generator plugins", "", [("kustomization.yaml", "generators:\n- g.yaml\nresources: []\n")]),
    case!("error crds file missing", "", [("kustomization.yaml", "crds:\n- nope.yaml\nresources: []\n")]),
    case!(
        "error two kustomization files",
        "",
        [("kustomization.yaml", "resources: []\n"), ("kustomization.yml", "resources: []\n")]
    ),
    Case {
        name: "load restrictor none allows escape",
        root: "app",
        files: &[("app/kustomization.yaml", "resources:\n- ../cm.yaml\n"), ("cm.yaml", cm!())],
        load_none: true,
    },
];

pub fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (p, content) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}
