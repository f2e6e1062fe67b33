/**
 * Bench row of whole-volume prediction (issue 8, target <= 3 s): the default multi-task model (128 px, base 16
 * channels, untrained: the time does not depend on the weights) predicts a synthetic 128x128x150 scan end to end with
 * lib/eval/predict.ts's `predictCase`: preparation (reorientation, resampling to the model grid, normalisation),
 * the slices through the model, the probabilities back to the input grid, thresholding and the EGFR aggregate.
 */
import { prepareCase } from '../preprocess/prepare-case';
import { resolvePreprocessConfig } from '../preprocess/config';
import { predictCase, type PredictOptions } from '../eval/predict';
import { buildModel } from '../model/multitask';
import { median } from '../util/percentile';
import { Rng } from '../util/rng';
import type { Vec3, Volume } from '../volume/volume';
import { timeCalls } from './timing';

export interface PhantomConfig {
  dims: Vec3;
  spacing: Vec3;
  seed: number;
}

/**
 * A head-like scan as a scanner writes it: int16, radiological (LAS) orientation with the world origin near the centre
 * (x flipped, as NIfTI converted from DICOM usually are), an ellipsoidal head (semi-axes 75, 95 and 80 mm: every axial
 * slice of a 150 mm stack has foreground) of noisy tissue around 300 with a bright 15 mm sphere, and exact zeros
 * outside, where the model is not run.
 */
export function headPhantom(config: PhantomConfig): Volume<Int16Array> {
  const { dims, spacing, seed } = config;
  const [nx, ny, nz] = dims;
  const rng = new Rng(seed);
  const data = new Int16Array(nx * ny * nz);
  const centre = dims.map((n, a) => ((n - 1) / 2) * spacing[a]);
  const semi = [75, 95, 80];
  const lesion = [centre[0] + 25, centre[1] - 20, centre[2] + 10];
  for (let k = 0, i = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let x = 0; x < nx; x++, i++) {
        const p = [x * spacing[0], j * spacing[1], k * spacing[2]];
        const r2 = p.reduce((s, v, a) => s + ((v - centre[a]) / semi[a]) ** 2, 0);
        if (r2 > 1) continue;
        const d2 = p.reduce((s, v, a) => s + (v - lesion[a]) ** 2, 0);
        data[i] = Math.max(1, Math.round((d2 < 15 ** 2 ? 700 : 300) + rng.normal(0, 30)));
      }
    }
  }
  const affine = [
    [-spacing[0], 0, 0, centre[0]],
    [0, spacing[1], 0, -centre[1]],
    [0, 0, spacing[2], -centre[2]],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing, affine };
}

export const PREDICT_PHANTOM: PhantomConfig = { dims: [128, 128, 150], spacing: [1.8, 1.8, 1], seed: 1 };

export interface PredictTimings {
  /** Median wall time of `predictCase`. */
  predict_volume_ms: number;
  /** Median process CPU time (all threads). */
  predict_volume_cpu_ms: number;
  /** Axial slices of the scan, and how many of them went through the model (those with foreground). */
  predict_volume_slices: number;
  predict_volume_slices_predicted: number;
}

/** Median of `runs` whole-volume predictions after `warmup` untimed ones. */
export function timePredictVolume(
  opts: { warmup?: number; runs?: number; phantom?: PhantomConfig; options?: Partial<PredictOptions>; log?: (msg: string) => void } = {},
): PredictTimings {
  const { warmup = 1, runs = 3, phantom = PREDICT_PHANTOM, options = {}, log = () => undefined } = opts;
  const image = headPhantom(phantom);
  const model = buildModel({ input: { height: 128, width: 128, channels: 1 } });
  const config = resolvePreprocessConfig({ size: 128 });
  const input = { id: 'phantom', images: [image] };
  try {
    const { wall, cpu } = timeCalls('predict volume', () => predictCase(model, input, config, options), { warmup, runs, log });
    return {
      predict_volume_ms: median(wall),
      predict_volume_cpu_ms: median(cpu),
      predict_volume_slices: phantom.dims[2],
      predict_volume_slices_predicted: prepareCase(input, config).foreground.filter((f) => f > 0).length,
    };
  } finally {
    model.dispose();
  }
}

/** The bench row for bench/registry.ts. */
export async function predictVolumeRow(ctx: { log(msg: string): void }): Promise<Record<string, number>> {
  return { ...timePredictVolume({ log: ctx.log }) };
}
