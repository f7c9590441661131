{{/* The labels every object carries, as `weir install` sets them. */}}
{{- define "weir.labels" -}}
app.kubernetes.io/instance: {{ .Release.Namespace }}
app.kubernetes.io/part-of: weir
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The API groups the operator serves. */}}
{{- define "weir.groups" -}}
- source.toolkit.fluxcd.io
- kustomize.toolkit.fluxcd.io
- helm.toolkit.fluxcd.io
- notification.toolkit.fluxcd.io
- image.toolkit.fluxcd.io
{{- end -}}

{{/* The operator's service account, as an RBAC subject. */}}
{{- define "weir.subject" -}}
- kind: ServiceAccount
  name: weir-controller
  namespace: {{ .Release.Namespace }}
{{- end -}}
