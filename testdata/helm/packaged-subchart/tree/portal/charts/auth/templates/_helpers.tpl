{{- define "auth.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
