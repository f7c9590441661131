{{- define "meta.where" -}}
{{ .Template.Name }} @ {{ .Template.BasePath }}
{{- end -}}
