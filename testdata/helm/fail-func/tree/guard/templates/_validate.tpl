{{- define "guard.validate" -}}
{{- if not (has .Values.mode (list "a" "b")) -}}
{{- fail (printf "mode must be a or b, got %q" .Values.mode) -}}
{{- end -}}
{{- if not (regexMatch "^[0-9]+(Mi|Gi)$" .Values.storage.size) -}}
{{- fail "storage.size must look like 10Gi" -}}
{{- end -}}
{{- end -}}
