#!/bin/sh
# Renders each template of cases.in with `helm template` and writes
# cases.out: the case, a line `=>`, Helm's output (or its error, trimmed to
# what follows `executing "body" at `), then a line `----`.
# Usage: regenerate.sh (needs helm 3.18 on PATH; the tests do not).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
chart=$(mktemp -d)
trap 'rm -rf "$chart"' EXIT
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: t\nversion: 0.1.0\n' > "$chart/Chart.yaml"
: > "$here/cases.out"
while IFS= read -r case; do
  [ -z "$case" ] && continue
  case "$case" in \#*) continue ;; esac
  { printf '{{- define "body" }}%s{{ end }}# {{ include "body" . | b64enc }}\n' "$case"; } > "$chart/templates/x.yaml"
  if out=$(helm template t "$chart" 2>&1); then
    result=$(printf '%s\n' "$out" | sed -n 's/^# \(.*\)$/\1/p' | grep -v '^Source' | base64 -d; printf x)
    result=${result%x}
  else
    result="ERROR $(printf '%s\n' "$out" | head -1 | sed 's/.*executing "body" at //')"
  fi
  printf '%s\n=>\n%s\n----\n' "$case" "$result" >> "$here/cases.out"
done < "$here/cases.in"
