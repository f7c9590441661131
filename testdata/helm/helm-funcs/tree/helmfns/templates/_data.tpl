{{- define "helmfns.data" -}}
name: {{ .Release.Name }}
ports:
  - 80
  - 443
{{- end -}}
