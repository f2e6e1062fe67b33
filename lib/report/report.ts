/**
 * The HTML report of a study: the mean +/- sd tables per test set, the figures as PNG files beside it, and the CSVs.
 *   <out>/index.html                the report (open it in a browser; it references the files below)
 *   <out>/figures/*.png             every figure
 *   <out>/results.csv               the tidy results of every finished cell (one row per cell, set and metric)
 *   <out>/summary.csv               mean, sd and number of seeds per model variant, set and metric
 *   <out>/comparison.json           the paired comparison with the reference (egfr-gtv compare --partial --json)
 * Every file is written atomically, the HTML last, so a report folder with an index.html is complete.
 */
import { promises as fs } from 'node:fs';
import { join, relative } from 'node:path';
import { csvText } from '../data/csv';
import { compareStudy, studyVariants } from '../experiments/compare';
import { predictExamples } from '../experiments/examples';
import { referenceCells, variantName, type Study } from '../experiments/study';
import { evaluationDataDir } from '../experiments/study-folder';
import { readStepLog } from '../train/run-folder';
import { meanSdTable, writeResultsCsv } from '../experiments/results';
import type { PlotlyFigure } from '../plots/plotly';
import { withFigureRenderer } from '../plots/render';
import { writeFileAtomic } from '../util/atomic-write';
import {
  calibrationFigure,
  confusionFigure,
  diceBoxes,
  metricBars,
  extremePatients,
  predictionPanels,
  rocFigure,
  trainingCurves,
} from './figures';
import { REPORT_CSS, escapeHtml, htmlTable } from './html';
import { differenceForest, paperSectionHtml } from './paper';

export interface ReportOptions {
  /** Report title; default "Study <grid name>". */
  title?: string;
  /** Facts shown under the title, e.g. the run time or the cohort sizes. */
  facts?: Array<[string, string]>;
  /** Bootstrap replicates of the ROC bands and AUC intervals (default 1000). */
  replicates?: number;
}

export interface ReportFiles {
  html: string;
  figures: string[];
  results: string;
  summary: string;
}

/** The metrics of the tables, in column order, with their headings. */
export const REPORT_METRICS: Array<[string, string]> = [
  ['dice', 'Dice'],
  ['hd95_mm', 'HD95 (mm, median)'],
  ['lesion_sensitivity', 'lesion sensitivity'],
  ['auc', 'AUC'],
  ['accuracy', 'accuracy'],
  ['sensitivity', 'sensitivity'],
  ['specificity', 'specificity'],
];

interface Section {
  heading: string;
  text: string;
  /** HTML placed after the text (tables built from the study's numbers). */
  html?: string;
  figures: Array<{ name: string; figure: PlotlyFigure | null; caption: string }>;
}

export async function writeReport(study: Study, out: string, options: ReportOptions = {}): Promise<ReportFiles> {
  const figuresDir = join(out, 'figures');
  await fs.mkdir(figuresDir, { recursive: true });
  const replicates = options.replicates ?? 1000;
  const reference = referenceCells(study);
  const ref = reference[0];
  const refName = ref ? `${variantName(ref.record.model, ref.record.weighting)}, seed ${ref.record.seed}` : '';

  const sections: Section[] = [];
  // The paper's comparison needs two variants; a study of one model only has the tables below.
  const comparison = studyVariants(study).size >= 2 ? compareStudy(study, { partial: true, replicates: options.replicates ?? 10000 }) : null;
  if (comparison) {
    sections.push({
      heading: 'The paper\'s comparison',
      text: '',
      html: paperSectionHtml(comparison),
      figures: [
        { name: 'forest-dice', figure: differenceForest(comparison.comparisons, 'dice', comparison.reference), caption: 'Paired Dice differences with bootstrap 95% intervals; right of the dashed line: the variant segments better.' },
        { name: 'forest-auc', figure: differenceForest(comparison.comparisons, 'auc', comparison.reference), caption: "Paired AUC differences with DeLong's 95% intervals; right of the dashed line: the variant classifies better." },
      ],
    });
  }
  sections.push({
    heading: 'Model comparison',
    text: 'Each bar is the mean over seeds of a patient-level metric on a test cohort; error bars are one standard deviation over seeds (none with a single seed).',
    figures: [
      { name: 'dice-bars', figure: metricBars(study, 'dice', 'Dice', [0, 1]), caption: 'Mean patient Dice of the GTV per model variant and test set.' },
      { name: 'auc-bars', figure: metricBars(study, 'auc', 'EGFR AUC', [0, 1]), caption: 'Patient-level EGFR AUC (mutant vs wild-type) per model variant and test set.' },
      { name: 'dice-boxes', figure: diceBoxes(study), caption: 'Every test patient of every seed: the spread behind the means.' },
    ],
  });
  if (ref) {
    const overlays: Section['figures'] = [];
    for (const set of study.sets) {
      const picks = extremePatients(ref, set);
      const examples = picks.length ? await predictExamples(ref.runDir, await evaluationDataDir(study.dir, ref.record.cell, set), picks) : [];
      const figure = examples.length ? predictionPanels(examples, `${set}: best, median and worst patients by Dice`) : null;
      overlays.push({ name: `overlays-${set}`, figure, caption: `Reference (orange) and predicted (blue) GTV on the slice with the most reference tumour; ${refName}.` });
    }
    sections.push({
      heading: `Reference model: ${refName}`,
      text: 'The first model and weighting of the grid, first seed: how it was trained and how it does on each test cohort.',
      figures: [
        { name: 'training', figure: trainingCurves(await readStepLog(ref.runDir), `Training: task losses and weights (${refName})`), caption: 'Per-task training loss (moving average) and the weight the strategy gave each loss.' },
        { name: 'roc', figure: rocFigure(ref, { replicates }), caption: 'ROC of the patient EGFR probability; shaded: pointwise 95 % bootstrap band; legend: AUC with its 95 % bootstrap interval.' },
        ...study.sets.map((set) => ({ name: `confusion-${set}`, figure: confusionFigure(ref, set), caption: `Confusion matrix on the ${set} test cohort.` })),
        { name: 'calibration', figure: calibrationFigure(ref), caption: 'Observed mutant rate against the mean predicted probability per bin; bars: patients per bin.' },
        ...overlays,
      ],
    });
  }

  const written: string[] = [];
  await withFigureRenderer(async (renderer) => {
    for (const s of sections) {
      for (const f of s.figures) {
        if (f.figure) written.push(await renderer.save(f.figure, join(figuresDir, `${f.name}.png`)));
      }
    }
  });

  const results = join(out, 'results.csv');
  await writeResultsCsv(study.rows, results);
  const summaryFile = join(out, 'summary.csv');
  await writeFileAtomic(
    summaryFile,
    csvText(
      ['model', 'weighting', 'set', 'metric', 'mean', 'sd', 'seeds'],
      study.summary.map((s) => [s.model, s.weighting, s.set, s.metric, s.mean, s.sd, s.n]),
    ),
  );

  const metricKeys = REPORT_METRICS.map(([k]) => k);
  const tables = study.sets.map((set) => {
    const t = meanSdTable(study.summary, set, metricKeys, `${set} test cohort`);
    return htmlTable([...t.header.slice(0, 3), ...REPORT_METRICS.map(([, h]) => h)], t.rows, t.title);
  });
  const rel = (p: string) => relative(out, p).split('\\').join('/');
  const figureHtml = (s: Section) =>
    s.figures
      .filter((f) => f.figure)
      // PNGs are rendered at twice their CSS size (crisp on high-density screens): show them at their layout width.
      .map((f) => `<figure><img src="${escapeHtml(rel(join(figuresDir, `${f.name}.png`)))}" alt="${escapeHtml(f.name)}" width="${f.figure!.layout.width ?? 800}"><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`)
      .join('\n');
  const sectionHtml = (s: Section) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.text ? `<p>${escapeHtml(s.text)}</p>\n` : ''}${s.html ? `${s.html}\n` : ''}${figureHtml(s)}`;
  const title = options.title ?? `Study ${study.grid.name}`;
  const facts: Array<[string, string]> = [
    ['grid', `${study.grid.name}: ${study.grid.models.length} models x ${study.grid.weightings.length} weightings x ${study.grid.seeds.length} seeds`],
    ['finished cells', `${study.cells.length}${study.pending.length ? ` (${study.pending.length} not finished: ${study.pending.join(', ')})` : ''}`],
    ['test cohorts', study.sets.join(', ')],
    ...(options.facts ?? []),
  ];
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    study.grid.description ? `<p>${escapeHtml(study.grid.description)}</p>` : '',
    `<ul class="facts">${facts.map(([k, v]) => `<li><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</li>`).join('')}</ul>`,
    ...sections.filter((s) => s.html).map(sectionHtml),
    '<h2>Results: mean ± sd over seeds</h2>',
    '<p class="note">Segmentation metrics are means over patients (HD95: median) of 3D metrics on each image\'s own grid; EGFR metrics use the patient probability (area-weighted mean of slice probabilities) at threshold 0.5. Single-task models miss the other task\'s metrics (—).</p>',
    ...tables,
    `<p class="note">Data: <a href="results.csv">results.csv</a> (tidy: one row per cell, test set and metric), <a href="summary.csv">summary.csv</a> (mean, sd, seeds).</p>`,
    ...sections.filter((s) => !s.html).map(sectionHtml),
    '</body></html>',
  ]
    .filter((s) => s !== '')
    .join('\n');
  if (comparison) await writeFileAtomic(join(out, 'comparison.json'), JSON.stringify(comparison, null, 1) + '\n');
  const htmlFile = join(out, 'index.html');
  await writeFileAtomic(htmlFile, html + '\n');
  return { html: htmlFile, figures: written, results, summary: summaryFile };
}
