/**
 * Test-time augmentation by flips (`--tta`): each batch of slices goes through the model as it is and flipped along
 * each requested axis ('x': left-right, the flip the training augmentation draws; 'y': up-down, which it does not by
 * default), every output is flipped back, and the probabilities (sigmoid of the GTV logits, softmax of the class
 * logits) are averaged over the 2^n views. The average is a balanced pairwise tree, so a model whose output is exactly
 * flip-equivariant (its slice probabilities the same thing flipped) gives exactly its own probabilities.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

export const TTA_FLIPS = ['x', 'y'] as const;
export type TtaFlip = (typeof TTA_FLIPS)[number];

/** What the flips need of a model: an inference pass with optional GTV logits [N, H, W, 1] and class logits [N, K]. */
export interface SliceModel {
  predict(x: tf.Tensor4D): { seg: tf.Tensor4D | null; cls: tf.Tensor2D | null; segAux?: tf.Tensor4D[] };
}

/** Slice probabilities of one batch: GTV [N, H, W, 1] and classes [N, K], each null where the model has no head. */
export interface SliceProbabilities {
  seg: tf.Tensor4D | null;
  cls: tf.Tensor2D | null;
}

/** The flips as a set: duplicates and unknown names are a ConfigError. */
export function resolveTtaFlips(flips: readonly string[]): TtaFlip[] {
  for (const f of flips) if (!(TTA_FLIPS as readonly string[]).includes(f)) throw new ConfigError(`tta: unknown flip '${f}' (known: ${TTA_FLIPS.join(', ')})`);
  if (new Set(flips).size !== flips.length) throw new ConfigError(`tta: flip listed twice in ${flips.join(',')}`);
  return [...flips] as TtaFlip[];
}

/** Axes of an [N, H, W, C] tensor flipped by each view: every subset of `flips`, the identity first. */
function views(flips: readonly TtaFlip[]): number[][] {
  let out: number[][] = [[]];
  for (const f of flips) out = [...out, ...out.map((v) => [...v, f === 'x' ? 2 : 1])];
  return out;
}

/** The mean of tensors of one shape as a balanced tree of pairwise means (exact for equal inputs, 2^n of them). */
function pairwiseMean<T extends tf.Tensor>(xs: T[]): T {
  let level = xs;
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? (tf.div(tf.add(level[i], level[i + 1]), 2) as T) : level[i]);
    level = next;
  }
  return level[0];
}

/** Slice probabilities of a batch, averaged over the flips' views (no flips: the plain pass). Run inside a tidy. */
export function predictProbabilities(model: SliceModel, x: tf.Tensor4D, flips: readonly TtaFlip[] = []): SliceProbabilities {
  const seg: tf.Tensor4D[] = [];
  const cls: tf.Tensor2D[] = [];
  for (const axes of views(flips)) {
    const input = axes.length > 0 ? tf.reverse(x, axes) : x;
    const out = model.predict(input);
    if (out.seg) {
      const p = tf.sigmoid(out.seg);
      seg.push(axes.length > 0 ? tf.reverse(p, axes) : p);
    }
    if (out.cls) cls.push(tf.softmax(out.cls));
  }
  return { seg: seg.length > 0 ? pairwiseMean(seg) : null, cls: cls.length > 0 ? pairwiseMean(cls) : null };
}
