import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SliceDataset } from '../../lib/data/slice-dataset';
import { initEngine } from '../../lib/engine';
import { buildModel } from '../../lib/model/multitask';
import type { MultiTaskModel } from '../../lib/model/multitask';
import { resolveTrainConfig } from '../../lib/train/config';
import { trainModel } from '../../lib/train/trainer';
import type { WeightingConfig } from '../../lib/weighting/create';
import { tinyModelConfig, tinySliceDataset } from '../train/tiny-cohort';

const weightsOf = (model: MultiTaskModel) => new Map(model.weights().map((w) => [w.name, w.variable.dataSync() as Float32Array]));

describe('task weighting: exact resume of the stateful and random strategies', function () {
  this.timeout(120000);
  let dataset: SliceDataset;
  let dir: string;
  before(async () => {
    await initEngine({ backend: 'wasm' });
    dataset = tinySliceDataset();
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-weighting-resume-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await initEngine();
  });

  const cases: WeightingConfig[] = [{ kind: 'famo' }, { kind: 'rlw' }, { kind: 'gradvac' }, { kind: 'db-mtl' }, { kind: 'graddrop' }, { kind: 'mgda', space: 'features' }];
  for (const weighting of cases) {
    it(`${weighting.kind}${'space' in weighting ? ` (${weighting.space})` : ''}: 6 steps straight equal 3 + 3 resumed`, async () => {
      const config = resolveTrainConfig({ steps: 6, stepsPerEpoch: 2, batchSize: 4, warmupSteps: 2, weighting }, 'mtl');
      const straight = buildModel(tinyModelConfig(1, 0.3));
      const a = await trainModel({ model: straight, dataset, config });
      const runDir = join(dir, `${weighting.kind}-${'space' in weighting ? weighting.space : ''}`);
      const first = buildModel(tinyModelConfig(1, 0.3));
      await trainModel({ model: first, dataset, config, runDir, stopAtStep: 3 });
      first.dispose();
      const second = buildModel(tinyModelConfig(1, 0.3));
      const b = await trainModel({ model: second, dataset, config, runDir, resume: true });
      const wa = weightsOf(straight);
      const wb = weightsOf(second);
      for (const [w, values] of wa) assert.deepEqual(wb.get(w), values, `weight ${w} differs after resumption`);
      assert.deepEqual(b.steplog.map((r) => [r.total, r.weights]), a.steplog.map((r) => [r.total, r.weights]));
      assert.notDeepEqual(a.steplog[5].weights, a.steplog[0].weights, 'the task weights never moved');
      straight.dispose();
      second.dispose();
    });
  }
});
