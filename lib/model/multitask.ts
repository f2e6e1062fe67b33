/**
 * The model: a shared MSA encoder with a segmentation decoder, a classifier, or both (multi-task). Its configuration
 * is plain JSON (ModelConfig): `buildModel(model.config)` rebuilds the same architecture, and with the same seed the
 * same initial weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { Classifier, ClassifierConfig, classifierDefaults } from './classifier';
import { DecoderConfig, DecoderOutput, SegDecoder, decoderDefaults } from './decoder';
import { EncoderConfig, EncoderConfigInput, MsaEncoder, resolveEncoderConfig } from './encoder';
import { ApplyOptions, AttentionRecord, Module, SummaryRow, expectNHWC, expectPositiveInt } from './module';
import { formatSummary } from './summary';

/**
 * 'mtl': encoder + decoder + classifier (the paper's model). 'seg': encoder + decoder. 'cls': encoder + classifier.
 * 'unet': the plain U-Net baseline, a 'seg' model whose encoder defaults to no CSA and non-residual blocks.
 */
export type ModelKind = 'mtl' | 'seg' | 'cls' | 'unet';
export type TaskName = 'seg' | 'cls';

export interface InputConfig {
  /** Slice height and width: multiples of 2^stages (16 for the default 4 stages), default 128. */
  height: number;
  width: number;
  /** Channels (sequences and 2.5D neighbours), default 1. */
  channels: number;
}

export interface ModelConfig {
  kind: ModelKind;
  /** Seed of the weight initialisation and dropout masks. Default 0. */
  seed: number;
  input: InputConfig;
  /** `inChannels` always equals input.channels. */
  encoder: EncoderConfig;
  /** null for models without segmentation. */
  decoder: DecoderConfig | null;
  /** null for models without classification. */
  classifier: ClassifierConfig | null;
}

/** A partial ModelConfig: every field missing takes its default (decoder/classifier norm and activation default to the encoder's). */
export interface ModelConfigInput {
  kind?: ModelKind;
  seed?: number;
  input?: Partial<InputConfig>;
  encoder?: EncoderConfigInput;
  decoder?: Partial<DecoderConfig> | null;
  classifier?: Partial<ClassifierConfig> | null;
}

const kinds: ModelKind[] = ['mtl', 'seg', 'cls', 'unet'];

export function taskList(kind: ModelKind): TaskName[] {
  return kind === 'mtl' ? ['seg', 'cls'] : kind === 'cls' ? ['cls'] : ['seg'];
}

/** Fills in every default and checks the combination; the result is what a run folder stores. */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  const kind = input.kind ?? 'mtl';
  if (!kinds.includes(kind)) throw new ConfigError(`model: unknown kind '${kind}' (expected ${kinds.join(', ')})`);
  const size: InputConfig = { height: 128, width: 128, channels: 1, ...input.input };
  if (input.encoder?.inChannels !== undefined && input.encoder.inChannels !== size.channels) {
    throw new ConfigError(`model: encoder.inChannels ${input.encoder.inChannels} differs from input.channels ${size.channels}`);
  }
  const csaAsked = input.encoder?.csa;
  if (kind === 'unet' && Array.isArray(csaAsked) && csaAsked.some((on) => on)) throw new ConfigError(`model: the plain U-Net baseline has no CSA module`);
  // The plain U-Net is the kind without CSA and with the plain double convolution, whatever the defaults.
  const unet = kind === 'unet' ? { csa: false as const, residual: input.encoder?.residual ?? false } : {};
  const encoder: EncoderConfig = resolveEncoderConfig({ ...input.encoder, ...unet, inChannels: size.channels });
  const inherit = { norm: encoder.norm, activation: encoder.activation };
  const tasks = taskList(kind);
  return {
    kind,
    seed: input.seed ?? 0,
    input: size,
    encoder,
    decoder: tasks.includes('seg') ? { ...decoderDefaults, ...inherit, residual: encoder.residual, ...input.decoder } : null,
    classifier: tasks.includes('cls') ? { ...classifierDefaults, ...inherit, ...input.classifier } : null,
  };
}

export interface ModelOutput {
  /** GTV logits [N, H, W, 1], null without segmentation. */
  seg: tf.Tensor4D | null;
  /** Deep-supervision logits at 1/2, 1/4, ... (empty when off). */
  segAux: tf.Tensor4D[];
  /** EGFR logits [N, K], null without classification. */
  cls: tf.Tensor2D | null;
}

export function disposeOutput(out: ModelOutput): void {
  tf.dispose([...(out.seg ? [out.seg] : []), ...out.segAux, ...(out.cls ? [out.cls] : [])]);
}

export class MultiTaskModel extends Module {
  readonly config: ModelConfig;
  readonly tasks: TaskName[];
  readonly encoder: MsaEncoder;
  readonly decoder: SegDecoder | null;
  readonly classifier: Classifier | null;

  constructor(config: ModelConfig) {
    super('', config.seed);
    this.config = config;
    this.tasks = taskList(config.kind);
    const { height, width, channels } = config.input;
    expectPositiveInt('model', 'input.height', height);
    expectPositiveInt('model', 'input.width', width);
    expectPositiveInt('model', 'input.channels', channels);
    this.encoder = this.addChild(new MsaEncoder('encoder', config.seed, config.encoder));
    const shapes = this.encoder.outputShapes([1, height, width, channels]);
    const stageChannels = shapes.map((s) => s[3]);
    this.decoder = config.decoder ? this.addChild(new SegDecoder('decoder', config.seed, config.decoder, stageChannels)) : null;
    const last = shapes[shapes.length - 1];
    this.classifier = config.classifier
      ? this.addChild(new Classifier('classifier', config.seed, config.classifier, [last[1], last[2], last[3]], stageChannels.slice(0, -1)))
      : null;
  }

  /** The last layer shared by all tasks (the encoder's last layer), where GradNorm balances gradient norms. */
  lastSharedLayer(): tf.Variable[] {
    return this.encoder.lastLayer();
  }

  /** Per-block summary rows (name, output shape without the batch axis, trainable parameters). */
  summary(): SummaryRow[] {
    const { height, width, channels } = this.config.input;
    const input = [1, height, width, channels];
    const shapes = this.encoder.outputShapes(input);
    return [
      ...this.encoder.summary(input),
      ...(this.decoder ? this.decoder.summary(shapes) : []),
      ...(this.classifier ? this.classifier.summary() : []),
    ];
  }

  /** The summary as a fixed-width table (what a notebook or `console.log` shows). */
  summaryText(): string {
    return formatSummary(this.summary(), `${this.config.kind} model, input ${this.config.input.height}x${this.config.input.width}x${this.config.input.channels}`);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): ModelOutput {
    const { height, width, channels } = this.config.input;
    expectNHWC('model', x.shape, channels);
    if (x.shape[1] !== height || x.shape[2] !== width) {
      throw new ConfigError(`model: built for ${height}x${width} inputs, got [${x.shape}]`);
    }
    const { features } = this.encoder.apply(x, options);
    try {
      const seg: DecoderOutput | null = this.decoder ? this.decoder.apply(features, options) : null;
      const cls = this.classifier ? this.classifier.apply(features[features.length - 1], features.slice(0, -1), options) : null;
      return { seg: seg ? seg.logits : null, segAux: seg ? seg.aux : [], cls };
    } finally {
      tf.dispose(features);
    }
  }

  /** Inference-mode forward pass (moving statistics, no dropout). */
  predict(x: tf.Tensor4D): ModelOutput {
    return this.apply(x, { training: false });
  }

  /** Every attention map (CSA modules, then Transformer blocks) of an inference pass; the caller disposes them. */
  attentionMaps(x: tf.Tensor4D): AttentionRecord[] {
    const attention: AttentionRecord[] = [];
    disposeOutput(this.apply(x, { training: false, attention }));
    return attention;
  }
}

/** Builds a model from a (partial) plain-JSON config; `model.config` holds the resolved config. */
export function buildModel(config: ModelConfigInput = {}): MultiTaskModel {
  return new MultiTaskModel(resolveModelConfig(config));
}
