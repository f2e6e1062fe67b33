/**
 * Example patients of a run, predicted for figures: the report and notebooks show them with
 * lib/report/figures.ts `predictionPanels`, which draws and never runs a model.
 */
import { openDataset } from '../data/dataset';
import { readCaseInput } from '../data/case-input';
import { initEngine } from '../engine/backend';
import { ConfigError } from '../errors';
import { predictCase } from '../eval/predict';
import { loadRun } from '../eval/run';
import { axialSlice, largestMaskSlice, type SliceImage } from '../volume/views';

/** A patient to show: its case id and the panel title (`{egfr}` is replaced by its predicted EGFR probability). */
export interface PanelPick {
  caseId: string;
  title: string;
}

/** One predicted example: the slice shown, its reference and predicted GTV on that slice. */
export interface ExamplePrediction {
  caseId: string;
  title: string;
  image: SliceImage;
  reference: SliceImage | null;
  predicted: SliceImage | null;
  egfrProbability: number | null;
}

/** Runs a run's final model on the picked patients of a cohort (see the file comment). */
export async function predictExamples(runDir: string, dataDir: string, picks: readonly PanelPick[]): Promise<ExamplePrediction[]> {
  await initEngine();
  const { config, model } = await loadRun(runDir);
  try {
    const dataset = await openDataset(dataDir, { layout: 'native', sequences: config.data.sequences });
    const out: ExamplePrediction[] = [];
    for (const pick of picks) {
      const c = dataset.cases.find((x) => x.id === pick.caseId);
      if (!c) throw new ConfigError(`case ${pick.caseId} is not in the data folder`, dataDir);
      const input = await readCaseInput(c, config.data.sequences);
      const prediction = predictCase(model, input, config.data.preprocess);
      const k = input.mask ? largestMaskSlice(input.mask) : Math.floor(input.images[0].dims[2] / 2);
      const egfr = prediction.egfr ? prediction.egfr.probability : null;
      out.push({
        caseId: pick.caseId,
        title: pick.title.replace('{egfr}', egfr === null ? 'n/a' : egfr.toFixed(2)),
        image: axialSlice(input.images[0], k),
        reference: input.mask ? axialSlice(input.mask, k) : null,
        predicted: prediction.mask ? axialSlice(prediction.mask, k) : null,
        egfrProbability: egfr,
      });
    }
    return out;
  } finally {
    model.dispose();
  }
}
