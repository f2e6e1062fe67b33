/**
 * U-Net style segmentation decoder over the encoder's stage outputs. Per scale s = S-2 .. 0: 2x upsampling of the
 * coarser map to the channels of stage s, concatenation with skip s, ConvBlock (2 C_s -> C_s). A 1x1 head gives one
 * GTV logit per pixel. Deep supervision adds 1x1 heads on the decoder outputs of the next coarser scales.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { ConvBlock } from './blocks/conv-block';
import { Conv2D, NormKind, UpConv2x2 } from './layers';
import { ApplyOptions, Module, SummaryRow } from './module';
import { Activation } from './ops';

export interface DecoderConfig {
  /**
   * 'transpose' (default): 2x2/stride-2 transposed conv; 'bilinear': bilinear resize (half-pixel centres) then a 3x3
   * conv with bias and no norm, linear like the transposed conv it replaces.
   */
  upsample: 'transpose' | 'bilinear';
  /**
   * Number of extra logit heads at coarser scales (1/2, 1/4, ...), 0 (default) to S-2. Their losses use the mask
   * max-pooled to that scale (a pixel is tumour if any pixel under it is), see lib/losses.
   */
  deepSupervision: number;
  norm: NormKind;
  activation: Activation;
  residual: boolean;
}

export const decoderDefaults: DecoderConfig = {
  upsample: 'transpose',
  deepSupervision: 0,
  norm: 'batch',
  activation: 'relu',
  residual: true,
};

export interface DecoderOutput {
  /** GTV logits [N, H, W, 1] at input resolution. */
  logits: tf.Tensor4D;
  /** Deep-supervision logits, from 1/2 resolution downwards (empty without deep supervision). */
  aux: tf.Tensor4D[];
}

interface Level {
  up: UpConv2x2 | Conv2D;
  block: ConvBlock;
}

export class SegDecoder extends Module {
  readonly config: DecoderConfig;
  private readonly levels: Level[] = [];
  private readonly head: Conv2D;
  private readonly auxHeads: Conv2D[] = [];

  /** @param channels the channel count of every encoder stage, finest first. */
  constructor(
    name: string,
    seed: number,
    config: DecoderConfig,
    readonly channels: number[],
  ) {
    super(name, seed);
    this.config = config;
    const stages = channels.length;
    if (stages < 2) throw new ConfigError(`${name}: needs at least 2 encoder stages, got ${stages}`);
    const ds = config.deepSupervision;
    if (!Number.isInteger(ds) || ds < 0 || ds > stages - 2) {
      throw new ConfigError(`${name}: deepSupervision must be an integer in [0, ${stages - 2}], got ${ds}`);
    }
    // levels[s] produces the decoder output at scale s (0 = full resolution).
    for (let s = 0; s < stages - 1; s++) {
      const prefix = this.path(`level${s}`);
      const cin = channels[s + 1];
      const cout = channels[s];
      const up =
        config.upsample === 'transpose'
          ? new UpConv2x2(`${prefix}/up`, seed, cin, cout)
          : new Conv2D(`${prefix}/up`, seed, { inChannels: cin, outChannels: cout, kernel: 3, bias: true });
      this.levels.push({
        up: this.addChild(up),
        block: this.addChild(
          new ConvBlock(`${prefix}/block`, seed, {
            inChannels: 2 * cout,
            outChannels: cout,
            norm: config.norm,
            activation: config.activation,
            residual: config.residual,
          }),
        ),
      });
    }
    this.head = this.addChild(new Conv2D(this.path('head'), seed, { inChannels: channels[0], outChannels: 1, kernel: 1, bias: true, init: 'glorot' }));
    for (let s = 1; s <= ds; s++) {
      this.auxHeads.push(
        this.addChild(new Conv2D(this.path(`aux${s}`), seed, { inChannels: channels[s], outChannels: 1, kernel: 1, bias: true, init: 'glorot' })),
      );
    }
  }

  summary(featureShapes: number[][]): SummaryRow[] {
    const rows: SummaryRow[] = [];
    for (let s = this.levels.length - 1; s >= 0; s--) {
      const out = featureShapes[s].slice(1);
      rows.push({ name: this.levels[s].up.name, output: out, params: this.levels[s].up.paramCount() });
      rows.push({ name: this.levels[s].block.name, output: out, params: this.levels[s].block.paramCount() });
    }
    this.auxHeads.forEach((h, i) => rows.push({ name: h.name, output: [...featureShapes[i + 1].slice(1, 3), 1], params: h.paramCount() }));
    rows.push({ name: this.head.name, output: [...featureShapes[0].slice(1, 3), 1], params: this.head.paramCount() });
    return rows;
  }

  private upsample(level: Level, x: tf.Tensor4D): tf.Tensor4D {
    if (level.up instanceof UpConv2x2) return level.up.apply(x);
    const [, h, w] = x.shape;
    return level.up.apply(tf.image.resizeBilinear(x, [2 * h, 2 * w], false, true));
  }

  apply(features: tf.Tensor4D[], options: ApplyOptions): DecoderOutput {
    if (features.length !== this.channels.length) {
      throw new ConfigError(`${this.name}: expects ${this.channels.length} feature maps, got ${features.length}`);
    }
    features.forEach((f, s) => {
      if (f.shape[3] !== this.channels[s]) throw new ConfigError(`${this.name}: feature ${s} has shape [${f.shape}], expected ${this.channels[s]} channels`);
    });
    const aux: tf.Tensor4D[] = [];
    const logits = tf.tidy(() => {
      let x = features[features.length - 1];
      for (let s = this.levels.length - 1; s >= 0; s--) {
        const up = this.upsample(this.levels[s], x);
        x = this.levels[s].block.apply(tf.concat([up, features[s]], 3), options);
        if (s >= 1 && s <= this.auxHeads.length) aux.unshift(tf.keep(this.auxHeads[s - 1].apply(x)));
      }
      return this.head.apply(x);
    });
    return { logits, aux };
  }
}
