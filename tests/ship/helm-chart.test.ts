/**
 * The Helm chart: `helm lint --strict` and `helm template` for every values file, and the properties the chart
 * promises on what it renders (security context, probes, limits, one Ingress, NetworkPolicies, blue/green).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHART_DIR,
  find,
  helm,
  helmPath,
  HELM_BUILD_TIMEOUT_MS,
  parseManifests,
  render,
  run,
  templateArgs,
  VALUES_FILES,
  type K8sObject,
} from './helm-support';

/** The services the chart installs by default, with their ports. */
const COMPONENTS: Record<string, number> = {
  gateway: 8080,
  trades: 8081,
  validation: 8083,
  'reference-data': 8082,
};
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'Pod']);

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown }[];
  automountServiceAccountToken?: boolean;
}

/** The pod spec of a workload (a Pod's own spec, or its template's). */
function podSpec(o: K8sObject): PodSpec {
  if (o.kind === 'Pod') return o.spec as unknown as PodSpec;
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
}

function componentLabel(o: K8sObject): string | undefined {
  return o.metadata.labels?.['app.kubernetes.io/component'];
}

const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  helmPath();
  for (const file of VALUES_FILES) rendered.set(file, render({ valuesFile: file }));
}, HELM_BUILD_TIMEOUT_MS);

function objectsOf(file: string): K8sObject[] {
  const objects = rendered.get(file);
  if (objects === undefined) throw new Error(`${file} was not rendered`);
  return objects;
}

describe.each(VALUES_FILES)('the chart with %s', (file) => {
  it('when linted strictly, then helm lint reports no problem', () => {
    const result = run(helmPath(), ['lint', '--strict', CHART_DIR, '--values', join(CHART_DIR, file)]);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it('when rendered, then every pod runs restricted: non-root, no privilege escalation, no capabilities, seccomp, read-only root', () => {
    const pods = workloads(objectsOf(file));
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const o of pods) {
      const spec = podSpec(o);
      const where = `${o.kind} ${o.metadata.name}`;
      expect({ where, pod: spec.securityContext }).toMatchObject({
        where,
        pod: {
          runAsNonRoot: true,
          runAsUser: expect.any(Number) as number,
          seccompProfile: { type: 'RuntimeDefault' },
        },
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect({ where, container: c.name, security: c.securityContext }).toEqual({
          where,
          container: c.name,
          security: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        });
        // The root filesystem is read-only, so /tmp is a writable emptyDir.
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect({ where, tmp: spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir }).toEqual({
          where,
          tmp: expect.any(Object) as object,
        });
      }
    }
  });

  it('when rendered, then every container has CPU and memory requests and limits', () => {
    for (const o of workloads(objectsOf(file))) {
      for (const c of podSpec(o).containers) {
        const resources = c.resources ?? {};
        expect({ container: `${o.metadata.name}/${c.name}`, resources }).toMatchObject({
          resources: {
            requests: { cpu: expect.anything() as unknown, memory: expect.anything() as unknown },
            limits: { cpu: expect.anything() as unknown, memory: expect.anything() as unknown },
          },
        });
      }
    }
  });

  it('when rendered, then each service is a Deployment with /livez and /readyz probes, a rollout that never drops a pod, a ClusterIP Service and a PodDisruptionBudget', () => {
    const objects = objectsOf(file);
    for (const [name, port] of Object.entries(COMPONENTS)) {
      const deployment = find(objects, 'Deployment', `tradeflow-${name}`);
      const spec = deployment.spec as {
        strategy: { rollingUpdate: { maxUnavailable: number } };
        template: { spec: PodSpec };
      };
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const container = spec.template.spec.containers[0];
      expect(container?.image).toBe(`tradeflow/${name}:0.1.0`);
      expect(container?.ports?.[0]).toEqual({ name: 'http', containerPort: port, protocol: 'TCP' });
      expect(container?.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container?.startupProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
      expect(container?.envFrom).toEqual([{ configMapRef: { name: `tradeflow-${name}` } }]);

      const service = find(objects, 'Service', `tradeflow-${name}`).spec as {
        type: string;
        ports: unknown[];
      };
      expect(service.type).toBe('ClusterIP');
      expect(service.ports[0]).toEqual({ name: 'http', port, targetPort: 'http', protocol: 'TCP' });
      expect(find(objects, 'PodDisruptionBudget', `tradeflow-${name}`).spec).toMatchObject({
        maxUnavailable: 1,
      });
    }
  });

  it('when rendered, then no Service is exposed outside the cluster and only the gateway has an Ingress, on its public port', () => {
    const objects = objectsOf(file);
    for (const s of objects.filter((o) => o.kind === 'Service')) {
      expect({ service: s.metadata.name, type: (s.spec as { type?: string }).type ?? 'ClusterIP' }).toEqual({
        service: s.metadata.name,
        type: 'ClusterIP',
      });
    }
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBeLessThanOrEqual(1);
    for (const ingress of ingresses) {
      const backends = JSON.stringify(ingress.spec).match(/"service":\{[^}]*\}[^}]*\}/g);
      expect(backends).toEqual(['"service":{"name":"tradeflow-gateway","port":{"name":"http"}}']);
    }
  });

  it('when rendered, then ingress is denied by default and each service admits only the gateway and Prometheus', () => {
    const objects = objectsOf(file);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const deny = find(policies, 'NetworkPolicy', 'tradeflow-default-deny-ingress').spec;
    expect(deny).toEqual({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'tradeflow', 'app.kubernetes.io/instance': 'tradeflow' },
      },
      policyTypes: ['Ingress'],
    });
    for (const name of Object.keys(COMPONENTS).filter((n) => n !== 'gateway')) {
      const spec = find(policies, 'NetworkPolicy', `tradeflow-${name}`).spec as {
        policyTypes: string[];
        ingress: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[];
      };
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(spec.ingress).toHaveLength(1);
      const from = spec.ingress[0]?.from ?? [];
      expect(from.length).toBeGreaterThan(0);
      // Every peer is either the gateway (public label) or Prometheus.
      for (const peer of from) {
        const labels = peer.podSelector?.matchLabels ?? {};
        expect(
          labels['tradeflow.io/public'] === 'true' || labels['app.kubernetes.io/name'] === 'prometheus',
        ).toBe(true);
      }
    }
    const gateway = find(policies, 'NetworkPolicy', 'tradeflow-gateway').spec as {
      ingress: {
        ports: { port: string }[];
        from?: { podSelector?: { matchLabels?: Record<string, string> } }[];
      }[];
    };
    const admin = gateway.ingress.find((rule) => rule.ports.some((p) => p.port === 'admin'));
    expect(admin?.from).toEqual([{ podSelector: { matchLabels: { 'tradeflow.io/admin-client': 'true' } } }]);
  });

  it('when rendered, then the helm test pod runs the smoke CLI from the gateway image with the demo key from a Secret', () => {
    const pod = find(objectsOf(file), 'Pod', 'tradeflow-smoke-test');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const container = podSpec(pod).containers[0];
    expect(container?.image).toBe('tradeflow/gateway:0.1.0');
    expect(container?.command).toEqual(['node', 'dist/smoke-cli.js']);
    expect(container?.env?.find((e) => e.name === 'SMOKE_GATEWAY_URL')?.value).toBe(
      'http://tradeflow-gateway:8080',
    );
    expect(container?.env?.find((e) => e.name === 'SMOKE_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'tradeflow-credentials',
      key: 'GATEWAY_DEMO_API_KEY',
    });
  });
});

describe('the chart per values file', () => {
  it('when installed with the defaults or kind/minikube values, then Kafka, DynamoDB Local and Jaeger run in the cluster and the services point at them', () => {
    for (const file of ['values.yaml', 'values-kind.yaml', 'values-minikube.yaml']) {
      const objects = objectsOf(file);
      expect(find(objects, 'StatefulSet', 'tradeflow-kafka')).toBeDefined();
      expect(find(objects, 'Deployment', 'tradeflow-dynamodb')).toBeDefined();
      expect(find(objects, 'Deployment', 'tradeflow-jaeger')).toBeDefined();
      expect(find(objects, 'ConfigMap', 'tradeflow-trades').data).toMatchObject({
        BUS_ADAPTER: 'kafka',
        KAFKA_BROKERS: 'tradeflow-kafka:9092',
        DYNAMODB_ENDPOINT: 'http://tradeflow-dynamodb:8000',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tradeflow-jaeger:4318',
        TRADES_HTTP_PORT: '8081',
        HTTP_HOST: '0.0.0.0',
      });
    }
  });

  it('when installed with the external values, then nothing of Kafka, DynamoDB or Jaeger runs in the cluster and the endpoints are the configured ones', () => {
    const objects = objectsOf('values-external.yaml');
    const dependencies = objects.filter((o) =>
      ['kafka', 'dynamodb', 'jaeger'].includes(componentLabel(o) ?? ''),
    );
    expect(dependencies).toEqual([]);
    const config = find(objects, 'ConfigMap', 'tradeflow-validation').data ?? {};
    expect(config.KAFKA_BROKERS).toMatch(/^b-1\.kafka\.example\.internal:9092,/);
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.AWS_REGION).toBe('eu-west-1');
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.observability.svc:4318');
    expect(objects.filter((o) => o.kind === 'Job')).toEqual([]);
  });

  it('when rendered with the defaults, then the gateway finds every upstream by Service name and the credentials come from the Secret', () => {
    const objects = objectsOf('values.yaml');
    expect(find(objects, 'ConfigMap', 'tradeflow-gateway').data).toMatchObject({
      GATEWAY_HTTP_PORT: '8080',
      GATEWAY_ADMIN_HTTP_PORT: '8090',
      GATEWAY_UPSTREAM_TRADES_URL: 'http://tradeflow-trades:8081',
      GATEWAY_UPSTREAM_REFERENCE_DATA_URL: 'http://tradeflow-reference-data:8082',
      GATEWAY_UPSTREAM_VALIDATION_URL: 'http://tradeflow-validation:8083',
      GATEWAY_DEMO_CONSUMER: 'true',
    });
    const secret = find(objects, 'Secret', 'tradeflow-credentials').stringData ?? {};
    expect(secret.GATEWAY_ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(24);
    expect(secret.GATEWAY_DEMO_API_KEY).toMatch(/^tfk_[a-z0-9]{8,32}_[A-Za-z0-9_-]{43,128}$/);
    const gateway = podSpec(find(objects, 'Deployment', 'tradeflow-gateway')).containers[0];
    expect(gateway?.env?.find((e) => e.name === 'GATEWAY_ADMIN_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'tradeflow-credentials',
      key: 'GATEWAY_ADMIN_TOKEN',
    });
    // The admin token never reaches a service other than the gateway.
    const trades = podSpec(find(objects, 'Deployment', 'tradeflow-trades')).containers[0];
    expect(trades?.env?.map((e) => e.name)).not.toContain('GATEWAY_ADMIN_TOKEN');
  });

  it('when installed with minikube values, then the gateway Ingress is on tradeflow.local', () => {
    const ingress = find(objectsOf('values-minikube.yaml'), 'Ingress', 'tradeflow-gateway');
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', rules: [{ host: 'tradeflow.local' }] });
  });

  it('when rendered with the defaults, then the init Job runs the init image after install and upgrade with the demo key', () => {
    const job = find(objectsOf('values.yaml'), 'Job', 'tradeflow-init');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade' });
    const container = podSpec(job).containers[0];
    expect(container?.image).toBe('tradeflow/init:0.1.0');
    expect(container?.command).toBeUndefined();
    expect(container?.env?.find((e) => e.name === 'GATEWAY_DEMO_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'tradeflow-credentials',
      key: 'GATEWAY_DEMO_API_KEY',
    });
    expect(container?.env?.find((e) => e.name === 'KAFKA_BROKERS')?.value).toBe('tradeflow-kafka:9092');
    const minikube = podSpec(find(objectsOf('values-minikube.yaml'), 'Job', 'tradeflow-init')).containers[0];
    expect(minikube?.env?.find((e) => e.name === 'PUBLIC_GATEWAY_URL')?.value).toBe('http://tradeflow.local');
  });

  it('when the dashboard JSON exists, then a labelled ConfigMap carries it; when it does not, then none is rendered', () => {
    const file = join(CHART_DIR, 'dashboards', 'tradeflow.json');
    const configMap = objectsOf('values.yaml').find((o) => o.metadata.name === 'tradeflow-dashboards');
    if (existsSync(file)) {
      expect(configMap?.metadata.labels?.grafana_dashboard).toBe('1');
      expect(configMap?.data?.['tradeflow.json']).toBe(readFileSync(file, 'utf8').replace(/\n$/, ''));
    } else {
      expect(configMap).toBeUndefined();
    }
  });
});

describe('blue/green', () => {
  const blueGreen = (set: Record<string, string> = {}): K8sObject[] =>
    render({
      set: {
        'components.trades.blueGreen.enabled': 'true',
        'components.trades.blueGreen.blue.tag': '0.1.0',
        'components.trades.blueGreen.green.tag': '0.2.0',
        ...set,
      },
    });

  const selectorOf = (objects: K8sObject[]): Record<string, string> =>
    (find(objects, 'Service', 'tradeflow-trades').spec as { selector: Record<string, string> }).selector;

  it('when enabled, then there are a blue and a green Deployment with their own tags and the Service selects blue', () => {
    const objects = blueGreen();
    expect(
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tradeflow-trades'),
    ).toBeUndefined();
    const blue = find(objects, 'Deployment', 'tradeflow-trades-blue');
    const green = find(objects, 'Deployment', 'tradeflow-trades-green');
    expect(podSpec(blue).containers[0]?.image).toBe('tradeflow/trades:0.1.0');
    expect(podSpec(green).containers[0]?.image).toBe('tradeflow/trades:0.2.0');
    expect(blue.spec).toMatchObject({
      replicas: 2,
      selector: { matchLabels: { 'tradeflow.io/colour': 'blue' } },
    });
    expect(green.spec).toMatchObject({
      replicas: 1,
      selector: { matchLabels: { 'tradeflow.io/colour': 'green' } },
    });
    expect(selectorOf(objects)).toEqual({
      'app.kubernetes.io/name': 'tradeflow',
      'app.kubernetes.io/instance': 'tradeflow',
      'app.kubernetes.io/component': 'trades',
      'tradeflow.io/colour': 'blue',
    });
    expect(find(objects, 'HorizontalPodAutoscaler', 'tradeflow-trades').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'tradeflow-trades-blue' },
    });
    // Each colour can be reached on its own before it takes traffic.
    expect(
      selectorOf([
        { ...find(objects, 'Service', 'tradeflow-trades-green'), metadata: { name: 'tradeflow-trades' } },
      ]),
    ).toMatchObject({
      'tradeflow.io/colour': 'green',
    });
  });

  it('when active is switched to green, then the Service selects green, the HPA follows and blue keeps its idle size', () => {
    const objects = blueGreen({ 'components.trades.blueGreen.active': 'green' });
    expect(selectorOf(objects)['tradeflow.io/colour']).toBe('green');
    expect(find(objects, 'Deployment', 'tradeflow-trades-green').spec).toMatchObject({ replicas: 2 });
    expect(find(objects, 'Deployment', 'tradeflow-trades-blue').spec).toMatchObject({ replicas: 1 });
    expect(find(objects, 'HorizontalPodAutoscaler', 'tradeflow-trades').spec).toMatchObject({
      scaleTargetRef: { name: 'tradeflow-trades-green' },
    });
    // The other components stay on the rolling strategy.
    expect(find(objects, 'Deployment', 'tradeflow-validation')).toBeDefined();
  });

  it('when active is neither blue nor green, then the schema refuses it', () => {
    expect(() => blueGreen({ 'components.trades.blueGreen.active': 'red' })).toThrow(
      /blueGreen\/active|blue.*green/,
    );
  });
});

describe('values', () => {
  it('when a key is misspelt, then the schema refuses the values and names the key', () => {
    expect(() => render({ set: { 'components.trades.replcas': '3' } })).toThrow(
      /additional properties 'replcas'/,
    );
    expect(() => render({ set: { 'ingres.enabled': 'true' } })).toThrow(/additional properties 'ingres'/);
  });

  it('when a component is added by values, then it gets its Deployment, Service, HPA and PDB from the same template', () => {
    const objects = render({
      set: {
        'components.workflows.port': '8084',
        'components.workflows.portEnv': 'WORKFLOWS_HTTP_PORT',
        'components.workflows.gatewayUpstream': 'GATEWAY_UPSTREAM_WORKFLOWS_URL',
      },
    });
    const deployment = find(objects, 'Deployment', 'tradeflow-workflows');
    expect(podSpec(deployment).containers[0]?.image).toBe('tradeflow/workflows:0.1.0');
    expect(find(objects, 'ConfigMap', 'tradeflow-workflows').data).toMatchObject({
      WORKFLOWS_HTTP_PORT: '8084',
    });
    expect(find(objects, 'ConfigMap', 'tradeflow-gateway').data).toMatchObject({
      GATEWAY_UPSTREAM_WORKFLOWS_URL: 'http://tradeflow-workflows:8084',
    });
    for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(find(objects, kind, 'tradeflow-workflows')).toBeDefined();
    }
  });

  it('when a component has no portEnv, then rendering fails naming the component', () => {
    expect(() => render({ set: { 'components.workflows.port': '8084' } })).toThrow(
      /components\.workflows\.portEnv is required/,
    );
  });

  it('when a component is disabled, then nothing of it is rendered and the gateway has no upstream for it', () => {
    const objects = render({ set: { 'components.validation.enabled': 'false' } });
    expect(objects.filter((o) => componentLabel(o) === 'validation')).toEqual([]);
    expect(
      find(objects, 'ConfigMap', 'tradeflow-gateway').data?.GATEWAY_UPSTREAM_VALIDATION_URL,
    ).toBeUndefined();
  });

  it('when the registry and tag are set, then every Tradeflow image uses them and a per-component repository wins', () => {
    const objects = render({
      set: {
        'image.registry': 'ghcr.io/acme',
        'image.tag': '1.2.3',
        'components.trades.image.repository': 'x/t',
      },
    });
    expect(podSpec(find(objects, 'Deployment', 'tradeflow-gateway')).containers[0]?.image).toBe(
      'ghcr.io/acme/tradeflow/gateway:1.2.3',
    );
    expect(podSpec(find(objects, 'Deployment', 'tradeflow-trades')).containers[0]?.image).toBe('x/t:1.2.3');
  });

  it('when autoscaling is off for a component, then it has a fixed replica count and no HPA; when on, the HPA owns the count', () => {
    const objects = render({
      set: { 'components.trades.autoscaling.enabled': 'false', 'components.trades.replicas': '3' },
    });
    expect(find(objects, 'Deployment', 'tradeflow-trades').spec).toMatchObject({ replicas: 3 });
    expect(
      objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'tradeflow-trades'),
    ).toBe(undefined);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'tradeflow-gateway');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(
      (find(objects, 'Deployment', 'tradeflow-gateway').spec as { replicas?: number }).replicas,
    ).toBeUndefined();
  });

  it('when an existing Secret is named, then no Secret is rendered and every reference points at it', () => {
    const objects = render({ set: { 'credentials.existingSecret': 'mine' } });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const refs = JSON.stringify(objects).match(/"secretKeyRef":\{"name":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs)).toEqual(new Set(['"secretKeyRef":{"name":"mine"']));
  });

  it('when installed, then NOTES say how to reach the gateway and Jaeger and where the demo key and admin token are', () => {
    // `helm install --dry-run` needs a cluster, so a copy of the chart renders the notes into a ConfigMap.
    const copy = mkdtempSync(join(tmpdir(), 'tradeflow-notes-'));
    try {
      cpSync(CHART_DIR, copy, { recursive: true });
      writeFileSync(
        join(copy, 'templates', 'notes-as-configmap.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  notes: |\n' +
          '{{- include "tradeflow.notes" . | nindent 4 }}\n',
      );
      const objects = parseManifests(
        helm([
          'template',
          'tradeflow',
          copy,
          '--namespace',
          'demo',
          '--show-only',
          'templates/notes-as-configmap.yaml',
        ]),
      );
      const notes = objects[0]?.data?.notes ?? '';
      expect(notes).toContain('kubectl -n demo port-forward service/tradeflow-gateway 8080:8080');
      expect(notes).toContain('port-forward service/tradeflow-jaeger 16686:16686');
      expect(notes).toContain(
        "get secret tradeflow-credentials -o jsonpath='{.data.GATEWAY_DEMO_API_KEY}' | base64 -d",
      );
      expect(notes).toContain("-o jsonpath='{.data.GATEWAY_ADMIN_TOKEN}' | base64 -d");
      expect(notes).toContain('helm test tradeflow -n demo');
      expect(readFileSync(join(CHART_DIR, 'templates', 'NOTES.txt'), 'utf8').trim()).toBe(
        '{{ include "tradeflow.notes" . }}',
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('when rendered twice with the same values, then the output is identical except the generated credentials', () => {
    const args = templateArgs({
      set: {
        'credentials.adminToken': 'a'.repeat(24),
        'credentials.demoApiKey': `tfk_fixedkey_${'k'.repeat(43)}`,
      },
    });
    expect(helm(args)).toBe(helm(args));
  });
});
