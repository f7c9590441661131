//! The charts of the `helm template` conformance suite, shared by weir-helm's
//! tests and by `weir helm template`'s (host/cli/tests), which includes this
//! file by path. Each case is a tree written to a temp dir (nothing is
//! downloaded); every run renders it with `helm template` (Helm v3.18.0, the
//! oracle) and with weir, and must give the same stdout byte for byte, or
//! fail in both with the run's phrase in both stderrs.
//!
//! Run arguments follow `template`: `CHART` stands for the chart (the
//! directory `case.chart`, or `case.chart.tgz` when the chart itself is
//! packaged) and `FILE:<rel>` for a path inside the tree (anywhere in an
//! argument, so `--set-file k=FILE:a.txt` works too).
//!
//! Templates print no random, time-of-day or version-dependent text; dates
//! come from fixed `toDate` strings, so run both sides with `TZ=UTC`.

#![allow(dead_code)] // each including test uses its own subset

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Case {
    pub name: &'static str,
    /// The chart's directory inside the tree.
    pub chart: &'static str,
    /// (path inside the tree, content).
    pub files: &'static [(&'static str, &'static str)],
    /// Chart directories (inner ones first) turned into `<dir>.tgz` next to
    /// themselves, the directory removed, before any run.
    pub packaged: &'static [&'static str],
    pub runs: &'static [Run],
}

pub struct Run {
    pub args: &'static [&'static str],
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both exit 0 with byte-identical stdout.
    Renders,
    /// Both fail, and both stderrs contain `phrase`.
    Fails { phrase: &'static str },
}

const fn renders(args: &'static [&'static str]) -> Run {
    Run { args, outcome: Outcome::Renders }
}

const fn fails(phrase: &'static str, args: &'static [&'static str]) -> Run {
    Run { args, outcome: Outcome::Fails { phrase } }
}

/// Writes the case's files under `root` and packages its `packaged` charts.
pub fn write_tree(root: &Path, case: &Case) {
    for (path, content) in case.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    for dir in case.packaged {
        package(root, dir);
    }
}

/// `tar czf <dir>.tgz` with the entries under `<basename>/`, as `helm
/// package` lays them out (GNU tar also stores the directories).
fn package(root: &Path, dir: &str) {
    let source = root.join(dir);
    let parent = source.parent().unwrap();
    let base = source.file_name().unwrap().to_str().unwrap();
    let status = Command::new("tar")
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-czf"])
        .arg(parent.join(format!("{base}.tgz")))
        .arg("-C")
        .arg(parent)
        .arg(base)
        .status()
        .expect("tar packages the charts");
    assert!(status.success(), "tar czf {dir}.tgz failed");
    std::fs::remove_dir_all(&source).unwrap();
}

/// The chart argument: the directory, or its archive when packaged.
pub fn chart_path(root: &Path, case: &Case) -> PathBuf {
    if case.packaged.contains(&case.chart) { root.join(format!("{}.tgz", case.chart)) } else { root.join(case.chart) }
}

/// The run's arguments (after `template`) with `CHART` and `FILE:` resolved.
pub fn args(root: &Path, case: &Case, run: &Run) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    run.args
        .iter()
        .map(|arg| match *arg {
            "CHART" => chart_path(root, case).display().to_string(),
            arg => arg.replace("FILE:", &prefix),
        })
        .collect()
}

pub const CASES: &[Case] = &[
    // ---- the shape of `helm create`: helpers, labels, fullname logic
    Case {
        name: "create-style",
        chart: "web-app",
        files: &[
            (
                "web-app/Chart.yaml",
                r##"apiVersion: v2
name: web-app
description: A web application laid out the way helm create lays charts out
type: application
version: 0.3.1+build.7
appVersion: "2.4.0"
"##,
            ),
            (
                "web-app/values.yaml",
                r##"# Default values for web-app.
replicaCount: 2

image:
  repository: registry.example.com/team/web-app
  pullPolicy: IfNotPresent
  # Overrides the image tag whose default is the chart appVersion.
  tag: ""

imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  create: true
  automount: true
  annotations: {}
  name: ""

podAnnotations: {}
podLabels: {}

podSecurityContext:
  fsGroup: 2000

securityContext:
  capabilities:
    drop:
    - ALL
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 1000

service:
  type: ClusterIP
  port: 8080

ingress:
  enabled: false
  className: "nginx"
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
  hosts:
    - host: web.example.test
      paths:
        - path: /
          pathType: ImplementationSpecific
        - path: /api
          pathType: Prefix
  tls:
    - secretName: web-tls
      hosts:
        - web.example.test

resources:
  limits:
    cpu: 500m
    memory: 256Mi
  requests:
    cpu: 100m
    memory: 128Mi

livenessProbe:
  httpGet:
    path: /healthz
    port: http
readinessProbe:
  httpGet:
    path: /ready
    port: http

autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 10
  targetCPUUtilizationPercentage: 75
  # targetMemoryUtilizationPercentage: 80

volumes: []
volumeMounts: []
nodeSelector: {}
tolerations: []
affinity: {}
"##,
            ),
            (
                "web-app/.helmignore",
                "# Patterns to ignore when building packages.\n.DS_Store\n.git/\n*.swp\n*.bak\n*.tmp\n.idea/\n",
            ),
            (
                "web-app/templates/_helpers.tpl",
                r##"{{/*
The chart's name, unless nameOverride says otherwise.
*/}}
{{- define "web-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified app name, cut at 63 characters (the DNS label limit).
A release name that already holds the chart name is used as is.
*/}}
{{- define "web-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "web-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web-app.labels" -}}
helm.sh/chart: {{ include "web-app.chart" . }}
{{ include "web-app.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "web-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "web-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "web-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "web-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
"##,
            ),
            (
                "web-app/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web-app.fullname" . }}
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "web-app.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "web-app.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      serviceAccountName: {{ include "web-app.serviceAccountName" . }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml .Values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          {{- with .Values.volumeMounts }}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{- end }}
      {{- with .Values.volumes }}
      volumes:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
"##,
            ),
            (
                "web-app/templates/service.yaml",
                r##"apiVersion: v1
kind: Service
metadata:
  name: {{ include "web-app.fullname" . }}
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "web-app.selectorLabels" . | nindent 4 }}
"##,
            ),
            (
                "web-app/templates/serviceaccount.yaml",
                r##"{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "web-app.serviceAccountName" . }}
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
{{- end }}
"##,
            ),
            (
                "web-app/templates/ingress.yaml",
                r##"{{- if .Values.ingress.enabled -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "web-app.fullname" . }}
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
  {{- with .Values.ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if .Values.ingress.tls }}
  tls:
    {{- range .Values.ingress.tls }}
    - hosts:
        {{- range .hosts }}
        - {{ . | quote }}
        {{- end }}
      secretName: {{ .secretName }}
    {{- end }}
  {{- end }}
  rules:
    {{- range .Values.ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path }}
            {{- with .pathType }}
            pathType: {{ . }}
            {{- end }}
            backend:
              service:
                name: {{ include "web-app.fullname" $ }}
                port:
                  number: {{ $.Values.service.port }}
          {{- end }}
    {{- end }}
{{- end }}
"##,
            ),
            (
                "web-app/templates/hpa.yaml",
                r##"{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "web-app.fullname" . }}
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "web-app.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    {{- if .Values.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if .Values.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end }}
"##,
            ),
            (
                "web-app/templates/NOTES.txt",
                r##"1. Get the application URL by running these commands:
{{- if .Values.ingress.enabled }}
{{- range $host := .Values.ingress.hosts }}
  {{- range .paths }}
  http{{ if $.Values.ingress.tls }}s{{ end }}://{{ $host.host }}{{ .path }}
  {{- end }}
{{- end }}
{{- else }}
  kubectl --namespace {{ .Release.Namespace }} port-forward svc/{{ include "web-app.fullname" . }} 8080:{{ .Values.service.port }}
{{- end }}
"##,
            ),
            (
                "web-app/templates/tests/test-connection.yaml",
                r##"apiVersion: v1
kind: Pod
metadata:
  name: "{{ include "web-app.fullname" . }}-test-connection"
  labels:
    {{- include "web-app.labels" . | nindent 4 }}
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox
      command: ['wget']
      args: ['{{ include "web-app.fullname" . }}:{{ .Values.service.port }}']
  restartPolicy: Never
"##,
            ),
            ("web-app/templates/deployment.yaml.bak", "this: {{ is ignored"),
        ],
        packaged: &[],
        runs: &[
            renders(&["my-release", "CHART"]),
            renders(&["CHART"]),
            renders(&[
                "web-app-prod",
                "CHART",
                "--set",
                "ingress.enabled=true",
                "--set",
                "autoscaling.enabled=true",
                "--set",
                "autoscaling.targetMemoryUtilizationPercentage=80",
                "--skip-tests",
            ]),
            renders(&[
                "a-rather-long-release-name-for-this-chart",
                "CHART",
                "--set",
                "nameOverride=frontend-with-a-long-name",
                "--set",
                "image.tag=v2.5.0-rc.1",
            ]),
            renders(&[
                "rel",
                "CHART",
                "--set",
                "fullnameOverride=custom-name-",
                "--set",
                "serviceAccount.create=false",
                "--set",
                "podAnnotations.prometheus\\.io/scrape=true",
                "--set",
                "imagePullSecrets[0].name=regcred",
            ]),
            fails(
                "the length must not be longer than 53",
                &["release-name-that-is-much-too-long-for-helm-to-accept-it", "CHART"],
            ),
            fails("invalid release name", &["Not_Valid", "CHART"]),
        ],
    },
    // ---- toYaml of nested values and every scalar shape values files hold
    Case {
        name: "toyaml-shapes",
        chart: "shapes",
        files: &[
            ("shapes/Chart.yaml", "apiVersion: v2\nname: shapes\nversion: 1.0.0\n"),
            (
                "shapes/values.yaml",
                r##"resources:
  limits: {cpu: "1", memory: 1Gi}
  requests:
    cpu: 250m
    memory: 512Mi
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        labelSelector:
          matchExpressions:
          - key: app.kubernetes.io/name
            operator: In
            values: [shapes]
        topologyKey: kubernetes.io/hostname
tolerations:
- key: dedicated
  operator: Equal
  value: batch
  effect: NoSchedule
- operator: Exists
scalars:
  bigInt: 1000000
  biggerInt: 123456789012
  float: 1.5
  wholeFloat: 2.0
  negative: -42
  exp: 1e3
  trueString: "true"
  yesBare: yes
  offQuoted: "off"
  versionString: "1.0"
  emptyString: ""
  nullValue: null
  tilde: ~
  octalString: "0755"
  octal: 0755
  hex: 0x1F
  colon: "a: b"
  hash: "# not a comment"
  leadingSpace: " padded"
  star: "*"
  date: 2024-01-02
  quotedDate: "2024-01-02"
  unicode: "héllo wörld ✓"
  longString: "this is a rather long string value that goes well beyond the eighty character width of the encoder"
  longWord: "averyveryverylongwordwithoutanyspacesthatcannotbefoldedbytheyamlemitteratallreallyreally ok"
  multiLine: |
    first line
    second line
  multiLineStrip: |-
    alpha
      indented beta
  folded: >
    folded text
    continues here
  trailingSpaces: "line one  \nline two"
  tab: "a\tb"
empty:
  map: {}
  list: []
nested:
  lists:
  - - a
    - b
  - []
  - {}
  "key with spaces": v
  "on": switch
  "123": numeric key
  zeta: last
  alpha: first
"##,
            ),
            (
                "shapes/templates/configmap.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-shapes
data:
  values.yaml: |
    {{- toYaml .Values | nindent 4 }}
  scalars.json: {{ toJson .Values.scalars | quote }}
  bigInt: "{{ .Values.scalars.bigInt }}"
  biggerInt: "{{ .Values.scalars.biggerInt }}"
  float: "{{ .Values.scalars.float }}"
  wholeFloat: "{{ .Values.scalars.wholeFloat }}"
  exp: "{{ .Values.scalars.exp }}"
  octal: "{{ .Values.scalars.octal }}"
  hex: "{{ .Values.scalars.hex }}"
  yesBare: "{{ .Values.scalars.yesBare }}"
  date: "{{ .Values.scalars.date }}"
  nullValue: "{{ .Values.scalars.nullValue }}"
  emptyMap: "{{ toYaml .Values.empty.map }}"
  emptyList: "{{ toYaml .Values.empty.list }}"
  emptyString: {{ toYaml .Values.scalars.emptyString | quote }}
  kinds: "{{ kindOf .Values.scalars.bigInt }} {{ kindOf .Values.scalars.float }} {{ kindOf .Values.scalars.trueString }} {{ kindOf .Values.empty.list }} {{ kindOf .Values.empty.map }} {{ kindOf .Values.scalars.yesBare }}"
"##,
            ),
            (
                "more.yaml",
                r##"scalars:
  bigInt: 2500000
  float: 0.000001
  wholeFloat: 100000000000000000000
  nullValue: "now a string"
  multiLine: "single line now"
empty:
  map:
    filled: true
  list: [x]
resources: null
tolerations: []
"##,
            ),
            (
                "shapes/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-shapes
spec:
  replicas: {{ .Values.scalars.bigInt }}
  template:
    spec:
      containers:
      - name: app
        image: busybox
        resources: {{- toYaml .Values.resources | nindent 10 }}
        args:
          {{- toYaml (list .Values.scalars.longString .Values.scalars.multiLine "true" "1.0" "" .Values.scalars.trueString 1 2.5) | nindent 10 }}
      affinity:
{{ toYaml .Values.affinity | indent 8 }}
      tolerations: {{ toYaml .Values.tolerations | nindent 8 }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["shapes", "CHART"]), renders(&["shapes", "CHART", "-f", "FILE:more.yaml"])],
    },
    // ---- range over maps and lists, $ inside range/with, else, break/continue
    Case {
        name: "range-control",
        chart: "ranges",
        files: &[
            ("ranges/Chart.yaml", "apiVersion: v2\nname: ranges\nversion: 0.1.0\nappVersion: 1.16.0\n"),
            (
                "ranges/values.yaml",
                r##"env:
  LOG_LEVEL: debug
  FEATURE_X: "on"
  WORKERS: 4
  ZED: last
  A_FIRST: first
ports:
- name: http
  port: 80
- name: https
  port: 443
- name: metrics
  port: 9090
  internal: true
- name: grpc
  port: 50051
- name: admin
  port: 9000
- name: never
  port: 1
users: []
teams:
  platform: [alice, bob]
  data: []
  web: [carol]
prefix: svc
"##,
            ),
            (
                "ranges/templates/configmap.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-env
data:
{{- range $key, $value := .Values.env }}
  {{ $key }}: {{ $value | quote }}
{{- end }}
{{- range $i, $p := .Values.ports }}
{{- if $p.internal }}{{ continue }}{{ end }}
{{- if eq $p.name "admin" }}{{ break }}{{ end }}
  port-{{ $i }}: "{{ $.Values.prefix }}-{{ $p.name }}:{{ $p.port }}"
{{- end }}
{{- range .Values.users }}
  user: {{ . }}
{{- else }}
  users: none
{{- end }}
{{- range $team, $members := .Values.teams }}
  team-{{ $team }}: {{ if $members }}{{ join "," $members }}{{ else }}"-"{{ end }}
{{- end }}
{{- with .Values.missing }}
  missing: {{ . }}
{{- else with .Values.prefix }}
  prefixFromElseWith: {{ . }}-{{ $.Release.Name }}
{{- end }}
{{- with .Values.env }}
  chartInsideWith: {{ $.Chart.Name }}-{{ .ZED }}
{{- end }}
{{- range $i, $e := until 3 }}
  n{{ $i }}: {{ add $e 10 | quote }}
{{- end }}
{{- range $k, $v := dict "b" 2 "a" 1 "c" 3 }}
  d-{{ $k }}: {{ $v | quote }}
{{- end }}
{{- $total := 0 }}
{{- range .Values.ports }}{{ $total = add $total .port }}{{ end }}
  total: {{ $total | quote }}
{{- range $outer := list "x" "y" }}
{{- range $inner := list 1 2 }}
  {{ $outer }}{{ $inner }}: {{ printf "%s/%d" $outer $inner | quote }}
{{- end }}
{{- end }}
{{- range $i, $c := splitList "," "p,q,,r" }}
  split{{ $i }}: {{ $c | quote }}
{{- end }}
{{- range $n := 3 }}
  int{{ $n }}: "{{ $n }}"
{{- end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["r", "CHART"]),
            renders(&["r", "CHART", "--set", "users={ann,ben}", "--set", "teams.data={dora}"]),
        ],
    },
    // ---- text/template itself: pipelines, comparisons, variables, whitespace
    Case {
        name: "go-template-builtins",
        chart: "builtins",
        files: &[
            ("builtins/Chart.yaml", "apiVersion: v2\nname: builtins\nversion: 0.1.0\n"),
            (
                "builtins/values.yaml",
                r##"a: 3
b: 7
name: "Web <App> & Co"
list: [10, 20, 30, 40]
map:
  k1: v1
  k2: v2
flag: false
nothing: null
str: "hello world"
"##,
            ),
            (
                "builtins/templates/_blocks.tpl",
                r##"{{- define "builtins.greet" -}}
hi {{ . }}
{{- end -}}
{{- define "builtins.args" -}}
{{ index . 0 }}+{{ index . 1 }}
{{- end -}}
"##,
            ),
            (
                "builtins/templates/cm.yaml",
                r##"{{- /* a comment that trims both sides */ -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: builtins
data:
  and: "{{ and .Values.a .Values.b }} {{ and .Values.a .Values.flag .Values.b }}"
  or: "{{ or .Values.flag .Values.nothing .Values.b }} {{ or .Values.flag 0 }}"
  not: "{{ not .Values.flag }} {{ not .Values.list }}"
  eq: "{{ eq (int .Values.a) 3 }} {{ eq (int .Values.a) 1 2 3 }} {{ ne .Values.str "x" }} {{ eq .Values.nothing nil }}"
  cmp: "{{ lt (int .Values.a) (int .Values.b) }} {{ eq .Values.str "hello world" }} {{ le 2 2 }} {{ gt 1.5 1.2 }} {{ ge "b" "a" }}"
  len: "{{ len .Values.list }} {{ len .Values.map }} {{ len .Values.str }}"
  index: "{{ index .Values.list 2 }} {{ index .Values.map "k2" }} {{ index .Values "map" "k1" }}"
  slice: "{{ slice .Values.list 1 3 }} {{ substr 0 5 .Values.str }} {{ slice .Values.list 2 }}"
  print: {{ print "a" 1 2 "b" "c" 3.5 true nil | quote }}
  println: {{ println "x" 1 | quote }}
  printf: {{ printf "%v|%5d|%-4s|%x|%t|%03d|%.2f|%T" .Values.list 42 "ab" 255 true 7 3.14159 .Values.a | quote }}
  html: {{ html .Values.name | quote }}
  js: {{ js "it's \"quoted\"" | quote }}
  urlquery: {{ urlquery "a b&c=d" | quote }}
  include: {{ include "builtins.greet" "there" | quote }}
  includeList: {{ include "builtins.args" (list 1 2) | quote }}
  template: "{{ template "builtins.greet" .Values.name }}"
  call: "{{ len (list 1 2 3) | add 1 }}"
  vars: {{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}"{{ $x }}"
  paren: "{{ (index .Values.list 0) | printf "%d!" }}"
  chained: "{{ .Values.map.k1 | upper | printf "%s-%s" "pre" }}"
  ifelse: {{ if .Values.flag }}"yes"{{ else if gt (.Values.a | int) 2 }}"gt2"{{ else }}"no"{{ end }}
  {{- block "builtins.block" . }}
  block: "default block {{ .Values.a }}"
  {{- end }}
  raw: {{ `{{ not a template }}` | quote }}
  trimmed: "{{- " spaces " -}}"
  chars: "{{ 'a' }} {{ 0x10 }} {{ 1e3 }} {{ -5 }} {{ 1_000 }}"
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"]), renders(&["CHART", "--set", "flag=true", "--set", "a=1"])],
    },
    // ---- subcharts: condition (first resolvable path wins), tags, alias (twice), globals
    Case {
        name: "subcharts-conditions-tags",
        chart: "shop",
        files: &[
            (
                "shop/Chart.yaml",
                r##"apiVersion: v2
name: shop
version: 1.0.0
appVersion: "5.1"
dependencies:
  - name: backend
    version: 0.2.0
    condition: backend.enabled
  - name: cache
    version: 3.1.0
    alias: sessions
    condition: sessions.enabled,global.cacheEnabled
  - name: cache
    version: 3.1.0
    alias: pages
  - name: metrics
    version: 0.1.0
    tags:
      - monitoring
  - name: tracing
    version: 0.1.0
    condition: tracing.enabled
    tags: [monitoring, debug]
"##,
            ),
            (
                "shop/values.yaml",
                r##"global:
  env: staging
  imageRegistry: registry.example.com
  cacheEnabled: true
backend:
  enabled: true
  replicas: 3
sessions:
  maxMemory: 64mb
pages:
  maxMemory: 256mb
  policy: allkeys-lru
tags:
  monitoring: false
"##,
            ),
            (
                "shop/templates/summary.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-summary
data:
  env: {{ .Values.global.env }}
  backendReplicas: {{ .Values.backend.replicas | quote }}
  sessionsMemory: {{ .Values.sessions.maxMemory }}
  pagesPolicy: {{ .Values.pages.policy }}
  chart: {{ .Chart.Name }}-{{ .Chart.Version }}
  deps: {{ range .Chart.Dependencies }}{{ .Name }}{{ with .Alias }}({{ . }}){{ end }} {{ end }}
"##,
            ),
            ("shop/charts/backend/Chart.yaml", "apiVersion: v2\nname: backend\nversion: 0.2.0\nappVersion: \"0.9\"\n"),
            (
                "shop/charts/backend/values.yaml",
                "replicas: 1\nimage: shop/backend\nglobal:\n  env: dev\n  backendOnly: kept\n",
            ),
            (
                "shop/charts/backend/templates/_helpers.tpl",
                r##"{{- define "backend.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end -}}
"##,
            ),
            (
                "shop/charts/backend/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "backend.fullname" . }}
  labels:
    chart: {{ .Chart.Name }}-{{ .Chart.Version }}
    app-version: {{ .Chart.AppVersion | quote }}
    template: {{ .Template.Name }}
    base: {{ .Template.BasePath }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: backend
          image: {{ .Values.global.imageRegistry }}/{{ .Values.image }}
          env:
            - name: ENV
              value: {{ .Values.global.env }}
            - name: KEPT
              value: {{ .Values.global.backendOnly }}
"##,
            ),
            ("shop/charts/cache/Chart.yaml", "apiVersion: v2\nname: cache\nversion: 3.1.0\n"),
            ("shop/charts/cache/values.yaml", "maxMemory: 16mb\npolicy: noeviction\n"),
            (
                "shop/charts/cache/templates/statefulset.yaml",
                r##"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
spec:
  serviceName: {{ .Chart.Name }}
  template:
    spec:
      containers:
        - name: cache
          image: {{ .Values.global.imageRegistry }}/cache:7
          args: ["--maxmemory", {{ .Values.maxMemory | quote }}, "--policy", {{ .Values.policy | quote }}]
"##,
            ),
            ("shop/charts/metrics/Chart.yaml", "apiVersion: v2\nname: metrics\nversion: 0.1.0\n"),
            (
                "shop/charts/metrics/templates/servicemonitor.yaml",
                "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: {{ .Release.Name }}-metrics\n  labels:\n    env: {{ .Values.global.env }}\n",
            ),
            ("shop/charts/tracing/Chart.yaml", "apiVersion: v2\nname: tracing\nversion: 0.1.0\n"),
            (
                "shop/charts/tracing/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-tracing\ndata:\n  sampler: {{ .Values.sampler | default \"always\" }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["shop", "CHART"]),
            renders(&["shop", "CHART", "--set", "backend.enabled=false", "--set", "tags.monitoring=true"]),
            renders(&[
                "shop",
                "CHART",
                "--set",
                "global.cacheEnabled=false",
                "--set",
                "tags.debug=true",
                "--set",
                "tracing.enabled=false",
            ]),
            renders(&["shop", "CHART", "--set", "sessions.enabled=true", "--set", "global.cacheEnabled=false"]),
            renders(&[
                "shop",
                "CHART",
                "--set",
                "global.env=prod",
                "--set",
                "backend.global.env=ignored",
                "--set",
                "tags.debug=true",
            ]),
        ],
    },
    // ---- a packaged (.tgz) subchart next to a directory one; parent includes a subchart define
    Case {
        name: "packaged-subchart",
        chart: "portal",
        files: &[
            (
                "portal/Chart.yaml",
                "apiVersion: v2\nname: portal\nversion: 2.0.0\ndependencies:\n- name: auth\n  version: 1.2.3\n  repository: https://charts.example.com\n- name: ui\n  version: 0.0.1\n",
            ),
            (
                "portal/values.yaml",
                "global:\n  domain: portal.example.test\nauth:\n  replicas: 2\n  oidc:\n    issuer: https://login.example.test\nui:\n  theme: dark\n",
            ),
            (
                "portal/templates/ingress.yaml",
                r##"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}-portal
  annotations:
    auth-service: {{ include "auth.fullname" . }}
    auth-issuer: {{ .Values.auth.oidc.issuer }}
spec:
  rules:
    - host: {{ .Values.global.domain }}
"##,
            ),
            ("portal/charts/auth/Chart.yaml", "apiVersion: v2\nname: auth\nversion: 1.2.3\nappVersion: 4.0.1\n"),
            (
                "portal/charts/auth/values.yaml",
                "replicas: 1\noidc:\n  issuer: https://default.invalid\n  scopes: [openid, email]\nglobal:\n  domain: auth.invalid\n",
            ),
            (
                "portal/charts/auth/templates/_helpers.tpl",
                "{{- define \"auth.fullname\" -}}\n{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end }}\n",
            ),
            (
                "portal/charts/auth/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "auth.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: auth
          image: "auth:{{ .Chart.AppVersion }}"
          env:
            - name: ISSUER
              value: {{ .Values.oidc.issuer | quote }}
            - name: SCOPES
              value: {{ join " " .Values.oidc.scopes | quote }}
            - name: DOMAIN
              value: {{ .Values.global.domain }}
"##,
            ),
            ("portal/charts/auth/files/policy.txt", "allow all\n"),
            (
                "portal/charts/auth/templates/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"auth.fullname\" . }}\ndata:\n  policy: {{ .Files.Get \"files/policy.txt\" | quote }}\n",
            ),
            ("portal/charts/ui/Chart.yaml", "apiVersion: v2\nname: ui\nversion: 0.0.1\n"),
            (
                "portal/charts/ui/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-ui\ndata:\n  theme: {{ .Values.theme | default \"light\" }}\n  domain: {{ .Values.global.domain }}\n",
            ),
        ],
        packaged: &["portal/charts/auth"],
        runs: &[
            renders(&["p", "CHART"]),
            renders(&[
                "p",
                "CHART",
                "--set",
                "auth.oidc.scopes={openid,profile,groups}",
                "--set",
                "global.domain=x.test",
            ]),
            renders(&["p", "CHART", "--show-only", "charts/auth/templates/deployment.yaml"]),
        ],
    },
    // ---- the chart itself as a .tgz, holding a packaged subchart; .helmignore is not applied to archives
    Case {
        name: "packaged-top",
        chart: "bundle",
        files: &[
            ("bundle/Chart.yaml", "apiVersion: v2\nname: bundle\nversion: 0.5.0\nappVersion: v1\n"),
            ("bundle/values.yaml", "greeting: hello\nworker:\n  queue: jobs\n"),
            ("bundle/.helmignore", "*.md\nscratch/\n"),
            ("bundle/README.md", "# bundle\n"),
            ("bundle/scratch/notes.txt", "scratch\n"),
            ("bundle/conf/app.conf", "greeting = hello\n"),
            (
                "bundle/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-bundle
data:
  greeting: {{ .Values.greeting }}
  files: {{ range $path, $_ := .Files.Glob "**" }}{{ $path }} {{ end }}
  conf: {{ .Files.Get "conf/app.conf" | quote }}
"##,
            ),
            ("bundle/charts/worker/Chart.yaml", "apiVersion: v2\nname: worker\nversion: 0.1.0\n"),
            ("bundle/charts/worker/values.yaml", "queue: default\nconcurrency: 4\n"),
            (
                "bundle/charts/worker/templates/job.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: w\n          image: worker\n          args: [{{ .Values.queue | quote }}, {{ .Values.concurrency | quote }}]\n      restartPolicy: Never\n",
            ),
        ],
        packaged: &["bundle/charts/worker", "bundle"],
        runs: &[renders(&["CHART"]), renders(&["b", "CHART", "--set", "worker.concurrency=8", "--namespace", "jobs"])],
    },
    // ---- import-values: the exports shorthand and the child/parent form, and who wins
    Case {
        name: "import-values",
        chart: "dashboard",
        files: &[
            (
                "dashboard/Chart.yaml",
                r##"apiVersion: v2
name: dashboard
version: 1.0.0
dependencies:
  - name: datasource
    version: 1.0.0
    import-values:
      - defaults
      - child: ui.theme
        parent: theme
      - child: endpoints
        parent: imported.endpoints
"##,
            ),
            (
                "dashboard/values.yaml",
                "theme:\n  color: red\nimported:\n  endpoints:\n    extra: http://extra\nrefreshSeconds: 60\n",
            ),
            (
                "dashboard/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-dashboard
data:
  values: |
    {{- toYaml (omit .Values "datasource") | nindent 4 }}
  child: |
    {{- toYaml .Values.datasource | nindent 4 }}
"##,
            ),
            ("dashboard/charts/datasource/Chart.yaml", "apiVersion: v2\nname: datasource\nversion: 1.0.0\n"),
            (
                "dashboard/charts/datasource/values.yaml",
                r##"exports:
  defaults:
    refreshSeconds: 30
    timezone: UTC
ui:
  theme:
    color: teal
    dark: true
endpoints:
  primary: http://primary:8080
  replica: http://replica:8080
"##,
            ),
            (
                "dashboard/charts/datasource/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-datasource\ndata:\n  primary: {{ .Values.endpoints.primary }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "datasource.ui.theme.color=green", "--set", "theme.dark=false"]),
        ],
    },
    // ---- a library chart's defines used by an application chart; the library alone is not installable
    Case {
        name: "library-chart",
        chart: "orders",
        files: &[
            (
                "orders/Chart.yaml",
                "apiVersion: v2\nname: orders\nversion: 0.4.0\nappVersion: 3.2.1\ndependencies:\n- name: commonlib\n  version: 1.x.x\n  repository: file://../commonlib\n",
            ),
            (
                "orders/values.yaml",
                "image:\n  repository: orders\n  tag: \"\"\nreplicas: 2\nport: 8080\nextraLabels:\n  tier: backend\n",
            ),
            (
                "orders/templates/deployment.yaml",
                "{{- include \"commonlib.deployment\" (list . \"orders.deployment\") -}}\n{{- define \"orders.deployment\" -}}\nspec:\n  template:\n    spec:\n      containers:\n        - {{ include \"commonlib.container\" . | nindent 10 | trim }}\n          ports:\n            - containerPort: {{ .Values.port }}\n{{- end -}}\n",
            ),
            ("orders/templates/service.yaml", "{{ template \"commonlib.service\" . }}\n"),
            ("orders/charts/commonlib/Chart.yaml", "apiVersion: v2\nname: commonlib\ntype: library\nversion: 1.0.0\n"),
            ("orders/charts/commonlib/values.yaml", "libDefault: from-library\n"),
            (
                "orders/charts/commonlib/templates/_util.tpl",
                r##"{{- /*
commonlib.merge renders the base template and the override template (both with
the caller's context) and merges the override over the base.
*/}}
{{- define "commonlib.merge" -}}
{{- $top := first . -}}
{{- $overrides := fromYaml (include (index . 1) $top) | default (dict) -}}
{{- $tpl := fromYaml (include (index . 2) $top) | default (dict) -}}
{{- toYaml (merge $overrides $tpl) -}}
{{- end -}}

{{- define "commonlib.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "commonlib.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- with .Values.extraLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
"##,
            ),
            (
                "orders/charts/commonlib/templates/_deployment.tpl",
                r##"{{- define "commonlib.deployment.tpl" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "commonlib.fullname" . }}
  labels:
    {{- include "commonlib.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas | default 1 }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
  template:
    metadata:
      labels:
        {{- include "commonlib.labels" . | nindent 8 }}
    spec:
      containers:
      - {{ include "commonlib.container" . | nindent 8 | trim }}
{{- end -}}

{{- define "commonlib.deployment" -}}
{{- include "commonlib.merge" (append . "commonlib.deployment.tpl") -}}
{{- end -}}

{{- define "commonlib.container" -}}
name: {{ .Chart.Name }}
image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
{{- end -}}

{{- define "commonlib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "commonlib.fullname" . }}
  labels:
    {{- include "commonlib.labels" . | nindent 4 }}
spec:
  ports:
  - port: {{ .Values.port }}
    name: http
{{- end -}}
"##,
            ),
            (
                "orders/charts/commonlib/templates/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: library-manifests-are-not-rendered\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["shop", "CHART"]),
            renders(&["shop", "CHART", "--set", "image.tag=3.3.0", "--set", "extraLabels=null"]),
            fails("library charts are not installable", &["lib", "FILE:orders/charts/commonlib"]),
        ],
    },
    // ---- three levels of charts: globals flow down, parents override children, .Chart per level
    Case {
        name: "nested-subcharts-globals",
        chart: "platform",
        files: &[
            (
                "platform/Chart.yaml",
                "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n- name: api\n  version: 1.0.0\n",
            ),
            (
                "platform/values.yaml",
                "global:\n  region: eu-west-1\n  labels:\n    owner: platform\napi:\n  db:\n    pool: 20\n  global:\n    fromApiKey: set-by-parent\n",
            ),
            (
                "platform/templates/ns.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n  labels: {{ toYaml .Values.global.labels | nindent 4 }}\n",
            ),
            (
                "platform/charts/api/Chart.yaml",
                "apiVersion: v2\nname: api\nversion: 1.0.0\ndependencies:\n- name: db\n  version: 1.0.0\n",
            ),
            (
                "platform/charts/api/values.yaml",
                "global:\n  region: us-east-1\n  apiOnly: yes-api\ndb:\n  pool: 5\n  user: api\n",
            ),
            (
                "platform/charts/api/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-api\ndata:\n  global: {{ toJson .Values.global | quote }}\n  db: {{ toJson .Values.db | quote }}\n",
            ),
            ("platform/charts/api/charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n"),
            ("platform/charts/api/charts/db/values.yaml", "pool: 1\nuser: root\nport: 5432\n"),
            (
                "platform/charts/api/charts/db/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-db\ndata:\n  all: {{ toJson .Values | quote }}\n  chart: {{ .Chart.Name }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "global.region=ap-south-1", "--set", "api.db.port=6543", "-n", "infra"]),
        ],
    },
    // ---- tpl over values strings (with $, defines, define inside the string) and required
    Case {
        name: "tpl-required",
        chart: "tplreq",
        files: &[
            ("tplreq/Chart.yaml", "apiVersion: v2\nname: tplreq\nversion: 0.1.0\n"),
            (
                "tplreq/values.yaml",
                r##"appName: shop
host: "{{ .Values.appName }}.{{ .Release.Namespace }}.svc.cluster.local"
labelsTpl: |
  team: {{ .Values.team | default "core" }}
  release: {{ .Release.Name }}
greeting: '{{ include "tplreq.greet" . }}'
defineInValue: '{{ define "tplreq.inline" }}inline-{{ .Values.appName }}{{ end }}{{ include "tplreq.inline" . | upper }}'
items:
  - "{{ .Chart.Name }}-a"
  - "{{ upper .Values.appName }}"
  - plain
annotations:
  checksum/app: "{{ .Values.appName | sha256sum | trunc 12 }}"
  url: "https://{{ .Values.appName }}.example.test"
database:
  host: db.internal
  port: 5432
"##,
            ),
            (
                "tplreq/templates/_helpers.tpl",
                "{{- define \"tplreq.greet\" -}}\nhello from {{ .Chart.Name }} in {{ .Release.Namespace }}\n{{- end -}}\n",
            ),
            (
                "tplreq/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-tpl
  labels:
    {{- tpl .Values.labelsTpl . | nindent 4 }}
  annotations:
    {{- tpl (toYaml .Values.annotations) . | nindent 4 }}
data:
  host: {{ tpl .Values.host . | quote }}
  greeting: {{ tpl .Values.greeting . | quote }}
  defineInValue: {{ tpl .Values.defineInValue . | quote }}
  {{- range $i, $item := .Values.items }}
  item{{ $i }}: {{ tpl $item $ | quote }}
  {{- end }}
  literal: {{ tpl "{{ 1 | add 2 }} {{ .Template.Name }}" . | quote }}
  dbHost: {{ required "database.host is required" .Values.database.host }}
  dbPort: {{ required "database.port is required" .Values.database.port | quote }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["shop", "CHART"]),
            renders(&["shop", "CHART", "-n", "prod", "--set", "team=payments", "--set", "appName=cart"]),
            fails("database.host is required", &["shop", "CHART", "--set", "database.host=null"]),
            fails("database.host is required", &["shop", "CHART", "--set", "database.host="]),
            fails("database.port is required", &["shop", "CHART", "--set", "database.port=null"]),
        ],
    },
    // ---- fail with a formatted message, and a fail inside an include
    Case {
        name: "fail-func",
        chart: "guard",
        files: &[
            ("guard/Chart.yaml", "apiVersion: v2\nname: guard\nversion: 0.1.0\n"),
            ("guard/values.yaml", "mode: a\nstorage:\n  size: 10Gi\n"),
            (
                "guard/templates/_validate.tpl",
                r##"{{- define "guard.validate" -}}
{{- if not (has .Values.mode (list "a" "b")) -}}
{{- fail (printf "mode must be a or b, got %q" .Values.mode) -}}
{{- end -}}
{{- if not (regexMatch "^[0-9]+(Mi|Gi)$" .Values.storage.size) -}}
{{- fail "storage.size must look like 10Gi" -}}
{{- end -}}
{{- end -}}
"##,
            ),
            (
                "guard/templates/pvc.yaml",
                r##"{{- include "guard.validate" . -}}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .Release.Name }}-data
  annotations:
    mode: {{ .Values.mode }}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: {{ .Values.storage.size }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "mode=b", "--set", "storage.size=512Mi"]),
            fails("mode must be a or b, got \"c\"", &["CHART", "--set", "mode=c"]),
            fails(
                "execution error at (guard/templates/pvc.yaml:1:4): storage.size must look like 10Gi",
                &["CHART", "--set", "storage.size=big"],
            ),
        ],
    },
    // ---- values.schema.json in the chart and in a subchart
    Case {
        name: "values-schema",
        chart: "schemed",
        files: &[
            (
                "schemed/Chart.yaml",
                "apiVersion: v2\nname: schemed\nversion: 0.1.0\ndependencies:\n- name: worker\n  version: 0.1.0\n",
            ),
            (
                "schemed/values.yaml",
                "replicas: 2\nimage:\n  repository: app\n  pullPolicy: IfNotPresent\nports: [80, 443]\nlabels: {}\nworker:\n  concurrency: 3\n",
            ),
            (
                "schemed/values.schema.json",
                r##"{
  "$schema": "https://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["replicas", "image"],
  "properties": {
    "replicas": {"type": "integer", "minimum": 1, "maximum": 50},
    "image": {
      "type": "object",
      "required": ["repository"],
      "properties": {
        "repository": {"type": "string", "minLength": 1},
        "pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent", "Never"]}
      }
    },
    "ports": {"type": "array", "items": {"type": "integer"}, "uniqueItems": true},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
  }
}
"##,
            ),
            (
                "schemed/templates/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: {{ .Values.image.repository }}\n        imagePullPolicy: {{ .Values.image.pullPolicy }}\n        ports: {{ range .Values.ports }}\n        - containerPort: {{ . }}{{ end }}\n",
            ),
            ("schemed/charts/worker/Chart.yaml", "apiVersion: v2\nname: worker\nversion: 0.1.0\n"),
            ("schemed/charts/worker/values.yaml", "concurrency: 1\n"),
            (
                "schemed/charts/worker/values.schema.json",
                r##"{"type": "object", "properties": {"concurrency": {"type": "integer", "minimum": 1}}, "required": ["concurrency"]}
"##,
            ),
            (
                "schemed/charts/worker/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: worker\ndata:\n  concurrency: {{ .Values.concurrency | quote }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "replicas=50", "--set", "labels.team=x", "--set", "worker.concurrency=9"]),
            fails(
                "in the following chart(s):\nschemed:\n- replicas: Must be greater than or equal to 1",
                &["CHART", "--set", "replicas=0"],
            ),
            fails(
                "values don't meet the specifications of the schema(s)",
                &["CHART", "--set", "image.pullPolicy=Sometimes"],
            ),
            fails("values don't meet the specifications of the schema(s)", &["CHART", "--set-string", "replicas=3"]),
            fails("values don't meet the specifications of the schema(s)", &["CHART", "--set", "labels.count=3"]),
            fails("in the following chart(s):\nworker:\n- concurrency: ", &["CHART", "--set", "worker.concurrency=0"]),
            fails("- (root): image is required", &["CHART", "--set", "image=null"]),
        ],
    },
    // ---- .Files: Get, GetBytes, Glob, AsConfig, AsSecrets, Lines; .helmignore
    Case {
        name: "files-api",
        chart: "filesy",
        files: &[
            ("filesy/Chart.yaml", "apiVersion: v2\nname: filesy\nversion: 0.1.0\n"),
            ("filesy/values.yaml", "{}\n"),
            ("filesy/.helmignore", "# editor files\n*.swp\nprivate/\nconfig/local-*.ini\n"),
            ("filesy/config/app.ini", "[server]\nport = 8080\nhost = 0.0.0.0\n"),
            ("filesy/config/db.ini", "[db]\nurl = postgres://db:5432/app\n"),
            ("filesy/config/local-dev.ini", "ignored = true\n"),
            ("filesy/config/local-keep.ini", "kept = true\n"),
            ("filesy/config/app.ini.swp", "swap\n"),
            ("filesy/config/nested/extra.json", "{\"nested\": true}\n"),
            ("filesy/private/key.pem", "-----BEGIN KEY-----\n"),
            ("filesy/secrets/token", "s3cr3t-token"),
            ("filesy/secrets/password.txt", "hunter2\n"),
            ("filesy/hosts.txt", "alpha.example.test\nbeta.example.test\n\ngamma.example.test\n"),
            ("filesy/banner.txt", "Welcome to ✓ filesy\n  indented line\n"),
            (
                "filesy/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-files
data:
  banner: {{ .Files.Get "banner.txt" | quote }}
  missing: {{ .Files.Get "does/not/exist.txt" | quote }}
  ignoredPem: {{ .Files.Get "private/key.pem" | quote }}
  bytes: {{ .Files.GetBytes "secrets/token" | toString | b64enc }}
  bytesLen: "{{ len (.Files.GetBytes "banner.txt") }}"
  {{- range $i, $line := .Files.Lines "hosts.txt" }}
  host{{ $i }}: {{ $line | quote }}
  {{- end }}
  {{- range $path, $content := .Files.Glob "config/**" }}
  {{ $path | replace "/" "_" }}: {{ $content | toString | quote }}
  {{- end }}
  inis: {{ range $path, $_ := .Files.Glob "config/*.ini" }}{{ base $path }} {{ end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-asconfig
data:
{{ (.Files.Glob "config/*.ini").AsConfig | indent 2 }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-assecrets
type: Opaque
data:
{{ (.Files.Glob "secrets/*").AsSecrets | indent 2 }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-embedded
data:
  {{- (.Files.Glob "config/nested/*").AsConfig | nindent 2 }}
  {{- $cfg := .Files.Get "config/nested/extra.json" | fromJson }}
  nested: {{ $cfg.nested | quote }}
  allFiles: {{ range $p, $_ := .Files.Glob "**" }}{{ $p }} {{ end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- .Capabilities with --kube-version and --api-versions, semverCompare
    Case {
        name: "capabilities",
        chart: "caps",
        files: &[
            ("caps/Chart.yaml", "apiVersion: v2\nname: caps\nversion: 0.1.0\n"),
            ("caps/values.yaml", "{}\n"),
            (
                "caps/templates/apiversions.yaml",
                "{{- if .Values.listAPIVersions }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-versions\ndata:\n  all: {{ .Capabilities.APIVersions | toJson | quote }}\n{{- end }}\n",
            ),
            (
                "caps/templates/_helpers.tpl",
                r##"{{- define "caps.cronjob.apiVersion" -}}
{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion -}}
batch/v1
{{- else -}}
batch/v1beta1
{{- end -}}
{{- end -}}
"##,
            ),
            (
                "caps/templates/info.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  version: {{ .Capabilities.KubeVersion.Version | quote }}
  string: {{ .Capabilities.KubeVersion | quote }}
  gitVersion: {{ .Capabilities.KubeVersion.GitVersion | quote }}
  major: {{ .Capabilities.KubeVersion.Major | quote }}
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
  ge125: {{ semverCompare ">=1.25.0-0" .Capabilities.KubeVersion.Version | quote }}
  range: {{ semverCompare "~1.29.0" .Capabilities.KubeVersion.Version | quote }}
  hasAppsV1: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
  hasDeploymentKind: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}
  hasMonitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
  hasServiceMonitor: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" | quote }}
  hasNetV1beta1: {{ .Capabilities.APIVersions.Has "networking.k8s.io/v1beta1" | quote }}
  hasNonsense: {{ .Capabilities.APIVersions.Has "nonsense.example.com/v9" | quote }}
---
apiVersion: {{ include "caps.cronjob.apiVersion" . }}
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: busybox
          restartPolicy: OnFailure
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: caps
{{- end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--kube-version", "1.20.4"]),
            renders(&[
                "CHART",
                "--kube-version",
                "v1.29.3",
                "--api-versions",
                "monitoring.coreos.com/v1",
                "--api-versions",
                "monitoring.coreos.com/v1/ServiceMonitor",
            ]),
            renders(&["CHART", "--kube-version", "1.27", "-a", "nonsense.example.com/v9"]),
            renders(&["CHART", "--set", "listAPIVersions=true", "--show-only", "templates/apiversions.yaml"]),
            renders(&[
                "CHART",
                "--set",
                "listAPIVersions=true",
                "-s",
                "templates/apiversions.yaml",
                "-a",
                "x.example.com/v1,y.example.com/v2",
            ]),
            fails("invalid kube version", &["CHART", "--kube-version", "not-a-version"]),
        ],
    },
    // ---- Chart.yaml kubeVersion constraint
    Case {
        name: "kube-version-constraint",
        chart: "modern",
        files: &[
            ("modern/Chart.yaml", "apiVersion: v2\nname: modern\nversion: 0.1.0\nkubeVersion: \">=1.28.0-0\"\n"),
            ("modern/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: modern\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--kube-version", "1.28.0"]),
            fails(
                "chart requires kubeVersion: >=1.28.0-0 which is incompatible with Kubernetes v1.26.5",
                &["CHART", "--kube-version", "1.26.5"],
            ),
        ],
    },
    // ---- hooks: weights, delete policies, tests; --no-hooks, --skip-tests, --is-upgrade
    Case {
        name: "hooks",
        chart: "hooked",
        files: &[
            ("hooked/Chart.yaml", "apiVersion: v2\nname: hooked\nversion: 0.1.0\n"),
            ("hooked/values.yaml", "image: migrate:1\n"),
            (
                "hooked/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  annotations:
    install: {{ .Release.IsInstall | quote }}
    upgrade: {{ .Release.IsUpgrade | quote }}
    revision: {{ .Release.Revision | quote }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
"##,
            ),
            (
                "hooked/templates/hooks.yaml",
                r##"apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "5"
    "helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: {{ .Values.image }}
      restartPolicy: Never
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-pre-config
  annotations:
    "helm.sh/hook": pre-install
    "helm.sh/hook-weight": "-5"
data:
  stage: pre
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-post
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-weight: "0"
stringData:
  done: "yes"
---
{{- if .Release.IsUpgrade }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-upgrade-only
  annotations:
    "helm.sh/hook": pre-upgrade
spec:
  template:
    spec:
      containers:
        - name: up
          image: busybox
      restartPolicy: Never
{{- end }}
"##,
            ),
            (
                "hooked/templates/cleanup.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-cleanup\n  annotations:\n    \"helm.sh/hook\": pre-delete,post-delete\n    \"helm.sh/hook-delete-policy\": hook-failed\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: busybox\n      restartPolicy: Never\n",
            ),
            (
                "hooked/templates/service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n  - port: 80\n",
            ),
            (
                "hooked/templates/tests/test-http.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test-http\n  annotations:\n    \"helm.sh/hook\": test\n    \"helm.sh/hook-delete-policy\": before-hook-creation\nspec:\n  containers:\n  - name: curl\n    image: curl\n  restartPolicy: Never\n",
            ),
            (
                "hooked/templates/tests/test-legacy.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test-legacy\n  annotations:\n    \"helm.sh/hook\": test-success\nspec:\n  containers:\n  - name: curl\n    image: curl\n  restartPolicy: Never\n",
            ),
            (
                "hooked/templates/tests/plain.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-not-a-hook\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["h", "CHART"]),
            renders(&["h", "CHART", "--no-hooks"]),
            renders(&["h", "CHART", "--skip-tests"]),
            renders(&["h", "CHART", "--is-upgrade"]),
            renders(&["h", "CHART", "--is-upgrade", "--no-hooks", "--skip-tests"]),
            renders(&["h", "CHART", "--show-only", "templates/hooks.yaml"]),
            renders(&["h", "CHART", "--show-only", "templates/tests/*"]),
            fails(
                "could not find template templates/tests/test-http.yaml in chart",
                &["h", "CHART", "--skip-tests", "--show-only", "templates/tests/test-http.yaml"],
            ),
            fails(
                "could not find template templates/hooks.yaml in chart",
                &["h", "CHART", "--no-hooks", "--show-only", "templates/hooks.yaml"],
            ),
        ],
    },
    // ---- crds/: printed only with --include-crds, before templates; subchart crds too
    Case {
        name: "crds",
        chart: "operator",
        files: &[
            (
                "operator/Chart.yaml",
                "apiVersion: v2\nname: operator\nversion: 0.1.0\ndependencies:\n- name: addon\n  version: 0.1.0\n",
            ),
            ("operator/values.yaml", "widgets:\n- name: first\n  size: 1\n- name: second\n  size: 3\n"),
            (
                "operator/crds/widgets.yaml",
                r##"# Widgets CRD: not templated, {{ .Values }} stays as written
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
"##,
            ),
            (
                "operator/crds/gadgets.yml",
                "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\nspec:\n  group: example.com\n  names: {kind: Gadget, plural: gadgets}\n  scope: Cluster\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gizmos.example.com\nspec:\n  group: example.com\n  names: {kind: Gizmo, plural: gizmos}\n  scope: Cluster\n",
            ),
            ("operator/crds/README.txt", "not a manifest\n"),
            (
                "operator/templates/widgets.yaml",
                "{{- range .Values.widgets }}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .name }}\nspec:\n  size: {{ .size }}\n{{- end }}\n",
            ),
            (
                "operator/templates/crd-in-templates.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: templated.example.com\nspec:\n  group: example.com\n  names: {kind: Templated, plural: templateds}\n  scope: Namespaced\n",
            ),
            ("operator/charts/addon/Chart.yaml", "apiVersion: v2\nname: addon\nversion: 0.1.0\n"),
            (
                "operator/charts/addon/crds/addons.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: addons.example.com\nspec:\n  group: example.com\n  names: {kind: Addon, plural: addons}\n  scope: Namespaced\n",
            ),
            (
                "operator/charts/addon/templates/addon.yaml",
                "apiVersion: example.com/v1\nkind: Addon\nmetadata:\n  name: {{ .Release.Name }}-addon\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["op", "CHART"]),
            renders(&["op", "CHART", "--include-crds"]),
            renders(&["op", "CHART", "--include-crds", "--show-only", "templates/widgets.yaml"]),
        ],
    },
    // ---- --set / --set-string / --set-file / --set-json parsing edge cases
    Case {
        name: "set-flags",
        chart: "setter",
        files: &[
            ("setter/Chart.yaml", "apiVersion: v2\nname: setter\nversion: 0.1.0\n"),
            (
                "setter/values.yaml",
                r##"defaults:
  keep: kept
  remove: gone-unless-null
  nested:
    deep: 1
list: [x, y, z]
objs:
  - name: a
    port: 1
  - name: b
    port: 2
annotations: {}
"##,
            ),
            (
                "setter/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: setter\ndata:\n  values.yaml: |\n    {{- toYaml .Values | nindent 4 }}\n  types: {{ range $k, $v := .Values }}{{ $k }}={{ typeOf $v }} {{ end }}\n",
            ),
            ("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            ("script.sh", "#!/bin/sh\necho \"hi, there\"\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART", "--set", "a.b.c=1,a.b.d=two,top=true"]),
            renders(&["CHART", "--set", "list={a,b,c}", "--set", "empty={}", "--set", "one={solo}"]),
            renders(&["CHART", "--set", "list[1]=changed", "--set", "objs[1].port=20", "--set", "objs[3].name=sparse"]),
            renders(&[
                "CHART",
                "--set",
                "escaped=a\\,b\\,c",
                "--set",
                "annotations.example\\.com/key=v",
                "--set",
                "eq=x=y",
            ]),
            renders(&["CHART", "--set", "defaults.remove=null", "--set", "defaults.nested=null"]),
            renders(&[
                "CHART",
                "--set",
                "int=10",
                "--set",
                "zero=0",
                "--set",
                "leadingZero=007",
                "--set",
                "neg=-3",
                "--set",
                "big=12345678901234",
                "--set",
                "float=1.5",
                "--set",
                "bool=false",
                "--set",
                "str=TRUE",
                "--set",
                "emptyVal=",
            ]),
            renders(&["CHART", "--set-string", "int=10", "--set-string", "bool=true", "--set-string", "nul=null"]),
            renders(&["CHART", "--set-file", "cert=FILE:cert.pem", "--set-file", "defaults.script=FILE:script.sh"]),
            renders(&[
                "CHART",
                "--set-json",
                "obj={\"a\":[1,2,{\"b\":null}],\"c\":1.5e3}",
                "--set-json",
                "list=[\"q\"]",
            ]),
            renders(&["CHART", "--set", "a=1", "--set", "a=2", "--set", "list[0]=first,list[2]=third"]),
            renders(&["CHART", "--set", "name=with space", "--set", "url=http://x.test/a?b=c", "--set", "unicode=✓"]),
            fails("failed parsing --set data", &["CHART", "--set", "list[a]=1"]),
            fails("key \"noequals\" has no value", &["CHART", "--set", "noequals"]),
        ],
    },
    // ---- several -f files, --set over them, user values over a subchart's defaults
    Case {
        name: "values-files-order",
        chart: "layered",
        files: &[
            (
                "layered/Chart.yaml",
                "apiVersion: v2\nname: layered\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n",
            ),
            (
                "layered/values.yaml",
                "tier: base\nreplicas: 1\nmap:\n  a: base-a\n  b: base-b\n  inner: {x: 1, y: 2}\nlist: [base]\nscalarToMap: plain\nsub:\n  fromParent: parent-default\n",
            ),
            (
                "layered/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: layered\ndata:\n  values.yaml: |\n    {{- toYaml .Values | nindent 4 }}\n",
            ),
            ("layered/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("layered/charts/sub/values.yaml", "fromParent: sub-default\nown: sub-own\nremoveMe: sub-value\n"),
            (
                "layered/charts/sub/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata:\n  values: {{ toJson .Values | quote }}\n",
            ),
            (
                "overrides/dev.yaml",
                "tier: dev\nmap:\n  a: dev-a\n  inner:\n    y: 20\n    z: 30\nlist: [dev1, dev2]\nsub:\n  own: dev-own\n",
            ),
            (
                "overrides/prod.yaml",
                "tier: prod\nreplicas: 5\nmap:\n  b: null\nscalarToMap:\n  now: a-map\nsub:\n  removeMe: null\n",
            ),
            ("overrides/empty.yaml", ""),
            ("overrides/comments.yml", "# only a comment\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART", "-f", "FILE:overrides/dev.yaml"]),
            renders(&["CHART", "-f", "FILE:overrides/dev.yaml", "-f", "FILE:overrides/prod.yaml"]),
            renders(&["CHART", "-f", "FILE:overrides/prod.yaml", "-f", "FILE:overrides/dev.yaml", "--set", "tier=cli"]),
            renders(&["CHART", "--values", "FILE:overrides/empty.yaml", "--values", "FILE:overrides/comments.yml"]),
            renders(&["CHART", "-f", "FILE:overrides/dev.yaml,FILE:overrides/prod.yaml"]),
            fails("no such file or directory", &["CHART", "-f", "FILE:overrides/missing.yaml"]),
        ],
    },
    // ---- --show-only: one file, a glob, a subchart file, a missing one, an empty one
    Case {
        name: "show-only",
        chart: "picky",
        files: &[
            (
                "picky/Chart.yaml",
                "apiVersion: v2\nname: picky\nversion: 0.1.0\ndependencies:\n- name: side\n  version: 0.1.0\n",
            ),
            ("picky/templates/cm-a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"),
            (
                "picky/templates/cm-b.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n",
            ),
            ("picky/templates/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n"),
            ("picky/templates/empty.yaml", "{{- if false }}\nkind: Nothing\n{{- end }}\n"),
            ("picky/templates/sub/dir.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: nested\n"),
            ("picky/charts/side/Chart.yaml", "apiVersion: v2\nname: side\nversion: 0.1.0\n"),
            ("picky/charts/side/templates/side.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: side\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART", "--show-only", "templates/svc.yaml"]),
            renders(&["CHART", "-s", "templates/cm-*.yaml"]),
            renders(&["CHART", "-s", "templates/svc.yaml", "-s", "templates/cm-b.yaml"]),
            renders(&["CHART", "--show-only", "charts/side/templates/side.yaml"]),
            renders(&["CHART", "--show-only", "templates/sub/dir.yaml"]),
            renders(&["CHART", "--show-only", "templates/*/*.yaml"]),
            fails(
                "could not find template templates/nope.yaml in chart",
                &["CHART", "--show-only", "templates/nope.yaml"],
            ),
            fails(
                "could not find template templates/empty.yaml in chart",
                &["CHART", "--show-only", "templates/empty.yaml"],
            ),
            fails("could not find template", &["CHART", "--show-only", "picky/templates/svc.yaml"]),
        ],
    },
    // ---- release name and namespace
    Case {
        name: "namespace-release",
        chart: "named",
        files: &[
            ("named/Chart.yaml", "apiVersion: v2\nname: named\nversion: 1.2.3\nappVersion: \"1.0\"\n"),
            (
                "named/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
data:
  service: {{ .Release.Service }}
  revision: "{{ .Release.Revision }}"
  chart: {{ .Chart.Name }}/{{ .Chart.Version }}/{{ .Chart.AppVersion }}
  template: {{ .Template.Name }}
"##,
            ),
            (
                "named/templates/explicit-ns.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: fixed\n  namespace: elsewhere\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["my-rel", "CHART", "--namespace", "team-a"]),
            renders(&["CHART", "-n", "kube-system"]),
            renders(&["--namespace=ns-eq", "rel-eq", "CHART"]),
            renders(&["dotted.release.name", "CHART"]),
        ],
    },
    // ---- Sprig string functions
    Case {
        name: "sprig-strings",
        chart: "strs",
        files: &[
            ("strs/Chart.yaml", "apiVersion: v2\nname: strs\nversion: 0.1.0\n"),
            (
                "strs/values.yaml",
                r##"name: "My Service_Name"
empty: ""
zero: 0
falsy: false
emptyList: []
emptyMap: {}
csv: "a, b ,c"
path: /var/lib/data/file.tar.gz
image: docker.io/library/nginx:1.25.3@sha256:abc
sentence: the quick brown fox jumps over the lazy dog
"##,
            ),
            (
                "strs/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: strs
data:
  out: |
    default1: {{ .Values.empty | default "fallback" | quote }}
    default2: {{ .Values.zero | default 42 | quote }}
    default3: {{ .Values.falsy | default true | quote }}
    default4: {{ .Values.emptyList | default (list 1) | toJson | quote }}
    default5: {{ .Values.emptyMap | default "map-was-empty" | quote }}
    default6: {{ .Values.undefinedKey | default "undef" | quote }}
    default7: {{ default "x" .Values.name | quote }}
    empty: {{ empty .Values.empty }} {{ empty .Values.zero }} {{ empty .Values.name }} {{ empty .Values.emptyMap }}
    quote: {{ quote .Values.name "second" 3 }}
    squote: {{ squote .Values.name }}
    cases: {{ printf "%s|%s|%s|%s" (lower .Values.name) (upper .Values.name) (title .Values.sentence) (untitle "Hello World") | quote }}
    camel: {{ camelcase "http_server_name" }} {{ snakecase "HTTPServerName" }} {{ kebabcase "HTTPServerName" }}
    trunc: {{ trunc 5 .Values.sentence | quote }} {{ trunc -3 .Values.sentence | quote }} {{ trunc 100 "short" | quote }}
    trim: {{ trim "  both  " | quote }} {{ trimAll "-" "--x--" | quote }} {{ trimPrefix "/var" .Values.path | quote }} {{ trimSuffix ".gz" .Values.path | quote }}
    replace: {{ replace " " "-" .Values.sentence | quote }}
    regex: {{ regexReplaceAll "[^a-z0-9-]" (lower .Values.name) "-" | quote }} {{ regexReplaceAllLiteral "o" .Values.sentence "$1" | quote }}
    regexFind: {{ regexFind "[0-9]+\\.[0-9]+" .Values.image | quote }} {{ regexFindAll "o[a-z]" .Values.sentence -1 | toJson | quote }}
    regexMatch: {{ regexMatch "^docker\\.io/" .Values.image }} {{ mustRegexMatch "^[a-z]+$" "abc" }}
    regexSplit: {{ regexSplit "[/:@]" .Values.image -1 | toJson | quote }}
    split: {{ splitList "," .Values.csv | toJson | quote }} {{ (split "/" .Values.path)._3 | quote }}
    join: {{ join "-" (list "a" 1 true) | quote }} {{ list "x" "y" | join "" | quote }}
    contains: {{ contains "quick" .Values.sentence }} {{ hasPrefix "the" .Values.sentence }} {{ hasSuffix "dog" .Values.sentence }}
    repeat: {{ repeat 3 "ab" | quote }}
    substr: {{ substr 4 9 .Values.sentence | quote }}
    nospace: {{ nospace .Values.sentence | quote }}
    abbrev: {{ abbrev 12 .Values.sentence | quote }}
    initials: {{ initials .Values.sentence | quote }}
    wrap: {{ wrap 20 .Values.sentence | quote }}
    wrapWith: {{ wrapWith 10 "|" "alpha beta gamma delta" | quote }}
    indent: {{ indent 2 "a\nb" | quote }} {{ nindent 2 "c" | quote }}
    plural: {{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}
    cat: {{ cat "a" "b" nil "c" | quote }}
    b64: {{ b64enc .Values.name }} {{ b64enc .Values.name | b64dec | quote }} {{ b32enc "hi" }}
    sha: {{ sha256sum .Values.name }} {{ sha1sum "abc" }} {{ adler32sum "abc" }}
    base: {{ base .Values.path }} {{ dir .Values.path }} {{ ext .Values.path }} {{ clean "/a/../b/./c" }} {{ isAbs .Values.path }}
    toString: {{ toString 12 | quote }} {{ toString true | quote }} {{ toStrings (list 1 "a" nil) | toJson | quote }}
    shuffleFree: {{ "abc" | upper | lower | title }}
    swapcase: {{ swapcase "Hello World" }}
    htmlEsc: {{ "<b>&</b>" | quote }}
    semver: {{ (semver "1.2.3-beta.1+build.5").Major }}.{{ (semver "1.2.3-beta.1+build.5").Minor }} {{ (semver "v2.0.0").Prerelease | quote }} {{ semverCompare "^1.2.0" "1.4.9" }} {{ semverCompare "<1.0.0" "1.0.0" }}
    ternary: {{ ternary "on" "off" true }} {{ true | ternary "yes" "no" }} {{ ternary 1 2 (eq .Values.empty "") }}
    coalesce: {{ coalesce .Values.empty .Values.undefinedKey .Values.name "z" | quote }} {{ coalesce .Values.zero .Values.falsy | quote }}
    cond: {{ eq (lower "ABC") "abc" | ternary "lowered" "not" }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- Sprig dicts and lists
    Case {
        name: "sprig-collections",
        chart: "colls",
        files: &[
            ("colls/Chart.yaml", "apiVersion: v2\nname: colls\nversion: 0.1.0\n"),
            (
                "colls/values.yaml",
                r##"base:
  labels:
    app: colls
    tier: web
  ports: [80, 443]
  nested:
    level1:
      level2: deep-value
override:
  labels:
    tier: api
    extra: "1"
  nested:
    level1:
      other: x
tags: [beta, alpha, gamma, alpha, beta]
"##,
            ),
            (
                "colls/templates/cm.yaml",
                r##"{{- $d := dict "name" "svc" "port" 80 "nested" (dict "a" 1) -}}
{{- $_ := set $d "added" "yes" -}}
{{- $_ := unset $d "port" -}}
{{- $copy := deepCopy .Values.base -}}
{{- $_ := set $copy.labels "copied" "true" -}}
{{- $merged := merge (deepCopy .Values.override) (deepCopy .Values.base) -}}
{{- $over := mergeOverwrite (deepCopy .Values.base) (deepCopy .Values.override) -}}
{{- $l := list 3 1 2 -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: colls
data:
  out: |
    dict: {{ toJson $d | quote }}
    hasKey: {{ hasKey $d "added" }} {{ hasKey $d "port" }}
    get: {{ get $d "name" }} {{ get $d "nope" | quote }}
    keys: {{ keys $d | sortAlpha | toJson | quote }}
    values: {{ values (dict "b" "2" "a" "1") | sortAlpha | toJson | quote }}
    pluck: {{ pluck "tier" .Values.base.labels .Values.override.labels | toJson | quote }}
    pick: {{ pick .Values.base.labels "app" | toJson | quote }}
    omit: {{ omit .Values.base.labels "app" | toJson | quote }}
    dig: {{ dig "nested" "level1" "level2" "none" .Values.base | quote }} {{ dig "nested" "missing" "none" .Values.base | quote }}
    deepCopyOriginal: {{ toJson .Values.base.labels | quote }}
    deepCopyCopy: {{ toJson $copy.labels | quote }}
    merge: {{ toJson $merged | quote }}
    mergeOverwrite: {{ toJson $over | quote }}
    list: {{ toJson $l | quote }} {{ first $l }} {{ last $l }} {{ rest $l | toJson }} {{ initial $l | toJson }}
    append: {{ append $l 4 | toJson | quote }} {{ prepend $l 0 | toJson | quote }} {{ concat $l (list 9 8) | toJson | quote }}
    has: {{ has 2 $l }} {{ has "2" $l }} {{ has "alpha" .Values.tags }}
    uniq: {{ uniq .Values.tags | toJson | quote }}
    sortAlpha: {{ sortAlpha .Values.tags | toJson | quote }} {{ sortAlpha (list 10 9 100) | toJson | quote }}
    without: {{ without .Values.tags "alpha" | toJson | quote }}
    reverse: {{ reverse .Values.tags | toJson | quote }}
    compact: {{ compact (list "a" "" 0 "b" nil false) | toJson | quote }}
    slice: {{ slice .Values.tags 1 3 | toJson | quote }}
    until: {{ until 4 | toJson | quote }} {{ untilStep 0 10 3 | toJson | quote }} {{ seq 3 | quote }} {{ seq 5 -2 1 | quote }}
    chunk: {{ chunk 2 .Values.tags | toJson | quote }}
    len: {{ len .Values.tags }} {{ len .Values.base }}
    kindIs: {{ kindIs "map" $d }} {{ kindIs "slice" $l }} {{ kindOf .Values.tags }} {{ typeIs "string" "x" }}
    toJson: {{ toJson .Values | quote }}
    toPrettyJson: {{ toPrettyJson .Values.base.labels | quote }}
    toRawJson: {{ toRawJson (dict "html" "<a>&") | quote }} {{ toJson (dict "html" "<a>&") | quote }}
    dictOfList: {{ dict "l" (list 1 (dict "x" nil)) | toYaml | quote }}
    empty: {{ toJson (dict) }} {{ toJson (list) }} {{ toYaml (dict) | quote }} {{ toYaml (list) | quote }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- number formatting: chart values (json.Number) vs -f/--set-json values (float64) vs --set (int64)
    Case {
        name: "number-formatting",
        chart: "nums",
        files: &[
            ("nums/Chart.yaml", "apiVersion: v2\nname: nums\nversion: 0.1.0\n"),
            (
                "nums/values.yaml",
                "replicaCount: 1000000\nratio: 0.25\nwhole: 3.0\nport: 8080\nneg: -7\nhuge: 123456789012345678\n",
            ),
            (
                "user.yaml",
                "replicaCount: 1000000\nratio: 0.25\nwhole: 3.0\nport: 8080\nneg: -7\nhuge: 123456789012345678\n",
            ),
            (
                "nums/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: nums
data:
  out: |
    raw: "{{ .Values.replicaCount }} {{ .Values.ratio }} {{ .Values.whole }} {{ .Values.port }} {{ .Values.neg }} {{ .Values.huge }}"
    types: "{{ typeOf .Values.replicaCount }} {{ typeOf .Values.ratio }} {{ typeOf .Values.port }}"
    printfV: {{ printf "%v %v %v" .Values.replicaCount .Values.ratio .Values.whole | quote }}
    printfS: {{ printf "%s" (toString .Values.replicaCount) | quote }}
    printfD: {{ printf "%d|%s|%v|%.1f" .Values.replicaCount .Values.port .Values.ratio .Values.whole | quote }}
    printfQ: {{ printf "%q" (toString .Values.port) | quote }}
    int: "{{ int .Values.replicaCount }} {{ int .Values.ratio }} {{ int64 .Values.huge }} {{ int .Values.whole }}"
    float: "{{ float64 .Values.port }} {{ float64 "2.50" }} {{ float64 .Values.ratio | mulf 4 }}"
    arith: "{{ add .Values.port 1 }} {{ sub .Values.port 80 }} {{ mul .Values.port 2 }} {{ div .Values.port 3 }} {{ mod .Values.port 7 }} {{ add1 .Values.neg }}"
    arithf: "{{ addf .Values.ratio 1 }} {{ divf 1 3 }} {{ mulf 1.5 2 }} {{ subf 1 0.75 }}"
    minmax: "{{ max 3 .Values.port 9 }} {{ min 3 .Values.port 9 }} {{ maxf 1.5 2.25 }} {{ minf 1.5 2.25 }}"
    round: "{{ round 2.675 2 }} {{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.5 0 }}"
    atoi: "{{ atoi "42" }} {{ atoi "x" }} {{ toDecimal "0777" }}"
    toYaml: {{ toYaml (dict "r" .Values.replicaCount "f" .Values.ratio "w" .Values.whole "h" .Values.huge) | quote }}
    toJson: {{ toJson (dict "r" .Values.replicaCount "f" .Values.ratio "w" .Values.whole "h" .Values.huge) | quote }}
    literals: "{{ 1000000 }} {{ 1e6 }} {{ 0.1 }} {{ 2.0 }} {{ printf "%d" 1000000 }} {{ printf "%.1f" 2.0 }} {{ printf "%g" 1e21 }}"
    quoteNum: {{ quote .Values.port }} {{ squote .Values.ratio }}
    compare: "{{ eq (int .Values.port) 8080 }} {{ gt (float64 .Values.ratio) 0.2 }}"
    seq: {{ .Values.port | int | toString | len }}
"##,
            ),
            (
                "nums/templates/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nums\nspec:\n  replicas: {{ .Values.replicaCount }}\n  progressDeadlineSeconds: {{ .Values.port }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "-f", "FILE:user.yaml"]),
            renders(&["CHART", "--set", "replicaCount=1000000,ratio=0.25,port=8080,huge=123456789012345678"]),
            renders(&[
                "CHART",
                "--set-json",
                "replicaCount=1000000",
                "--set-json",
                "ratio=0.25",
                "--set-json",
                "port=8080",
            ]),
        ],
    },
    // ---- dates from fixed inputs (run with TZ=UTC)
    Case {
        name: "dates",
        chart: "dated",
        files: &[
            ("dated/Chart.yaml", "apiVersion: v2\nname: dated\nversion: 0.1.0\n"),
            ("dated/values.yaml", "released: \"2024-03-15\"\nstamp: \"2023-11-05T14:30:00Z\"\nepoch: 1700000000\n"),
            (
                "dated/templates/cm.yaml",
                r##"{{- $d := toDate "2006-01-02" .Values.released -}}
{{- $t := toDate "2006-01-02T15:04:05Z07:00" .Values.stamp -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: dated
data:
  out: |
    date: {{ $d | date "Jan 2, 2006" | quote }}
    iso: {{ date "2006-01-02T15:04:05Z07:00" $d | quote }}
    inZone: {{ dateInZone "2006-01-02 15:04 MST" $t "UTC" | quote }}
    inZone2: {{ dateInZone "15:04 MST" $t "Asia/Tokyo" | quote }}
    htmlDate: {{ htmlDate $t | quote }}
    htmlDateInZone: {{ htmlDateInZone $t "UTC" | quote }}
    unix: {{ unixEpoch $t | quote }}
    modified: {{ dateModify "+36h" $t | date "2006-01-02 15:04" | quote }}
    fromEpoch: {{ date "2006-01-02" (int .Values.epoch) | quote }}
    weekday: {{ $d | date "Monday" | quote }}
    duration: {{ duration (int64 3725) | quote }} {{ duration "90" | quote }}
    ago-free: {{ semverCompare ">=2024.0.0" (date "2006.1.2" $d) }}
    mustToDate: {{ (mustToDate "2006-01-02" "2020-02-29").YearDay }}
    {{- if .Values.strict }}
    strict: {{ mustToDate "2006-01-02" .Values.released | date "2006" }}
    {{- end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "released=not-a-date"]),
            renders(&["CHART", "--set", "strict=true"]),
            fails(
                "parsing time \"not-a-date\" as \"2006-01-02\"",
                &["CHART", "--set", "strict=true,released=not-a-date"],
            ),
        ],
    },
    // ---- Helm's install order: kinds across one file and many, unknown kinds last, ties by file
    Case {
        name: "install-order",
        chart: "ordered",
        files: &[
            ("ordered/Chart.yaml", "apiVersion: v2\nname: ordered\nversion: 0.1.0\n"),
            (
                "ordered/templates/all-in-one.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d1
---
apiVersion: example.com/v1
kind: Zebra
metadata:
  name: z1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: j1
---
apiVersion: v1
kind: Service
metadata:
  name: s1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
---
apiVersion: v1
kind: Secret
metadata:
  name: sec1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: example.com/v1
kind: Aardvark
metadata:
  name: a1
"##,
            ),
            (
                "ordered/templates/b-more.yaml",
                r##"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sts
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ds
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.example.com
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: rq
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
"##,
            ),
            ("ordered/templates/a-config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-from-a\n"),
            ("ordered/templates/z-config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-from-z\n"),
            ("ordered/templates/m-deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-from-m\n"),
            ("ordered/templates/sub/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-from-sub\n"),
            ("ordered/templates/Upper.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-from-upper\n"),
            ("ordered/templates/noapi.yaml", "kind: ConfigMap\nmetadata:\n  name: no-api-version\n"),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- empty documents, stray separators, comment-only documents, whitespace-only files
    Case {
        name: "empty-docs-separators",
        chart: "sparse",
        files: &[
            ("sparse/Chart.yaml", "apiVersion: v2\nname: sparse\nversion: 0.1.0\n"),
            ("sparse/values.yaml", "enabled: false\nitems: [one, two]\n"),
            (
                "sparse/templates/many.yaml",
                r##"---
# leading comment document
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
---
---

---
{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: conditional
{{- end }}
---
{{- range .Values.items }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: item-{{ . }}
{{- end }}
--- # a separator with a comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: after-commented-separator
...
"##,
            ),
            ("sparse/templates/blank.yaml", "{{/* renders nothing */}}\n\n   \n"),
            ("sparse/templates/only-comment.yaml", "# just a comment, no object\n"),
            (
                "sparse/templates/trailing.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: trailing\nstringData:\n  k: v\n\n\n\n---\n",
            ),
            ("sparse/templates/noeol.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: noeol"),
            (
                "sparse/templates/indented.yaml",
                "  \n  # indented comment\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: after-blank-lines\n",
            ),
            ("sparse/templates/notes.txt", "a text file in templates is rendered: {{ .Release.Name }}\n"),
            ("sparse/templates/_partial.yaml", "kind: NeverRendered\n"),
            (
                "sparse/templates/config.json",
                "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"json-doc\"}}\n",
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"]), renders(&["CHART", "--set", "enabled=true", "--set", "items=null"])],
    },
    // ---- apiVersion v1 chart with requirements.yaml; NOTES.txt rendered but not printed
    Case {
        name: "apiv1-requirements-notes",
        chart: "legacy",
        files: &[
            (
                "legacy/Chart.yaml",
                "apiVersion: v1\nname: legacy\nversion: 0.9.0\nappVersion: \"0.9\"\ndescription: an old-style chart\n",
            ),
            (
                "legacy/requirements.yaml",
                "dependencies:\n- name: helper\n  version: 0.1.0\n  repository: file://charts/helper\n  condition: helper.enabled\n",
            ),
            ("legacy/values.yaml", "helper:\n  enabled: true\n  message: from-parent\nstrictNotes: false\n"),
            (
                "legacy/templates/NOTES.txt",
                "Thank you for installing {{ .Chart.Name }}.\n{{- if .Values.strictNotes }}\n{{ fail \"NOTES.txt failed on purpose\" }}\n{{- end }}\n",
            ),
            (
                "legacy/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\ndata:\n  apiVersion: {{ .Chart.APIVersion }}\n  deps: {{ len .Chart.Dependencies | quote }}\n",
            ),
            ("legacy/charts/helper/Chart.yaml", "apiVersion: v1\nname: helper\nversion: 0.1.0\n"),
            (
                "legacy/charts/helper/templates/NOTES.txt",
                "{{ if .Values.failNotes }}{{ fail \"subchart NOTES are rendered too\" }}{{ end }}\n",
            ),
            (
                "legacy/charts/helper/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: helper\ndata:\n  message: {{ .Values.message }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "--set", "helper.enabled=false"]),
            fails("NOTES.txt failed on purpose", &["CHART", "--set", "strictNotes=true"]),
            fails("subchart NOTES are rendered too", &["CHART", "--set", "helper.failNotes=true"]),
        ],
    },
    // ---- checksum annotations over other templates, .Template.BasePath, include of a whole file
    Case {
        name: "checksum-annotations",
        chart: "rollme",
        files: &[
            ("rollme/Chart.yaml", "apiVersion: v2\nname: rollme\nversion: 0.1.0\n"),
            ("rollme/values.yaml", "config:\n  LOG: info\n  PORT: \"8080\"\nsecret:\n  password: p@ss w0rd\n"),
            (
                "rollme/templates/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  {{- toYaml .Values.config | nindent 2 }}\n",
            ),
            (
                "rollme/templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-secret\ntype: Opaque\ndata:\n  {{- range $k, $v := .Values.secret }}\n  {{ $k }}: {{ $v | b64enc | quote }}\n  {{- end }}\n",
            ),
            (
                "rollme/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
        checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum | trunc 16 }}
        checksum/values: {{ toJson .Values | sha256sum }}
        self: {{ .Template.Name }}
    spec:
      containers:
        - name: app
          image: app
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["r", "CHART"]), renders(&["r", "CHART", "--set", "config.LOG=debug"])],
    },
    // ---- Helm's own functions: fromYaml/fromJson (and their errors), toToml, lookup, include into a variable
    Case {
        name: "helm-funcs",
        chart: "helmfns",
        files: &[
            ("helmfns/Chart.yaml", "apiVersion: v2\nname: helmfns\nversion: 0.1.0\n"),
            (
                "helmfns/values.yaml",
                "raw: |\n  a: 1\n  list: [x, y]\n  nested: {k: v}\njson: '{\"n\": 1.5, \"s\": \"t\", \"l\": [1, 2]}'\narr: |\n  - one\n  - two\nbad: \"a: [\"\n",
            ),
            (
                "helmfns/templates/_data.tpl",
                "{{- define \"helmfns.data\" -}}\nname: {{ .Release.Name }}\nports:\n  - 80\n  - 443\n{{- end -}}\n",
            ),
            (
                "helmfns/templates/cm.yaml",
                r##"{{- $data := include "helmfns.data" . | fromYaml -}}
{{- $live := lookup "v1" "ConfigMap" .Release.Namespace "anything" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $data.name }}
data:
  out: |
    fromYaml: {{ fromYaml .Values.raw | toJson }}
    fromYamlBad: {{ fromYaml .Values.bad | toJson }}
    fromYamlArray: {{ fromYamlArray .Values.arr | toJson }}
    fromJson: {{ fromJson .Values.json | toJson }}
    fromJsonBad: {{ fromJson "{oops" | toJson }}
    fromJsonArray: {{ fromJsonArray "[1, \"a\", null]" | toJson }}
    ports: {{ $data.ports | toJson }}
    lookup: {{ $live | toJson }} {{ len $live }}
    lookupList: {{ lookup "v1" "Pod" "" "" | toJson }}
    toToml: {{ toToml (dict "a" 1 "b" (dict "c" "d")) | quote }}
    toYaml: {{ toYaml (fromYaml .Values.raw) | quote }}
    mustToJson: {{ mustToJson (list 1 "two") }}
    includeInVar: {{ $x := include "helmfns.data" . }}{{ $x | len }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"]), renders(&["rel", "CHART", "-n", "other"])],
    },
    // ---- error cases: each fails in helm with the phrase in its stderr
    Case {
        name: "error-parse",
        chart: "broken",
        files: &[
            ("broken/Chart.yaml", "apiVersion: v2\nname: broken\nversion: 0.1.0\n"),
            ("broken/templates/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n"),
            ("broken/templates/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }\n"),
        ],
        packaged: &[],
        runs: &[fails("parse error at (broken/templates/bad.yaml:4): unexpected \"}\" in operand", &["CHART"])],
    },
    Case {
        name: "error-unclosed-action",
        chart: "unclosed",
        files: &[
            ("unclosed/Chart.yaml", "apiVersion: v2\nname: unclosed\nversion: 0.1.0\n"),
            (
                "unclosed/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- if .Values.a }}\ndata: {}\n",
            ),
        ],
        packaged: &[],
        runs: &[fails("unexpected EOF", &["CHART"])],
    },
    Case {
        name: "error-nil-pointer",
        chart: "nilptr",
        files: &[
            ("nilptr/Chart.yaml", "apiVersion: v2\nname: nilptr\nversion: 0.1.0\n"),
            ("nilptr/values.yaml", "present:\n  field: here\n"),
            (
                "nilptr/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ok: {{ .Values.present.field }}\n  missingTop: {{ .Values.absent | quote }}\n  bad: {{ .Values.missing.field }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            fails("nil pointer evaluating interface {}.field", &["CHART"]),
            renders(&["CHART", "--set", "missing.field=now-set"]),
        ],
    },
    Case {
        name: "error-undefined-template",
        chart: "notpl",
        files: &[
            ("notpl/Chart.yaml", "apiVersion: v2\nname: notpl\nversion: 0.1.0\n"),
            ("notpl/values.yaml", "useTemplate: false\n"),
            (
                "notpl/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    {{- if .Values.useTemplate }}\n    {{- template \"notpl.missing\" . }}\n    {{- else }}\n    {{- include \"notpl.labels\" . | nindent 4 }}\n    {{- end }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            fails(
                "error calling include: template: no template \"notpl.labels\" associated with template \"gotpl\"",
                &["CHART"],
            ),
            fails("template \"notpl.missing\" not defined", &["CHART", "--set", "useTemplate=true"]),
        ],
    },
    Case {
        name: "error-invalid-yaml-output",
        chart: "badyaml",
        files: &[
            ("badyaml/Chart.yaml", "apiVersion: v2\nname: badyaml\nversion: 0.1.0\n"),
            ("badyaml/values.yaml", "labels:\n  a: b\n"),
            (
                "badyaml/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n{{ toYaml .Values.labels | indent 1 }}\n    broken: indentation\n",
            ),
        ],
        packaged: &[],
        runs: &[fails("YAML parse error on badyaml/templates/cm.yaml", &["CHART"])],
    },
    Case {
        name: "error-wrong-types",
        chart: "types",
        files: &[
            ("types/Chart.yaml", "apiVersion: v2\nname: types\nversion: 0.1.0\n"),
            ("types/values.yaml", "port: 80\nname: web\n"),
            (
                "types/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\ndata:\n  {{- if .Values.compare }}\n  high: {{ gt .Values.port 100 | quote }}\n  {{- end }}\n  {{- if .Values.upper }}\n  up: {{ upper .Values.port }}\n  {{- end }}\n",
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            fails("error calling gt: incompatible types for comparison", &["CHART", "--set", "compare=true"]),
            renders(&["CHART", "--set", "compare=true", "--set", "port=8080"]),
            fails("wrong type for value; expected string; got json.Number", &["CHART", "--set", "upper=true"]),
        ],
    },
    Case {
        name: "error-missing-dependency",
        chart: "needy",
        files: &[
            (
                "needy/Chart.yaml",
                "apiVersion: v2\nname: needy\nversion: 0.1.0\ndependencies:\n- name: absent\n  version: 1.0.0\n  repository: https://charts.example.com\n",
            ),
            ("needy/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        ],
        packaged: &[],
        runs: &[fails("found in Chart.yaml, but missing in charts/ directory: absent", &["CHART"])],
    },
    Case {
        name: "error-chart-files",
        chart: "good",
        files: &[
            ("good/Chart.yaml", "apiVersion: v2\nname: good\nversion: 0.1.0\n"),
            ("good/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
            ("badvalues.yaml", "a: [unclosed\n"),
            ("noname/Chart.yaml", "apiVersion: v2\nversion: 0.1.0\n"),
            ("nochart/templates/cm.yaml", "kind: ConfigMap\n"),
            ("badversion/Chart.yaml", "apiVersion: v2\nname: badversion\nversion: one\n"),
            ("badvaluesfile/Chart.yaml", "apiVersion: v2\nname: badvaluesfile\nversion: 0.1.0\n"),
            ("badvaluesfile/values.yaml", "key: value\n  bad: indent\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            fails("failed to parse", &["CHART", "-f", "FILE:badvalues.yaml"]),
            fails("validation: chart.metadata.name is required", &["FILE:noname"]),
            fails("Chart.yaml file is missing", &["FILE:nochart"]),
            fails("validation: chart.metadata.version \"one\" is invalid", &["FILE:badversion"]),
            fails("cannot load values.yaml", &["FILE:badvaluesfile"]),
            fails("path \"", &["FILE:does-not-exist"]),
        ],
    },
    // ---- a negated .helmignore rule that matches nothing ignores everything (Helm's own quirk)
    Case {
        name: "helmignore-negation",
        chart: "negated",
        files: &[
            ("negated/Chart.yaml", "apiVersion: v2\nname: negated\nversion: 0.1.0\n"),
            ("negated/.helmignore", "*.bak\n!keep.bak\n"),
            ("negated/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
            ("negated/keep.bak", "kept\n"),
        ],
        packaged: &[],
        runs: &[fails("Chart.yaml file is missing", &["CHART"])],
    },
    // ---- go-yaml's quoting of tricky strings, in toYaml and toJson, as list items and as keys
    Case {
        name: "yaml-scalar-quoting",
        chart: "quoting",
        files: &[
            ("quoting/Chart.yaml", "apiVersion: v2\nname: quoting\nversion: 0.1.0\n"),
            (
                "quoting/values.yaml",
                r##"strings:
  - "yes"
  - "no"
  - "on"
  - "off"
  - "y"
  - "n"
  - "~"
  - "null"
  - "Null"
  - "NULL"
  - "True"
  - "FALSE"
  - "1e3"
  - "0x10"
  - "0o17"
  - "+1"
  - "-1"
  - "-"
  - "-a"
  - "? x"
  - "[a]"
  - "{a}"
  - "a,b"
  - "&anchor"
  - "*alias"
  - "!tag"
  - "|pipe"
  - "> gt"
  - "@at"
  - "`tick"
  - "%pct"
  - "'single'"
  - "\"double\""
  - " lead"
  - "trail "
  - "multi\nline"
  - "multi\nline\n"
  - "trailing newlines\n\n"
  - "tab\there"
  - "unicode é"
  - "emoji 🎉"
  - "12:30"
  - "1_000"
  - ".5"
  - "5."
  - ".inf"
  - "-.Inf"
  - ".nan"
  - "2001-12-14t21:59:43.10-05:00"
  - "2024-01-01"
  - "="
  - "<<"
  - "a: b"
  - "a #b"
  - "a#b"
  - "0755"
  - "08"
  - "1.0e+3"
  - "#"
  - ","
  - "a\\b"
  - "ctrl\u0007bell"
  - "nbsp\u00a0here"
  - ""
keyed:
  "yes": 1
  "on": 2
  "1.5": 3
  "-": 4
  "a b": 5
  "": 6
  "@k": 7
  "k:v": 8
  "null": 9
  "~": 10
"##,
            ),
            (
                "quoting/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: quoting
data:
  yaml: |
    {{- toYaml .Values | nindent 4 }}
  json: {{ toJson .Values | quote }}
  each: |
    {{- range .Values.strings }}
    {{ toYaml . | toJson }}
    {{- end }}
  quoted: |
    {{- range .Values.strings }}
    {{ quote . }} {{ squote . | toJson }}
    {{- end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- a chart in the style of the big public charts: common helpers, tplvalues, presets, extra objects
    Case {
        name: "common-helpers-style",
        chart: "appstack",
        files: &[
            (
                "appstack/Chart.yaml",
                r##"apiVersion: v2
name: appstack
description: An application in the layout of the large public chart collections
version: 12.4.1
appVersion: 8.2.0
keywords: [app, stack]
maintainers:
  - name: Someone
    email: someone@example.test
dependencies:
  - name: kvstore
    version: 1.x.x
    repository: oci://registry.example.test/charts
    condition: kvstore.enabled
  - name: toolkit
    version: 2.0.0
    repository: oci://registry.example.test/charts
    tags: [toolkit]
"##,
            ),
            (
                "appstack/values.yaml",
                r##"global:
  imageRegistry: ""
  imagePullSecrets: []
  storageClass: ""
kubeVersion: ""
nameOverride: ""
fullnameOverride: ""
commonLabels: {}
commonAnnotations: {}
extraDeploy: []
image:
  registry: docker.io
  repository: example/appstack
  tag: 8.2.0-debian-12-r3
  digest: ""
  pullPolicy: IfNotPresent
  pullSecrets: []
replicaCount: 1
podAntiAffinityPreset: soft
podAffinityPreset: ""
nodeAffinityPreset:
  type: ""
  key: ""
  values: []
extraEnvVars: []
extraEnvVarsCM: ""
containerPorts:
  http: 8080
  https: 8443
service:
  type: ClusterIP
  ports:
    http: 80
    https: 443
  annotations: {}
persistence:
  enabled: true
  size: 8Gi
  accessModes:
    - ReadWriteOnce
  storageClass: ""
kvstore:
  enabled: true
  auth:
    password: ""
"##,
            ),
            (
                "appstack/templates/_common.tpl",
                r##"{{/* vim: set filetype=mustache: */}}
{{- define "appstack.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "appstack.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "appstack.names.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Renders a value that contains template, passed either as a string or as structured data. */}}
{{- define "appstack.tplvalues.render" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) }}
{{- if contains "{{" (toJson .value) }}
  {{- if .scope }}
      {{- tpl (cat "{{- with $.RelativeScope -}}" $value "{{- end }}") (merge (dict "RelativeScope" .scope) .context) }}
  {{- else }}
    {{- tpl $value .context }}
  {{- end }}
{{- else }}
    {{- $value }}
{{- end }}
{{- end -}}

{{- define "appstack.tplvalues.merge" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "appstack.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | merge $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}

{{- define "appstack.labels.standard" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{- $default := dict "app.kubernetes.io/name" (include "appstack.names.name" .context) "helm.sh/chart" (printf "%s-%s" .context.Chart.Name .context.Chart.Version) "app.kubernetes.io/instance" .context.Release.Name "app.kubernetes.io/managed-by" .context.Release.Service -}}
{{- with .context.Chart.AppVersion -}}
{{- $_ := set $default "app.kubernetes.io/version" . -}}
{{- end -}}
{{ template "appstack.tplvalues.merge" (dict "values" (list .customLabels $default) "context" .context) }}
{{- else -}}
app.kubernetes.io/name: {{ include "appstack.names.name" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- end -}}

{{- define "appstack.labels.matchLabels" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{ merge (pick (include "appstack.tplvalues.render" (dict "value" .customLabels "context" .context) | fromYaml) "app.kubernetes.io/name" "app.kubernetes.io/instance") (dict "app.kubernetes.io/name" (include "appstack.names.name" .context) "app.kubernetes.io/instance" .context.Release.Name) | toYaml }}
{{- else -}}
app.kubernetes.io/name: {{ include "appstack.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- end -}}

{{- define "appstack.images.image" -}}
{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}}
{{- $repositoryName := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if .imageRoot.digest }}
    {{- $separator = "@" -}}
    {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registryName }}
    {{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}
{{- else -}}
    {{- printf "%s%s%s"  $repositoryName $separator $termination -}}
{{- end -}}
{{- end -}}

{{- define "appstack.images.pullSecrets" -}}
{{- $pullSecrets := list }}
{{- range ((.global).imagePullSecrets) -}}
  {{- if kindIs "map" . -}}
    {{- $pullSecrets = append $pullSecrets .name -}}
  {{- else -}}
    {{- $pullSecrets = append $pullSecrets . -}}
  {{- end }}
{{- end -}}
{{- range .images -}}
  {{- range .pullSecrets -}}
    {{- $pullSecrets = append $pullSecrets . -}}
  {{- end -}}
{{- end -}}
{{- if (not (empty $pullSecrets)) }}
imagePullSecrets:
  {{- range $pullSecrets | uniq }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "appstack.affinities.pods.soft" -}}
{{- $component := default "" .component -}}
{{- $extraMatchLabels := default (dict) .extraMatchLabels -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels: {{- (include "appstack.labels.matchLabels" .context) | nindent 10 }}
          {{- if not (empty $component) }}
          {{ printf "app.kubernetes.io/component: %s" $component }}
          {{- end }}
          {{- range $key, $value := $extraMatchLabels }}
          {{ $key }}: {{ $value | quote }}
          {{- end }}
      topologyKey: kubernetes.io/hostname
    weight: 1
{{- end -}}

{{- define "appstack.affinities.pods.hard" -}}
{{- $component := default "" .component -}}
requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector:
      matchLabels: {{- (include "appstack.labels.matchLabels" .context) | nindent 8 }}
        {{- if not (empty $component) }}
        {{ printf "app.kubernetes.io/component: %s" $component }}
        {{- end }}
    topologyKey: kubernetes.io/hostname
{{- end -}}

{{- define "appstack.affinities.pods" -}}
  {{- if eq .type "soft" }}
    {{- include "appstack.affinities.pods.soft" . -}}
  {{- else if eq .type "hard" -}}
    {{- include "appstack.affinities.pods.hard" . -}}
  {{- end -}}
{{- end -}}

{{- define "appstack.storage.class" -}}
{{- $storageClass := (.global).storageClass | default .persistence.storageClass | default (.global).defaultStorageClass | default "" -}}
{{- if $storageClass -}}
  {{- if (eq "-" $storageClass) -}}
      {{- printf "storageClassName: \"\"" -}}
  {{- else -}}
      {{- printf "storageClassName: %s" $storageClass -}}
  {{- end -}}
{{- end -}}
{{- end -}}
"##,
            ),
            (
                "appstack/templates/deployment.yaml",
                r##"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "appstack.names.fullname" . }}
  namespace: {{ include "appstack.names.namespace" . | quote }}
  labels: {{- include "appstack.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
    app.kubernetes.io/component: web
  {{- if .Values.commonAnnotations }}
  annotations: {{- include "appstack.tplvalues.render" ( dict "value" .Values.commonAnnotations "context" $ ) | nindent 4 }}
  {{- end }}
spec:
  replicas: {{ .Values.replicaCount }}
  {{- $podLabels := include "appstack.tplvalues.merge" ( dict "values" ( list .Values.podLabels .Values.commonLabels ) "context" . ) }}
  selector:
    matchLabels: {{- include "appstack.labels.matchLabels" ( dict "customLabels" $podLabels "context" $ ) | nindent 6 }}
      app.kubernetes.io/component: web
  template:
    metadata:
      labels: {{- include "appstack.labels.standard" ( dict "customLabels" $podLabels "context" $ ) | nindent 8 }}
        app.kubernetes.io/component: web
    spec:
      {{- include "appstack.images.pullSecrets" (dict "images" (list .Values.image) "global" .Values.global) | nindent 6 }}
      affinity:
        podAntiAffinity: {{- include "appstack.affinities.pods" (dict "type" .Values.podAntiAffinityPreset "component" "web" "customLabels" $podLabels "context" $) | nindent 10 }}
      containers:
        - name: appstack
          image: {{ include "appstack.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            - name: APP_PORT
              value: {{ .Values.containerPorts.http | quote }}
            - name: KV_HOST
              value: {{ printf "%s-kvstore" (include "appstack.names.fullname" .) | quote }}
            {{- if .Values.extraEnvVars }}
            {{- include "appstack.tplvalues.render" (dict "value" .Values.extraEnvVars "context" $) | nindent 12 }}
            {{- end }}
          {{- if .Values.extraEnvVarsCM }}
          envFrom:
            - configMapRef:
                name: {{ include "appstack.tplvalues.render" (dict "value" .Values.extraEnvVarsCM "context" $) }}
          {{- end }}
          ports:
            {{- range $name, $port := .Values.containerPorts }}
            - name: {{ $name }}
              containerPort: {{ $port }}
            {{- end }}
"##,
            ),
            (
                "appstack/templates/pvc.yaml",
                r##"{{- if .Values.persistence.enabled }}
kind: PersistentVolumeClaim
apiVersion: v1
metadata:
  name: {{ include "appstack.names.fullname" . }}
  namespace: {{ include "appstack.names.namespace" . | quote }}
  labels: {{- include "appstack.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
spec:
  accessModes:
  {{- range .Values.persistence.accessModes }}
    - {{ . | quote }}
  {{- end }}
  resources:
    requests:
      storage: {{ .Values.persistence.size | quote }}
  {{- include "appstack.storage.class" (dict "persistence" .Values.persistence "global" .Values.global) | nindent 2 }}
{{- end }}
"##,
            ),
            (
                "appstack/templates/extra-list.yaml",
                "{{- range .Values.extraDeploy }}\n---\n{{ include \"appstack.tplvalues.render\" (dict \"value\" . \"context\" $) }}\n{{- end }}\n",
            ),
            (
                "appstack/charts/kvstore-1.4.2/Chart.yaml",
                "apiVersion: v2\nname: kvstore\nversion: 1.4.2\nappVersion: 7.2.4\n",
            ),
            (
                "appstack/charts/kvstore-1.4.2/values.yaml",
                "auth:\n  password: \"\"\n  username: default\narchitecture: standalone\n",
            ),
            (
                "appstack/charts/kvstore-1.4.2/templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-kvstore\ntype: Opaque\ndata:\n  username: {{ .Values.auth.username | b64enc | quote }}\n  {{- with .Values.auth.password }}\n  password: {{ . | b64enc | quote }}\n  {{- end }}\n  architecture: {{ .Values.architecture | b64enc | quote }}\n",
            ),
            ("appstack/charts/toolkit/Chart.yaml", "apiVersion: v2\nname: toolkit\nversion: 2.0.0\n"),
            (
                "appstack/charts/toolkit/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: toolkit\n",
            ),
            (
                "custom.yaml",
                r##"global:
  imageRegistry: mirror.example.test
  imagePullSecrets:
    - name: global-pull
    - plain-pull
  storageClass: "-"
commonLabels:
  team: "{{ .Release.Namespace }}-owners"
  cost-center: "42"
commonAnnotations:
  owner: "{{ .Release.Name }}"
podLabels:
  extra: pod
podAntiAffinityPreset: hard
image:
  digest: sha256:0123456789abcdef
  pullSecrets: [app-pull, plain-pull]
extraEnvVars:
  - name: RELEASE
    value: "{{ .Release.Name }}"
  - name: STATIC
    value: "static"
extraEnvVarsCM: "{{ .Release.Name }}-env"
extraDeploy:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: "{{ include \"appstack.names.fullname\" . }}-extra"
    data:
      chart: "{{ .Chart.Name }}"
  - |
    apiVersion: v1
    kind: Secret
    metadata:
      name: {{ .Release.Name }}-extra-secret
    stringData:
      token: plain
kvstore:
  auth:
    password: s3cret
tags:
  toolkit: false
"##,
            ),
        ],
        packaged: &["appstack/charts/kvstore-1.4.2"],
        runs: &[
            renders(&["stack", "CHART"]),
            renders(&["stack", "CHART", "-f", "FILE:custom.yaml", "-n", "payments"]),
            renders(&[
                "appstack-prod",
                "CHART",
                "--set",
                "kvstore.enabled=false",
                "--set",
                "persistence.enabled=false",
                "--set",
                "podAntiAffinityPreset=",
            ]),
        ],
    },
    // ---- truth and emptiness: chart values (json.Number) against the same values from -f (float64)
    Case {
        name: "truthiness",
        chart: "truthy",
        files: &[
            ("truthy/Chart.yaml", "apiVersion: v2\nname: truthy\nversion: 0.1.0\n"),
            (
                "truthy/values.yaml",
                "zero: 0\nzeroFloat: 0.0\none: 1\nemptyString: \"\"\nzeroString: \"0\"\nfalseBool: false\nfalseString: \"false\"\nemptyList: []\nemptyMap: {}\nnullValue: null\n",
            ),
            (
                "same.yaml",
                "zero: 0\nzeroFloat: 0.0\none: 1\nemptyString: \"\"\nzeroString: \"0\"\nfalseBool: false\nfalseString: \"false\"\nemptyList: []\nemptyMap: {}\nnullValue: null\n",
            ),
            (
                "truthy/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: truthy
data:
  out: |
    {{- range $k := list "zero" "zeroFloat" "one" "emptyString" "zeroString" "falseBool" "falseString" "emptyList" "emptyMap" "nullValue" "absent" }}
    {{- $v := index $.Values $k }}
    {{ $k }}: if={{ if $v }}T{{ else }}F{{ end }} with={{ with $v }}T{{ else }}F{{ end }} not={{ not $v }} empty={{ empty $v }} default={{ default "D" $v }} has={{ hasKey $.Values $k }} kind={{ kindOf $v }} and={{ and $v "x" }} or={{ or $v "x" }}
    {{- end }}
    coalesce: {{ coalesce .Values.zero .Values.emptyString .Values.falseBool "last" }}
    ternary: {{ ternary "T" "F" (not (empty .Values.zero)) }}
    eqZero: {{ eq (toString .Values.zero) "0" }} {{ eq (int .Values.zero) 0 }}
    replicas: {{ .Values.zero | default 3 }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "-f", "FILE:same.yaml"]),
            renders(&["CHART", "--set", "zero=0,one=1,falseBool=false,emptyString="]),
        ],
    },
    // ---- .Chart metadata fields, what .Files holds of the chart itself, .Template inside includes
    Case {
        name: "chart-metadata",
        chart: "meta",
        files: &[
            (
                "meta/Chart.yaml",
                r##"apiVersion: v2
name: meta
version: 2.3.4-rc.1+sha.5114f85
appVersion: "2024.06"
kubeVersion: ">=1.19.0-0"
description: Chart metadata as templates see it
type: application
home: https://meta.example.test
icon: https://meta.example.test/icon.svg
sources:
  - https://git.example.test/meta
keywords:
  - metadata
  - example
maintainers:
  - name: Ops Team
    email: ops@example.test
    url: https://ops.example.test
annotations:
  category: Infrastructure
  example.test/images: |
    - name: meta
      image: meta:2024.06
deprecated: false
"##,
            ),
            ("meta/values.yaml", "x: 1\n"),
            ("meta/values.schema.json", "{\"type\": \"object\"}\n"),
            ("meta/LICENSE", "Apache-2.0\n"),
            (
                "meta/templates/_where.tpl",
                "{{- define \"meta.where\" -}}\n{{ .Template.Name }} @ {{ .Template.BasePath }}\n{{- end -}}\n",
            ),
            (
                "meta/templates/cm.yaml",
                r##"apiVersion: v1
kind: ConfigMap
metadata:
  name: meta
  annotations:
    {{- toYaml .Chart.Annotations | nindent 4 }}
data:
  name: {{ .Chart.Name | quote }}
  version: {{ .Chart.Version | quote }}
  appVersion: {{ .Chart.AppVersion | quote }}
  kubeVersion: {{ .Chart.KubeVersion | quote }}
  description: {{ .Chart.Description | quote }}
  type: {{ .Chart.Type | quote }}
  home: {{ .Chart.Home | quote }}
  icon: {{ .Chart.Icon | quote }}
  sources: {{ .Chart.Sources | toJson | quote }}
  keywords: {{ join "," .Chart.Keywords | quote }}
  maintainer: {{ (first .Chart.Maintainers).Name }} <{{ (first .Chart.Maintainers).Email }}>
  deprecated: {{ .Chart.Deprecated | quote }}
  apiVersion: {{ .Chart.APIVersion | quote }}
  semver: {{ printf "%s|%s" (semver .Chart.Version).Prerelease (semver .Chart.Version).Metadata | quote }}
  where: {{ include "meta.where" . | quote }}
  license: {{ .Files.Get "LICENSE" | quote }}
  chartYamlInFiles: {{ .Files.Get "Chart.yaml" | quote }}
  valuesInFiles: {{ .Files.Get "values.yaml" | quote }}
  schemaInFiles: {{ .Files.Get "values.schema.json" | quote }}
  templateInFiles: {{ .Files.Get "templates/cm.yaml" | quote }}
  files: {{ range $p, $_ := .Files }}{{ $p }} {{ end }}
"##,
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- CRLF line endings in Chart.yaml, values and templates
    Case {
        name: "crlf-line-endings",
        chart: "crlf",
        files: &[
            ("crlf/Chart.yaml", "apiVersion: v2\r\nname: crlf\r\nversion: 0.1.0\r\n"),
            ("crlf/values.yaml", "greeting: hello\r\nlist:\r\n  - a\r\n  - b\r\nblock: |\r\n  line1\r\n  line2\r\n"),
            ("crlf/templates/_h.tpl", "{{- define \"crlf.name\" -}}\r\n{{ .Chart.Name }}\r\n{{- end -}}\r\n"),
            (
                "crlf/templates/cm.yaml",
                "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: {{ include \"crlf.name\" . }}\r\ndata:\r\n  greeting: {{ .Values.greeting }}\r\n  list: {{ toJson .Values.list | quote }}\r\n  block: {{ .Values.block | quote }}\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: second\r\n",
            ),
        ],
        packaged: &[],
        runs: &[renders(&["CHART"])],
    },
    // ---- a v1 subchart under a v2 parent: its kubeVersion is not enforced; nulls in the parent's values.yaml
    Case {
        name: "subchart-v1-nulls",
        chart: "host",
        files: &[
            (
                "host/Chart.yaml",
                "apiVersion: v2\nname: host\nversion: 0.1.0\ndependencies:\n- name: oldie\n  version: 0.1.0\n",
            ),
            (
                "host/values.yaml",
                "oldie:\n  dropMe: null\n  list: [p]\n  nested:\n    drop: null\n    add: parent\nown:\n  keepNull: null\n",
            ),
            (
                "host/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: host\ndata:\n  values: {{ toJson .Values | quote }}\n",
            ),
            ("host/charts/oldie/Chart.yaml", "apiVersion: v1\nname: oldie\nversion: 0.1.0\nkubeVersion: \"<1.20.0\"\n"),
            (
                "host/charts/oldie/values.yaml",
                "dropMe: default\nkeep: default\nlist: [c1, c2]\nnested:\n  drop: default\n  stay: default\n",
            ),
            (
                "host/charts/oldie/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: oldie\ndata:\n  values: {{ toJson .Values | quote }}\n  hasDropMe: {{ hasKey .Values \"dropMe\" | quote }}\n",
            ),
            ("user.yaml", "oldie:\n  keep: null\n  nested:\n    stay: null\n"),
        ],
        packaged: &[],
        runs: &[
            renders(&["CHART"]),
            renders(&["CHART", "-f", "FILE:user.yaml"]),
            renders(&["CHART", "--set", "oldie.keep=null"]),
        ],
    },
];
