/**
 * deploy/k8s: every YAML document parses and validates against the Kubernetes API schemas of the
 * installed kubernetes-models (Kubernetes 1.33: its Lifecycle has 1.33's stopSignal and none of
 * 1.34's fields), and the manifests agree with each other and with the server: selectors match the
 * pod labels, probes and Services name ports the container has, every MM_ variable is a real
 * setting, the ports in the settings are the container's, and the rollout and drain fit together.
 * kubernetes-models' validate() accepts unknown fields (its schemas are not strict), so what this
 * file relies on is also checked by name below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, portOf, unknownSettings } from './settings.js';

const K8S_DIR = join(DEPLOY_DIR, 'k8s');

/** The model class of each kind the manifests use. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: any;
}

const files = readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f));
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((doc) => {
    expect(doc.errors, `${file}: ${doc.errors.join('; ')}`).toEqual([]);
    return { ...(doc.toJS() as Manifest), file };
  }),
);
const resources = manifests.filter((m) => m.kind !== 'Kustomization');
const one = (kind: string, name?: string): Manifest => {
  const found = resources.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0];
};

const deployment = one('Deployment', 'mmchat');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
const containerPorts: Array<{ name: string; containerPort: number; protocol: string }> = container.ports;
const configMap = one('ConfigMap', 'mmchat-config');
const secret = one('Secret', 'mmchat-secrets');

/** The container port a probe or Service names (by name or number). */
function containerPort(ref: string | number) {
  return containerPorts.find((p) => p.name === ref || p.containerPort === ref);
}

function selects(selector: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podLabels[k] === v);
}

describe('deploy/k8s', () => {
  it('parses, and every resource validates against the Kubernetes schemas', () => {
    expect(resources.length).toBeGreaterThanOrEqual(8);
    for (const m of resources) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${m.file}: ${m.apiVersion} ${m.kind} has no model here`).toBeDefined();
      const { file: _file, ...data } = m;
      expect(() => new Model(data as never).validate(), `${m.file} (${m.kind} ${m.metadata.name})`).not.toThrow();
    }
  });

  it('catches a broken manifest (the validation is not a no-op)', () => {
    const { file: _file, ...data } = structuredClone(deployment);
    data.spec.template.spec.containers[0].ports[0].containerPort = '8065/tcp';
    expect(() => new Deployment(data as never).validate()).toThrow(/containerPort must be integer/);
  });

  it('lists every file in kustomization.yaml', () => {
    const kustomization = manifests.find((m) => m.kind === 'Kustomization')!;
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('runs three replicas with the ports, probes and settings of a cluster node', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    const ports = Object.fromEntries(containerPorts.map((p) => [p.name, `${p.containerPort}/${p.protocol}`]));
    expect(ports).toEqual({ http: '8065/TCP', gossip: '8074/UDP', streaming: '8075/TCP', metrics: '8067/TCP' });
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const get = container[probe]?.httpGet;
      expect(get?.path, probe).toMatch(/^\/api\/v4\/system\/ping(\?|$)/);
      expect(containerPort(get.port)?.name, `${probe} port`).toBe('http');
    }
    // The settings say the same ports as the container.
    const data: Record<string, string> = configMap.data;
    expect(portOf(data.MM_SERVICESETTINGS_LISTENADDRESS)).toBe(8065);
    expect(Number(data.MM_CLUSTERSETTINGS_GOSSIPPORT)).toBe(8074);
    expect(Number(data.MM_CLUSTERSETTINGS_STREAMINGPORT)).toBe(8075);
    expect(portOf(data.MM_METRICSSETTINGS_LISTENADDRESS)).toBe(8067);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe('8067');
  });

  it('takes MM_* settings from the ConfigMap and the Secret, each a real setting', () => {
    const envFrom = container.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name);
    expect(envFrom).toEqual(['mmchat-config', 'mmchat-secrets']);
    expect(Object.keys(secret.stringData).sort()).toEqual(['MM_CLUSTERSETTINGS_CLUSTERSECRET', 'MM_SQLSETTINGS_DATASOURCE']);
    const names = [...Object.keys(configMap.data), ...Object.keys(secret.stringData), ...container.env.map((e: any) => e.name)];
    expect(names.every((n) => n.startsWith('MM_'))).toBe(true);
    expect(unknownSettings(names)).toEqual([]);
    // Secrets stay out of the ConfigMap.
    expect(Object.keys(configMap.data)).not.toContain('MM_SQLSETTINGS_DATASOURCE');
    expect(Object.keys(configMap.data)).not.toContain('MM_CLUSTERSETTINGS_CLUSTERSECRET');
    expect(configMap.data.MM_CLUSTERSETTINGS_ENABLE).toBe('true');
  });

  it('drains gracefully: SIGTERM after a preStop pause, within the grace period, one pod at a time', () => {
    const preStop: string[] = container.lifecycle.preStop.exec.command;
    const pause = Number(preStop[preStop.length - 1]);
    expect(preStop[0]).toBe('sleep');
    // The drain gets at least 45 s after the pause before the kubelet's SIGKILL.
    expect(pod.terminationGracePeriodSeconds - pause).toBeGreaterThanOrEqual(45);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pdb = one('PodDisruptionBudget');
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBe(deployment.spec.replicas - 1);
  });

  it('has Services that select the pods and name its ports: 8065 for clients, a headless one for gossip', () => {
    const web = one('Service', 'mmchat');
    const gossip = one('Service', 'mmchat-gossip');
    for (const service of [web, gossip]) {
      expect(selects(service.spec.selector), service.metadata.name).toBe(true);
      for (const port of service.spec.ports) {
        const target = containerPort(port.targetPort);
        expect(target, `${service.metadata.name}:${port.name}`).toBeDefined();
        expect(target!.protocol).toBe(port.protocol);
      }
    }
    expect(web.spec.ports.find((p: any) => p.name === 'http').port).toBe(8065);
    expect(gossip.spec.clusterIP).toBe('None');
    expect(gossip.spec.publishNotReadyAddresses).toBe(true);
    expect(gossip.spec.ports.map((p: any) => `${p.port}/${p.protocol}`)).toEqual(['8074/UDP', '8075/TCP']);
  });

  it('mounts what it references, and the ingress points at the Service port', () => {
    const claims = pod.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName);
    for (const claim of claims) expect(one('PersistentVolumeClaim', claim).spec.accessModes).toContain('ReadWriteMany');
    const volumes = new Set(pod.volumes.map((v: any) => v.name));
    for (const mount of container.volumeMounts) expect(volumes.has(mount.name), mount.name).toBe(true);
    // The file store is mounted where MM_FILESETTINGS_DIRECTORY points.
    expect(container.volumeMounts.find((m: any) => m.name === 'files').mountPath.replace(/\/?$/, '/')).toBe(configMap.data.MM_FILESETTINGS_DIRECTORY);
    const backend = one('Ingress').spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe('mmchat');
    expect(one('Service', 'mmchat').spec.ports.some((p: any) => p.name === backend.port.name)).toBe(true);
  });
});
