/**
 * The named baselines of the paper's comparison as data: each is a partial model config over the same blocks
 * (`buildModel` in multitask.ts builds any of them). `baselineConfig(name, overrides)` merges overrides per section, so
 * e.g. the input size of a study applies to every baseline alike.
 */
import { ConfigError } from '../errors';
import type { ModelConfigInput } from './multitask';

export const baselines = {
  /** The paper's multi-task model: MSA encoder (CSA on the two coarsest stages), decoder, hybrid classifier. */
  mtl: {},
  /** Multi-task without any CSA module (ablation). */
  'mtl-no-csa': { encoder: { csa: false } },
  /** Multi-task with a CNN-only classifier instead of the hybrid CNN-Transformer one (ablation). */
  'mtl-cnn-cls': { classifier: { kind: 'cnn' } },
  /** Single-task segmentation with the same encoder and decoder. */
  'seg-only': { kind: 'seg' },
  /** Single-task classification with the same encoder and hybrid classifier. */
  'cls-only': { kind: 'cls' },
  /** Plain U-Net: no CSA, non-residual double convolutions. */
  unet: { kind: 'unet' },
  /** CNN-only classifier on the MSA encoder. */
  'cls-cnn': { kind: 'cls', classifier: { kind: 'cnn' } },
  /** Transformer-only classifier (linear patch embedding) on the MSA encoder. */
  'cls-transformer': { kind: 'cls', classifier: { kind: 'transformer' } },
} satisfies Record<string, ModelConfigInput>;

export type BaselineName = keyof typeof baselines;

export function baselineNames(): BaselineName[] {
  return Object.keys(baselines) as BaselineName[];
}

/** A baseline's config with overrides merged section by section (overrides win). */
export function baselineConfig(name: BaselineName, overrides: ModelConfigInput = {}): ModelConfigInput {
  const preset: ModelConfigInput = baselines[name];
  if (!preset) throw new ConfigError(`model: unknown baseline '${name}' (expected ${baselineNames().join(', ')})`);
  const merged: ModelConfigInput = { ...preset, ...overrides };
  for (const section of ['input', 'encoder', 'decoder', 'classifier'] as const) {
    const both = { ...preset[section], ...overrides[section] };
    if (Object.keys(both).length > 0) Object.assign(merged, { [section]: both });
  }
  return merged;
}
