{{- define "crlf.name" -}}
{{ .Chart.Name }}
{{- end -}}
