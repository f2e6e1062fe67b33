/**
 * An experiment grid: models x task weightings x seeds, read from a JSON file. Every cell is one training run plus
 * its evaluation; the ablation runner (ablation.ts) executes the cells and results.ts tabulates them.
 *
 * File format (plain JSON):
 *   {
 *     "name": "quick",                         folder-safe name of the study
 *     "description": "...",                    optional, shown in the report
 *     "models": ["mtl", "seg-only", {"name": "mtl-cnn", "baseline": "mtl", "config": {"classifier": {"kind": "cnn"}}},
 *                {"name": "mtl", "weightings": ["uncertainty", "fixed"]}],
 *     "weightings": ["uncertainty", {"name": "fixed-cls2", "config": {"kind": "fixed", "weights": {"cls": 2}}}],
 *     "seeds": [1, 2, 3],
 *     "model": { "input": {"height": 64, "width": 64}, "encoder": {"baseChannels": 8} },   shared by every model
 *     "train": { "steps": 200, "batchSize": 8, ... },                                       shared training config
 *     "data": { "valFraction": 0.2, "splitSeed": 1, "preprocess": {"clip": [0.5, 99.5]} },
 *     "fast": { "seeds": [1], "train": {"steps": 4}, ... }   optional: merged over the grid in fast mode
 *   }
 * A model entry is a baseline name (lib/model/baselines.ts) or {name, baseline, config, weightings}: the baseline's
 * config with `config` merged over it section by section; `weightings`, when given, replaces the grid's list for this
 * model (so a study can compare a model's weightings without training every other model with each of them). A weighting entry is a strategy kind or {name, config}.
 * A single-task model has one loss, so there is nothing to weight: it gets one cell per seed, with weighting 'none'
 * (fixed weight 1), however many weightings the grid lists. This keeps the grid a plain product for the multi-task
 * models without training identical single-task runs several times.
 */
import { promises as fs } from 'node:fs';
import { ConfigError } from '../errors';
import type { PreprocessConfig } from '../preprocess/config';
import { baselineConfig, baselineNames, type BaselineName } from '../model/baselines';
import { resolveModelConfig, taskList, type ModelConfig, type ModelConfigInput } from '../model/multitask';
import type { TrainConfigInput } from '../train/config';
import { weightingKinds, type WeightingConfig } from '../weighting/create';
import { isFastMode } from '../util/mode';
import { splitDefaults } from '../data/splits';

export interface GridModel {
  name: string;
  baseline: BaselineName;
  /** Merged over the baseline section by section, after the grid's shared `model` overrides. */
  config?: ModelConfigInput;
  /** This model's weightings instead of the grid's. */
  weightings?: GridWeighting[];
}

export interface GridWeighting {
  name: string;
  config: WeightingConfig;
}

export interface GridData {
  /**
   * Share of the development cohort's patients held out for validation during training. Test sets are separate
   * cohorts (see cohorts.ts), never carved out of the development cohort.
   */
  valFraction: number;
  /** Seed of the training/validation split: the same for every cell, so all models see the same patients. */
  splitSeed: number;
  /** Preprocessing; its `size` always follows the model input (height = width). */
  preprocess: Partial<Omit<PreprocessConfig, 'size'>>;
}

export interface Grid {
  name: string;
  description: string;
  models: GridModel[];
  weightings: GridWeighting[];
  seeds: number[];
  model: ModelConfigInput;
  train: TrainConfigInput;
  data: GridData;
}

/** A model entry as written in a grid file: the baseline defaults to the name, weightings may be kinds. */
export type GridModelInput = Omit<GridModel, 'baseline' | 'weightings'> & { baseline?: BaselineName; weightings?: Array<string | GridWeighting> };

/** The grid as written in its file: shorthand entries allowed, optional fields optional. */
export interface GridInput {
  name: string;
  description?: string;
  models: Array<string | GridModelInput>;
  weightings?: Array<string | GridWeighting>;
  seeds: number[];
  model?: ModelConfigInput;
  train?: TrainConfigInput;
  data?: Partial<GridData>;
  fast?: Partial<Omit<GridInput, 'fast' | 'name'>>;
}

/** The weighting a single-task cell records: there is one loss, so its weight is fixed at 1. */
export const NO_WEIGHTING = 'none';

export const gridDataDefaults: GridData = { valFraction: splitDefaults.valFraction, splitSeed: 1, preprocess: {} };

/** One run of the grid. */
export interface GridCell {
  /** `<model>__<weighting>__s<seed>`, folder-safe and unique in the grid. */
  id: string;
  model: string;
  weighting: string;
  seed: number;
  /** The resolved model config of this cell (its `seed` is the cell's seed). */
  modelConfig: ModelConfigInput;
  /** The training config of this cell (its `seed` and `weighting` are the cell's). */
  train: TrainConfigInput;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function fail(message: string, file?: string): never {
  throw new ConfigError(`grid: ${message}`, file);
}

function checkName(what: string, name: unknown, file?: string): string {
  if (typeof name !== 'string' || !SAFE_NAME.test(name) || name.includes('__')) {
    fail(`${what} '${String(name)}' must be letters, digits, '.', '_' or '-' (no '__'), starting with a letter or digit`, file);
  }
  return name;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges two partial model configs section by section (b wins). */
export function mergeModelConfig(a: ModelConfigInput, b: ModelConfigInput): ModelConfigInput {
  const out: ModelConfigInput = { ...a, ...b };
  for (const section of ['input', 'encoder', 'decoder', 'classifier'] as const) {
    const sa = a[section];
    const sb = b[section];
    // null switches a head off; it is not a section to merge into.
    if (sb === null || (sa === null && sb === undefined)) continue;
    if (sa !== undefined || sb !== undefined) Object.assign(out, { [section]: { ...(sa ?? {}), ...(sb ?? {}) } });
  }
  return out;
}

function mergeGridInput(base: GridInput, fast: NonNullable<GridInput['fast']>): GridInput {
  return {
    ...base,
    ...fast,
    model: mergeModelConfig(base.model ?? {}, fast.model ?? {}),
    train: { ...base.train, ...fast.train },
    data: { ...base.data, ...fast.data, preprocess: { ...base.data?.preprocess, ...fast.data?.preprocess } },
  };
}

function parseModel(entry: unknown, file?: string): GridModel {
  if (typeof entry === 'string') {
    if (!(baselineNames() as string[]).includes(entry)) fail(`unknown model '${entry}' (baselines: ${baselineNames().join(', ')})`, file);
    return { name: entry, baseline: entry as BaselineName };
  }
  if (!isObject(entry)) fail(`a model entry must be a baseline name or {name, baseline, config}, got ${JSON.stringify(entry)}`, file);
  const name = checkName('model name', entry.name, file);
  const baseline = entry.baseline ?? name;
  if (typeof baseline !== 'string' || !(baselineNames() as string[]).includes(baseline)) {
    fail(`model '${name}': unknown baseline '${String(baseline)}' (expected ${baselineNames().join(', ')})`, file);
  }
  if (entry.config !== undefined && !isObject(entry.config)) fail(`model '${name}': config must be an object`, file);
  let weightings: GridWeighting[] | undefined;
  if (entry.weightings !== undefined) {
    if (!Array.isArray(entry.weightings) || entry.weightings.length === 0) fail(`model '${name}': weightings must be a non-empty list`, file);
    weightings = entry.weightings.map((w) => parseWeighting(w, file));
    unique(`model '${name}': weighting`, weightings.map((w) => w.name), file);
  }
  return {
    name,
    baseline: baseline as BaselineName,
    ...(entry.config ? { config: entry.config as ModelConfigInput } : {}),
    ...(weightings ? { weightings } : {}),
  };
}

function parseWeighting(entry: unknown, file?: string): GridWeighting {
  if (typeof entry === 'string') {
    if (!(weightingKinds as readonly string[]).includes(entry)) fail(`unknown weighting '${entry}' (expected ${weightingKinds.join(', ')})`, file);
    return { name: entry, config: { kind: entry } as WeightingConfig };
  }
  if (!isObject(entry) || !isObject(entry.config)) fail(`a weighting entry must be a kind or {name, config}, got ${JSON.stringify(entry)}`, file);
  const name = checkName('weighting name', entry.name, file);
  const kind = entry.config.kind;
  if (typeof kind !== 'string' || !(weightingKinds as readonly string[]).includes(kind)) {
    fail(`weighting '${name}': unknown kind '${String(kind)}' (expected ${weightingKinds.join(', ')})`, file);
  }
  return { name, config: entry.config as unknown as WeightingConfig };
}

function unique(what: string, names: string[], file?: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail(`${what} '${n}' is listed twice`, file);
    seen.add(n);
  }
}

/**
 * Checks a grid and fills in its defaults. In fast mode (EGFR_GTV_FAST=1, or `fast: true`) the grid's `fast` section
 * is merged over it first. Every model config is resolved once here, so a bad combination fails before any training.
 */
export function resolveGrid(input: GridInput, options: { fast?: boolean; file?: string } = {}): Grid {
  const file = options.file;
  if (!isObject(input)) fail('the grid must be a JSON object', file);
  const fast = options.fast ?? isFastMode();
  const g = fast && input.fast ? mergeGridInput(input, input.fast) : input;
  const name = checkName('name', g.name, file);
  if (!Array.isArray(g.models) || g.models.length === 0) fail('models must be a non-empty list', file);
  const models = g.models.map((m) => parseModel(m, file));
  if (g.weightings !== undefined && !Array.isArray(g.weightings)) fail('weightings must be a list', file);
  for (const section of ['model', 'train', 'data', 'fast'] as const) {
    if (input[section] !== undefined && !isObject(input[section])) fail(`${section} must be an object`, file);
    if (g[section as Exclude<typeof section, 'fast'>] !== undefined && section !== 'fast' && !isObject(g[section])) fail(`${section} must be an object`, file);
  }
  if (g.description !== undefined && typeof g.description !== 'string') fail('description must be text', file);
  const weightings = (g.weightings ?? ['uncertainty']).map((w) => parseWeighting(w, file));
  if (weightings.length === 0) fail('weightings must not be empty', file);
  if ([...weightings, ...models.flatMap((m) => m.weightings ?? [])].some((w) => w.name === NO_WEIGHTING)) {
    fail(`'${NO_WEIGHTING}' is reserved for single-task models`, file);
  }
  unique('model', models.map((m) => m.name), file);
  unique('weighting', weightings.map((w) => w.name), file);
  if (!Array.isArray(g.seeds) || g.seeds.length === 0) fail('seeds must be a non-empty list', file);
  for (const s of g.seeds) if (!Number.isInteger(s) || s < 0) fail(`seed ${String(s)} is not a non-negative integer`, file);
  unique('seed', g.seeds.map(String), file);
  const data: GridData = { ...gridDataDefaults, ...g.data, preprocess: { ...g.data?.preprocess } };
  if (!(data.valFraction >= 0 && data.valFraction < 1)) fail(`data: valFraction must be in [0, 1), got ${data.valFraction}`, file);
  if (!Number.isInteger(data.splitSeed) || data.splitSeed < 0) fail(`data: splitSeed must be a non-negative integer, got ${data.splitSeed}`, file);
  if ('size' in data.preprocess) fail('data.preprocess.size follows the model input; set model.input.height and width instead', file);
  const grid: Grid = {
    name,
    description: g.description ?? '',
    models,
    weightings,
    seeds: [...g.seeds],
    model: g.model ?? {},
    train: g.train ?? {},
    data,
  };
  for (const cell of gridCells(grid)) {
    let resolved: ModelConfig;
    try {
      resolved = resolveModelConfig(cell.modelConfig);
    } catch (err) {
      if (err instanceof ConfigError) fail(`model '${cell.model}': ${err.message}`, file);
      throw err;
    }
    if (resolved.input.height !== resolved.input.width) fail(`model '${cell.model}': input must be square (slices are size x size)`, file);
  }
  return grid;
}

/** Reads and resolves a grid file; a missing file or bad JSON is a ConfigError naming it. */
export async function readGrid(path: string, options: { fast?: boolean } = {}): Promise<Grid> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read grid: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`grid is not valid JSON: ${(err as Error).message}`, path);
  }
  return resolveGrid(parsed as GridInput, { ...options, file: path });
}

/** Whether a baseline trains more than one task (only then does a weighting strategy matter). */
export function isMultiTask(model: GridModel): boolean {
  const kind = baselineConfig(model.baseline, model.config ?? {}).kind ?? 'mtl';
  return taskList(kind).length > 1;
}

/**
 * The cells of a grid in run order: seed, then model, then weighting. Seed first, so that a study stopped part-way
 * holds every variant at its first seeds: a complete comparison with fewer seeds, rather than some variants only.
 */
export function gridCells(grid: Grid): GridCell[] {
  const cells: GridCell[] = [];
  for (const seed of grid.seeds) {
    for (const m of grid.models) {
      const multi = isMultiTask(m);
      const weightings: GridWeighting[] = multi ? (m.weightings ?? grid.weightings) : [{ name: NO_WEIGHTING, config: { kind: 'fixed' } }];
      for (const w of weightings) {
        const modelConfig = { ...baselineConfig(m.baseline, mergeModelConfig(grid.model, m.config ?? {})), seed };
        cells.push({
          id: `${m.name}__${w.name}__s${seed}`,
          model: m.name,
          weighting: w.name,
          seed,
          modelConfig,
          train: { ...grid.train, seed, weighting: w.config },
        });
      }
    }
  }
  return cells;
}
