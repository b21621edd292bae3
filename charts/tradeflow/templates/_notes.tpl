{{/* What NOTES.txt prints after install and upgrade; a named template so tests can render it with `helm template`. */}}
{{- define "tradeflow.notes" -}}
{{- $fullname := include "tradeflow.fullname" . }}
{{- $gateway := include "tradeflow.componentName" (list . "gateway") }}
{{- $secret := include "tradeflow.credentialsSecret" . }}
Tradeflow {{ .Chart.AppVersion }} is installed as release "{{ .Release.Name }}" in namespace "{{ .Release.Namespace }}".

Wait until every pod is ready (the init job loads the seed data first):
  kubectl -n {{ .Release.Namespace }} rollout status deployment -l app.kubernetes.io/instance={{ .Release.Name }} --timeout=5m

1. Reach the gateway, the only public entry:
{{- if .Values.ingress.enabled }}
  Through the Ingress: http{{ if .Values.ingress.tls }}s{{ end }}://{{ .Values.ingress.host | default "<the ingress controller's address>" }}/
{{- end }}
  With a port-forward (any cluster):
    kubectl -n {{ .Release.Namespace }} port-forward service/{{ $gateway }} 8080:8080
    curl http://127.0.0.1:8080/readyz
  API documentation: http://127.0.0.1:8080/docs

2. The demo API key (the demo consumer may trade for {{ .Values.gateway.demoConsumer.accounts }}):
    export TRADEFLOW_API_KEY=$(kubectl -n {{ .Release.Namespace }} get secret {{ $secret }} -o jsonpath='{.data.GATEWAY_DEMO_API_KEY}' | base64 -d)
    curl -H "x-api-key: $TRADEFLOW_API_KEY" -H 'content-type: application/json' http://127.0.0.1:8080/v1/trades \
      -d '{"accountId":"DEMO-1","symbol":"AAPL","side":"BUY","quantity":10,"price":190,"currency":"USD","tradeTime":"'$(date -u +%FT%TZ)'"}'
{{- if not .Values.gateway.demoConsumer.enabled }}
  (gateway.demoConsumer.enabled is false: the key exists but no consumer is bound to it.)
{{- end }}

   The admin token (admin API on port 8090, never routed by the Ingress):
    kubectl -n {{ .Release.Namespace }} get secret {{ $secret }} -o jsonpath='{.data.GATEWAY_ADMIN_TOKEN}' | base64 -d
    kubectl -n {{ .Release.Namespace }} port-forward service/{{ $gateway }} 8090:8090

3. Traces:
{{- if .Values.jaeger.enabled }}
    kubectl -n {{ .Release.Namespace }} port-forward service/{{ $fullname }}-jaeger 16686:16686
    then open http://127.0.0.1:16686 (services: gateway, trades, validation, reference-data).
{{- else if .Values.config.otel.endpoint }}
  Spans go to {{ .Values.config.otel.endpoint }}; open your tracing UI there.
{{- else }}
  Tracing is off (no jaeger.enabled, no config.otel.endpoint).
{{- end }}

4. Check the release end to end (one trade through the pipeline):
    helm test {{ .Release.Name }} -n {{ .Release.Namespace }} --logs
{{- range $name := include "tradeflow.enabledComponents" . | fromJsonArray }}
{{- $c := include "tradeflow.component" (list $ $name) | fromJson }}
{{- if $c.blueGreen.enabled }}

Blue/green: {{ $name }} serves the {{ $c.blueGreen.active }} colour. Switch (with a readiness wait and rollback):
    scripts/ship/bluegreen.sh {{ $.Release.Name }} {{ $name }} {{ ternary "green" "blue" (eq $c.blueGreen.active "blue") }}
{{- end }}
{{- end }}
{{- end }}
