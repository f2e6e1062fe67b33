/**
 * A study on Kubernetes through an Indexed Job (completionMode: Indexed): one pod per cell, each an `egfr-gtv ablate`
 * worker with JOB_COMPLETION_INDEX as its task index (lib/experiments/ablation.ts), all on one study folder on a
 * PersistentVolumeClaim (ReadWriteMany: the claims need a filesystem every pod sees). Printed as YAML for kubectl.
 */

export interface IndexedJobOptions {
  /** Job name (a DNS label). */
  name: string;
  /** Pods in all (one per cell) and at most this many at once. */
  completions: number;
  parallelism: number;
  image: string;
  /** The command a pod runs before `ablate ...`, e.g. ['egfr-gtv'] or ['node', '/app/bin/egfr-gtv.js']. */
  command: string[];
  /** The arguments after the command (`ablate --grid ... --out ...`), with paths as the pod sees them. */
  args: string[];
  /** The PersistentVolumeClaim holding the study folder, and where it is mounted. */
  claimName: string;
  mountPath: string;
  cpu: number;
  memory: string;
  /** Lease of a cell's claim in seconds, when not the default. */
  leaseSeconds?: number;
  fast?: boolean;
  /** GPUs per pod (nvidia.com/gpu), for images with @tensorflow/tfjs-node-gpu. */
  gpus?: number;
  backoffLimitPerIndex?: number;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The Indexed Job manifest as a plain object (the shape kubectl reads). */
export function indexedJobManifest(o: IndexedJobOptions): { [key: string]: Json } {
  const resources: { [key: string]: Json } = { cpu: String(o.cpu), memory: o.memory, ...(o.gpus ? { 'nvidia.com/gpu': String(o.gpus) } : {}) };
  const env: Json[] = [
    { name: 'EGFR_GTV_TASK_COUNT', value: String(o.completions) },
    { name: 'EGFR_NATIVE_THREADS', value: String(o.cpu) },
    { name: 'TF_NUM_INTRAOP_THREADS', value: String(o.cpu) },
    { name: 'TF_NUM_INTEROP_THREADS', value: '1' },
    { name: 'OMP_NUM_THREADS', value: String(o.cpu) },
    ...(o.fast ? [{ name: 'EGFR_GTV_FAST', value: '1' }] : []),
    ...(o.leaseSeconds !== undefined ? [{ name: 'EGFR_GTV_LEASE_SECONDS', value: String(o.leaseSeconds) }] : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, labels: { app: 'egfr-gtv', study: o.name } },
    spec: {
      completionMode: 'Indexed',
      completions: o.completions,
      parallelism: o.parallelism,
      // A pod that fails is retried; a killed pod's cell is also taken over by the others once its lease expired.
      ...(o.backoffLimitPerIndex !== undefined ? { backoffLimitPerIndex: o.backoffLimitPerIndex } : { backoffLimit: o.completions * 2 }),
      template: {
        metadata: { labels: { app: 'egfr-gtv', study: o.name } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'ablate',
              image: o.image,
              command: o.command,
              // JOB_COMPLETION_INDEX (set by Kubernetes in Indexed mode) is the task index; the count is EGFR_GTV_TASK_COUNT.
              args: o.args,
              env,
              resources: { requests: resources, limits: { ...resources } },
              volumeMounts: [{ name: 'study', mountPath: o.mountPath }],
            },
          ],
          volumes: [{ name: 'study', persistentVolumeClaim: { claimName: o.claimName } }],
        },
      },
    },
  };
}

function scalar(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return String(v);
  // Plain when it cannot be read as anything but this string; else JSON's double quotes (valid YAML).
  return /^[A-Za-z_/][A-Za-z0-9_./=-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) ? v : JSON.stringify(v);
}

/** Block-style YAML of a JSON value (enough for manifests: maps, lists, scalars). */
export function toYaml(value: Json, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        if (item !== null && typeof item === 'object' && !(Array.isArray(item) && item.length === 0)) {
          const inner = toYaml(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${Array.isArray(item) ? '[]' : scalar(item)}\n`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([k, v]) => {
        if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
          return `${pad}${scalar(k)}:\n${toYaml(v, Array.isArray(v) ? indent : indent + 2)}`;
        }
        return `${pad}${scalar(k)}: ${Array.isArray(v) ? '[]' : v !== null && typeof v === 'object' ? '{}' : scalar(v)}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}
