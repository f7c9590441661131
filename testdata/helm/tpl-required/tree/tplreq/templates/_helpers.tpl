{{- define "tplreq.greet" -}}
hello from {{ .Chart.Name }} in {{ .Release.Namespace }}
{{- end -}}
