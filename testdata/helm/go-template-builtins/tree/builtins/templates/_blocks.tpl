{{- define "builtins.greet" -}}
hi {{ . }}
{{- end -}}
{{- define "builtins.args" -}}
{{ index . 0 }}+{{ index . 1 }}
{{- end -}}
