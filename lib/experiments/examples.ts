/**
 * Example patients of a run, predicted or explained for figures: the report and notebooks draw them with
 * lib/report/figures.ts (`predictionPanels`, `saliencyPanels`), which never run a model.
 */
import { openDataset } from '../data/dataset';
import { readCaseInput } from '../data/case-input';
import { initEngine } from '../engine/backend';
import { ConfigError } from '../errors';
import { predictCase } from '../eval/predict';
import { loadRun } from '../eval/run';
import * as tf from '@tensorflow/tfjs-core';
import { classifierAttention, modelGradCam, type SaliencyImage, type SaliencyMap } from '../eval/saliency';
import { prepareCase } from '../preprocess/prepare-case';
import { extractSlices } from '../volume/slices';
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

/** Where a run's classifier looks on one patient: its model-grid slice with the most tumour and the two maps. */
export interface ExampleExplanation {
  caseId: string;
  title: string;
  /** The slice as the model sees it (first sequence), and the reference GTV on it. */
  image: SliceImage;
  reference: SliceImage | null;
  /** Grad-CAM of the predicted class on the classifier's convolutional block (lib/eval/saliency.ts). */
  gradCam: SaliencyMap;
  /** The class token's attention over the patches; null for a CNN-only classifier. */
  attention: SaliencyImage | null;
}

/** Grad-CAM and the classifier's attention of a run's final model on the picked patients of a cohort. */
export async function explainExamples(runDir: string, dataDir: string, picks: readonly PanelPick[]): Promise<ExampleExplanation[]> {
  await initEngine();
  const { config, model } = await loadRun(runDir);
  try {
    if (!model.classifier) throw new ConfigError(`the run's ${config.model.kind} model has no classifier to explain`, runDir);
    const dataset = await openDataset(dataDir, { layout: 'native', sequences: config.data.sequences });
    const out: ExampleExplanation[] = [];
    for (const pick of picks) {
      const c = dataset.cases.find((x) => x.id === pick.caseId);
      if (!c) throw new ConfigError(`case ${pick.caseId} is not in the data folder`, dataDir);
      const prepared = prepareCase(await readCaseInput(c, config.data.sequences), config.data.preprocess);
      const k = prepared.mask ? prepared.tumourArea.indexOf(Math.max(...prepared.tumourArea)) : Math.floor(prepared.grid.dims[2] / 2);
      const batch = extractSlices(prepared.channels, { axis: 2, context: config.data.preprocess.context, indices: [k] });
      const x = tf.tensor4d(batch.data, batch.shape);
      try {
        const [gradCam] = modelGradCam(model, x);
        const attention = model.classifier.config.kind === 'cnn' ? null : classifierAttention(model, x)[0];
        out.push({
          caseId: pick.caseId,
          title: pick.title.replace('{egfr}', gradCam.probability.toFixed(2)),
          image: axialSlice(prepared.channels[0], k),
          reference: prepared.mask ? axialSlice(prepared.mask, k) : null,
          gradCam,
          attention,
        });
      } finally {
        x.dispose();
      }
    }
    return out;
  } finally {
    model.dispose();
  }
}
