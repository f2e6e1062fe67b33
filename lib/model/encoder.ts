/**
 * Multi-scale self-attention (MSA) encoder: a stem (conv3x3 - norm - act, C_in -> base) and S stages at full, 1/2,
 * 1/4, ... resolution with base x 2^s channels. Stage s: downsample (s > 0), ConvBlock, then a CSA module where
 * `csa[s]` is on. Returns the output of every stage: the first S-1 are the decoder's skips, the last is the bottleneck.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { ConvBlock, ConvNormAct } from './blocks/conv-block';
import { CsaModule } from './blocks/csa';
import { NormKind } from './layers';
import { ApplyOptions, Module, SummaryRow, expectNHWC, expectPositiveInt } from './module';
import { Activation } from './ops';

export interface EncoderConfig {
  /** Input channels (sequences, 2.5D neighbours). Default 1. */
  inChannels: number;
  /** Channels of the first stage; stage s has base x 2^s. Default 16. */
  baseChannels: number;
  /** Number of stages S (resolutions). Default 4; the input size must be a multiple of 2^(S-1). */
  stages: number;
  /** CSA module on or off per stage. Default: on the two coarsest stages. */
  csa: boolean[];
  /** Attention heads per stage (stage channels must be a multiple). Default [1, 1, 2, 4], then 4 per extra stage. */
  heads: number[];
  /**
   * Key/value spatial reduction r per stage. Default 2^(S-s) ([16, 8, 4, 2] for 4 stages), as PVT (Wang et al. 2021)
   * does: every stage attends over the same key grid, H / 2^S (8x8 at 128x128 input), so attention costs grow only
   * linearly with the number of queries. Inputs below 2^(S+1) leave a 1x1 key grid, where attention is constant.
   */
  reduction: number[];
  /** CSA feed-forward expansion. Default 2 (see CsaConfig). */
  ffnExpansion: number;
  /** CSA pre-norm. Default 'layer'. */
  csaNorm: 'layer' | NormKind;
  /** CSA key/value depthwise conv: shared (default) or separate. */
  kvDepthwise: 'shared' | 'separate';
  /** Downsampling between stages: 2x2 max pooling (default) or a stride-2 conv3x3 - norm - act. */
  downsample: 'maxpool' | 'conv';
  norm: NormKind;
  activation: Activation;
  /** Residual ConvBlocks. Default true (false: the plain U-Net double convolution). */
  residual: boolean;
}

/** The encoder's defaults that do not depend on the number of stages. */
export const encoderDefaults: Omit<EncoderConfig, 'csa' | 'heads' | 'reduction'> = {
  inChannels: 1,
  baseChannels: 16,
  stages: 4,
  ffnExpansion: 2,
  csaNorm: 'layer',
  kvDepthwise: 'shared',
  downsample: 'maxpool',
  norm: 'batch',
  activation: 'relu',
  residual: true,
};

/** An encoder config as written: any field may be missing, and `csa: false` switches CSA off on every stage. */
export type EncoderConfigInput = Partial<Omit<EncoderConfig, 'csa'>> & { csa?: boolean[] | false };

/**
 * Fills in the encoder's defaults; the per-stage ones follow the number of stages S: CSA on the two coarsest stages,
 * heads [1, 1, 2, 4] then 4, key/value reduction 2^(S-s) (docs/model-spec.md, "Encoder").
 */
export function resolveEncoderConfig(input: EncoderConfigInput = {}): EncoderConfig {
  const stages = input.stages ?? encoderDefaults.stages;
  const { csa, ...rest } = input;
  return {
    ...encoderDefaults,
    csa: csa === false ? Array.from({ length: stages }, () => false) : Array.from({ length: stages }, (_, s) => s >= stages - 2),
    heads: Array.from({ length: stages }, (_, s) => [1, 1, 2, 4][s] ?? 4),
    reduction: Array.from({ length: stages }, (_, s) => 2 ** (stages - s)),
    ...rest,
    ...(Array.isArray(csa) ? { csa } : {}),
    stages,
  };
}

export interface EncoderOutput {
  /** Stage outputs from full resolution to the bottleneck: skips = features.slice(0, -1). */
  features: tf.Tensor4D[];
}

interface Stage {
  down: ConvNormAct | null;
  block: ConvBlock;
  csa: CsaModule | null;
}

export class MsaEncoder extends Module {
  readonly config: EncoderConfig;
  private readonly stem: ConvNormAct;
  private readonly stageModules: Stage[] = [];

  constructor(name: string, seed: number, config: EncoderConfig) {
    super(name, seed);
    this.config = config;
    const { inChannels, baseChannels, stages, csa, heads, reduction, norm, activation, residual } = config;
    expectPositiveInt(name, 'inChannels', inChannels);
    expectPositiveInt(name, 'baseChannels', baseChannels);
    expectPositiveInt(name, 'stages', stages);
    for (const [field, list] of [['csa', csa], ['heads', heads], ['reduction', reduction]] as const) {
      if (list.length !== stages) throw new ConfigError(`${name}: ${field} has ${list.length} entries for ${stages} stages`);
    }
    this.stem = this.addChild(
      new ConvNormAct(this.path('stem'), seed, { inChannels, outChannels: baseChannels, norm, activation }),
    );
    for (let s = 0; s < stages; s++) {
      const cin = this.channels(Math.max(0, s - 1));
      const cout = this.channels(s);
      const prefix = this.path(`stage${s}`);
      const down =
        s > 0 && config.downsample === 'conv'
          ? this.addChild(new ConvNormAct(`${prefix}/down`, seed, { inChannels: cin, outChannels: cin, stride: 2, norm, activation }))
          : null;
      const block = this.addChild(new ConvBlock(`${prefix}/block`, seed, { inChannels: cin, outChannels: cout, norm, activation, residual }));
      const attention = csa[s]
        ? this.addChild(
            new CsaModule(`${prefix}/csa`, seed, {
              channels: cout,
              heads: heads[s],
              reduction: reduction[s],
              ffnExpansion: config.ffnExpansion,
              norm: config.csaNorm,
              kvDepthwise: config.kvDepthwise,
            }),
          )
        : null;
      this.stageModules.push({ down, block, csa: attention });
    }
  }

  /** Channels of stage s. */
  channels(s: number): number {
    return this.config.baseChannels * 2 ** s;
  }

  /** The factor by which the input size must be divisible. */
  get sizeMultiple(): number {
    return 2 ** (this.config.stages - 1);
  }

  /** The weights of the encoder's last layer: GradNorm measures task gradients there. */
  lastLayer(): tf.Variable[] {
    const last = this.stageModules[this.stageModules.length - 1];
    return last.csa ? last.csa.lastLayer() : last.block.lastLayer();
  }

  private checkInput(input: number[]): void {
    expectNHWC(this.name, input, this.config.inChannels);
    const m = this.sizeMultiple;
    if (input[1] % m !== 0 || input[2] % m !== 0) {
      throw new ConfigError(
        `${this.name}: input ${input[1]}x${input[2]} must be a multiple of ${m} for ${this.config.stages} stages`,
      );
    }
  }

  /** Output shape of every stage. */
  outputShapes(input: number[]): number[][] {
    this.checkInput(input);
    return this.stageModules.map((_, s) => [input[0], input[1] / 2 ** s, input[2] / 2 ** s, this.channels(s)]);
  }

  summary(input: number[]): SummaryRow[] {
    const shapes = this.outputShapes(input);
    const rows: SummaryRow[] = [{ name: this.stem.name, output: this.stem.outputShape(input).slice(1), params: this.stem.paramCount() }];
    this.stageModules.forEach((st, s) => {
      if (st.down) rows.push({ name: st.down.name, output: [...shapes[s].slice(1, 3), this.channels(s - 1)], params: st.down.paramCount() });
      rows.push({ name: st.block.name, output: shapes[s].slice(1), params: st.block.paramCount() });
      if (st.csa) rows.push({ name: st.csa.name, output: shapes[s].slice(1), params: st.csa.paramCount() });
    });
    return rows;
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): EncoderOutput {
    this.checkInput(x.shape);
    const features: tf.Tensor4D[] = [];
    tf.tidy(() => {
      let h = this.stem.apply(x, options);
      this.stageModules.forEach((st, s) => {
        if (s > 0) h = st.down ? st.down.apply(h, options) : tf.maxPool(h, 2, 2, 'valid');
        h = st.block.apply(h, options);
        if (st.csa) h = st.csa.apply(h, options);
        features.push(tf.keep(h));
      });
    });
    return { features };
  }
}

