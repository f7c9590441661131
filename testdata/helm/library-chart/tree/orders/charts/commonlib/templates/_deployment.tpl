{{- define "commonlib.deployment.tpl" -}}
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
