{{/* Names, labels and the per-component settings every template shares. */}}

{{- define "tradeflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-tradeflow, or the release name alone when it already says tradeflow. */}}
{{- define "tradeflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tradeflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's selector labels; every pod of the release carries them. */}}
{{- define "tradeflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tradeflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tradeflow.labels" -}}
helm.sh/chart: {{ include "tradeflow.chart" . }}
{{ include "tradeflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tradeflow
{{- end }}

{{/* Resource name of a component: (list $ "trades") -> <fullname>-trades. */}}
{{- define "tradeflow.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "tradeflow.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a component (both colours under blue/green). */}}
{{- define "tradeflow.componentSelectorLabels" -}}
{{ include "tradeflow.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Recursive merge: keys of the first dict win, nested dicts merge, false and 0 are kept (unlike sprig merge). */}}
{{- define "tradeflow.mergeDicts" -}}
{{- $over := index . 0 }}
{{- $base := index . 1 }}
{{- $out := dict }}
{{- range $key, $value := $base }}
{{- if hasKey $over $key }}
{{- $mine := index $over $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $mine) }}
{{- $_ := set $out $key (include "tradeflow.mergeDicts" (list $mine $value) | fromJson) }}
{{- else }}
{{- $_ := set $out $key $mine }}
{{- end }}
{{- else }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- end }}
{{- range $key, $mine := $over }}
{{- if not (hasKey $base $key) }}
{{- $_ := set $out $key $mine }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
The settings of one component: componentDefaults overlaid with components.<name>, as JSON (use fromJson).
Fails when a required setting is missing, naming the component.
*/}}
{{- define "tradeflow.component" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $own := index $root.Values.components $name | default dict }}
{{- $c := include "tradeflow.mergeDicts" (list $own $root.Values.componentDefaults) | fromJson }}
{{- if not $c.portEnv }}
{{- fail (printf "components.%s.portEnv is required (the variable that sets its HTTP port, e.g. TRADES_HTTP_PORT)" $name) }}
{{- end }}
{{- if not (has $c.blueGreen.active (list "blue" "green")) }}
{{- fail (printf "components.%s.blueGreen.active must be blue or green, not %v" $name $c.blueGreen.active) }}
{{- end }}
{{- toJson $c }}
{{- end }}

{{/* Names of the enabled components, sorted (range over a map is sorted already; this drops disabled ones). */}}
{{- define "tradeflow.enabledComponents" -}}
{{- $names := list }}
{{- range $name, $_ := .Values.components }}
{{- $c := include "tradeflow.component" (list $ $name) | fromJson }}
{{- if $c.enabled }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* Image of a component and colour: (list $ name component colour) with colour "" outside blue/green. */}}
{{- define "tradeflow.image" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $c := index . 2 }}
{{- $colour := index . 3 }}
{{- $repository := $c.image.repository }}
{{- if not $repository }}
{{- $repository = printf "%s%s" $root.Values.image.repositoryPrefix $name }}
{{- with $root.Values.image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}
{{- end }}
{{- end }}
{{- $tag := $c.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- if $colour }}
{{- $tag = (index $c.blueGreen $colour).tag | default $tag }}
{{- end }}
{{- printf "%s:%s" $repository (toString $tag) }}
{{- end }}

{{- define "tradeflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tradeflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tradeflow.credentialsSecret" -}}
{{- .Values.credentials.existingSecret | default (printf "%s-credentials" (include "tradeflow.fullname" .)) }}
{{- end }}

{{/* Where the services find their dependencies: the in-cluster ones, or the configured endpoints. */}}
{{- define "tradeflow.kafkaBrokers" -}}
{{- if .Values.kafka.enabled }}
{{- printf "%s-kafka:9092" (include "tradeflow.fullname" .) }}
{{- else if .Values.config.kafka.brokers }}
{{- .Values.config.kafka.brokers }}
{{- else }}
{{- fail "Kafka: set kafka.enabled=true (in-cluster) or config.kafka.brokers (see values-external.yaml)" }}
{{- end }}
{{- end }}

{{- define "tradeflow.dynamodbEndpoint" -}}
{{- if .Values.dynamodb.enabled }}
{{- printf "http://%s-dynamodb:8000" (include "tradeflow.fullname" .) }}
{{- else }}
{{- .Values.config.dynamodb.endpoint }}
{{- end }}
{{- end }}

{{- define "tradeflow.otlpEndpoint" -}}
{{- if .Values.jaeger.enabled }}
{{- printf "http://%s-jaeger:4318" (include "tradeflow.fullname" .) }}
{{- else }}
{{- .Values.config.otel.endpoint }}
{{- end }}
{{- end }}

{{/* Variables every component gets (its ConfigMap adds its own). */}}
{{- define "tradeflow.sharedEnv" -}}
HTTP_HOST: "0.0.0.0"
BUS_ADAPTER: kafka
KAFKA_BROKERS: {{ include "tradeflow.kafkaBrokers" . | quote }}
KAFKA_TOPIC_PARTITIONS: {{ .Values.config.kafka.topicPartitions | quote }}
AWS_REGION: {{ .Values.config.dynamodb.region | quote }}
TABLE_PREFIX: {{ .Values.config.tablePrefix | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
{{- with include "tradeflow.dynamodbEndpoint" . }}
DYNAMODB_ENDPOINT: {{ . | quote }}
{{- end }}
{{- with include "tradeflow.otlpEndpoint" . }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- else }}
OTEL_SDK_DISABLED: "true"
{{- end }}
{{- with .Values.config.otel.sampler }}
OTEL_TRACES_SAMPLER: {{ . | quote }}
{{- end }}
{{- with .Values.config.otel.samplerArg }}
OTEL_TRACES_SAMPLER_ARG: {{ . | quote }}
{{- end }}
{{- range $key, $value := .Values.config.env }}
{{ $key }}: {{ tpl (toString $value) $ | quote }}
{{- end }}
{{- end }}

{{/* The restricted pod and container security contexts of the in-cluster dependencies: (list uid). */}}
{{- define "tradeflow.dependencyPodSecurity" -}}
runAsNonRoot: true
runAsUser: {{ index . 0 }}
runAsGroup: {{ index . 0 }}
fsGroup: {{ index . 0 }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "tradeflow.dependencyContainerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}
