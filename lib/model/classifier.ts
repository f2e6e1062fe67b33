/**
 * EGFR classifiers on the encoder's bottleneck. 'hybrid' (default, the paper's): conv3x3 - norm - act with stride 2
 * for local features, flattened into tokens with a learnable class token and a learnable positional embedding, L
 * pre-norm Transformer blocks, then class token - LayerNorm - dropout - linear - K logits. Baselines from the same
 * parts: 'cnn' (the stride-2 conv, a second conv3x3 - norm - act, global average pooling, LayerNorm - dropout -
 * linear) and 'transformer' (a linear 2x2/stride-2 patch embedding instead of the conv, no norm or activation).
 * With `fuseScales`, each skip feature map is average-pooled globally and linearly projected to `dim`: one extra token
 * per scale for the Transformer kinds, concatenated to the pooled vector for 'cnn'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { ConvNormAct } from './blocks/conv-block';
import { TransformerBlock } from './blocks/transformer-block';
import { Conv2D, Dense, LayerNorm, NormKind } from './layers';
import { ApplyOptions, Module, SummaryRow, expectNHWC, expectPositiveInt } from './module';
import { Activation } from './ops';

export interface ClassifierConfig {
  kind: 'hybrid' | 'cnn' | 'transformer';
  /** K: 2 for mutant vs wild-type (default), 3 for 19Del / L858R / wild-type. Logits, softmax outside. */
  numClasses: number;
  /** Token (and conv) width D; 0 (default) means the bottleneck's channel count. */
  dim: number;
  /** Transformer blocks L. Default 1. */
  depth: number;
  heads: number;
  mlpRatio: number;
  /** Dropout before the linear head. Default 0.1. */
  dropout: number;
  /** Dropout inside the Transformer blocks. Default 0. */
  attentionDropout: number;
  /** Fuse globally pooled features of the other (skip) scales. Default false. */
  fuseScales: boolean;
  norm: NormKind;
  activation: Activation;
}

export const classifierDefaults: ClassifierConfig = {
  kind: 'hybrid',
  numClasses: 2,
  dim: 0,
  depth: 1,
  heads: 4,
  mlpRatio: 2,
  dropout: 0.1,
  attentionDropout: 0,
  fuseScales: false,
  norm: 'batch',
  activation: 'relu',
};

export class Classifier extends Module {
  readonly config: ClassifierConfig;
  readonly dim: number;
  private readonly local: ConvNormAct | Conv2D;
  private readonly extra: ConvNormAct | null = null;
  private readonly classToken: tf.Variable | null = null;
  private readonly position: tf.Variable | null = null;
  private readonly blocks: TransformerBlock[] = [];
  private readonly fusion: Dense[] = [];
  private readonly norm: LayerNorm;
  private readonly head: Dense;
  private readonly tokens: number;

  /**
   * @param bottleneck [H, W, C] of the bottleneck the classifier reads (fixed: the positional embedding has one entry
   * per token); @param skipChannels channels of the skip scales (used with fuseScales).
   */
  constructor(
    name: string,
    seed: number,
    config: ClassifierConfig,
    readonly bottleneck: [number, number, number],
    readonly skipChannels: number[],
  ) {
    super(name, seed);
    this.config = config;
    const [h, w, c] = bottleneck;
    const d = config.dim || c;
    this.dim = d;
    expectPositiveInt(name, 'numClasses', config.numClasses);
    if (config.numClasses < 2) throw new ConfigError(`${name}: numClasses must be at least 2, got ${config.numClasses}`);
    expectPositiveInt(name, 'dim', d);
    if (h % 2 !== 0 || w % 2 !== 0) {
      throw new ConfigError(`${name}: the bottleneck ${h}x${w} must have even size for the stride-2 downsampling`);
    }
    if (!(config.dropout >= 0 && config.dropout < 1)) throw new ConfigError(`${name}: dropout must be in [0, 1), got ${config.dropout}`);
    const { norm, activation } = config;
    this.local =
      config.kind === 'transformer'
        ? this.addChild(new Conv2D(this.path('patch_embed'), seed, { inChannels: c, outChannels: d, kernel: 2, stride: 2, padding: 'valid', bias: true, init: 'glorot' }))
        : this.addChild(new ConvNormAct(this.path('local'), seed, { inChannels: c, outChannels: d, stride: 2, norm, activation }));
    const fused = config.fuseScales ? skipChannels.length : 0;
    for (let i = 0; i < fused; i++) this.fusion.push(this.addChild(new Dense(this.path(`fuse${i}`), seed, skipChannels[i], d)));
    this.tokens = (h / 2) * (w / 2);
    if (config.kind === 'cnn') {
      this.extra = this.addChild(new ConvNormAct(this.path('conv2'), seed, { inChannels: d, outChannels: d, norm, activation }));
    } else {
      expectPositiveInt(name, 'depth', config.depth);
      this.classToken = this.addWeight('class_token', [1, 1, d], 'normal');
      this.position = this.addWeight('position', [1, 1 + fused + this.tokens, d], 'normal');
      for (let l = 0; l < config.depth; l++) {
        this.blocks.push(
          this.addChild(new TransformerBlock(this.path(`transformer${l}`), seed, { dim: d, heads: config.heads, mlpRatio: config.mlpRatio, dropout: config.attentionDropout })),
        );
      }
    }
    const features = config.kind === 'cnn' ? d * (1 + fused) : d;
    this.norm = this.addChild(new LayerNorm(this.path('head_norm'), seed, features));
    this.head = this.addChild(new Dense(this.path('head'), seed, features, config.numClasses));
  }

  summary(): SummaryRow[] {
    const [h, w] = this.bottleneck;
    const d = this.dim;
    const rows: SummaryRow[] = [{ name: this.local.name, output: [h / 2, w / 2, d], params: this.local.paramCount() }];
    if (this.extra) rows.push({ name: this.extra.name, output: [h / 2, w / 2, d], params: this.extra.paramCount() });
    for (const f of this.fusion) rows.push({ name: f.name, output: [d], params: f.paramCount() });
    const sequence = 1 + this.fusion.length + this.tokens;
    if (this.classToken && this.position) {
      rows.push({ name: this.path('tokens'), output: [sequence, d], params: this.classToken.size + this.position.size });
    }
    for (const b of this.blocks) rows.push({ name: b.name, output: [sequence, d], params: b.paramCount() });
    rows.push({ name: this.head.name, output: [this.config.numClasses], params: this.head.paramCount() + this.norm.paramCount() });
    return rows;
  }

  /** @param bottleneck [N, h, w, C]; @param skips the finer feature maps (only read with fuseScales). */
  apply(bottleneck: tf.Tensor4D, skips: tf.Tensor4D[], options: ApplyOptions): tf.Tensor2D {
    return tf.tidy(() => this.logitsFromLocal(this.localFeatures(bottleneck, options), skips, options));
  }

  /**
   * The first half of `apply`: the convolutional block's output [N, h/2, w/2, D] (the patch embedding's for
   * 'transformer'), the last spatial feature map before tokens or pooling, which Grad-CAM explains (lib/eval/saliency).
   */
  localFeatures(bottleneck: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    expectNHWC(this.name, bottleneck.shape, this.bottleneck[2]);
    if (bottleneck.shape[1] !== this.bottleneck[0] || bottleneck.shape[2] !== this.bottleneck[1]) {
      throw new ConfigError(`${this.name}: built for a ${this.bottleneck[0]}x${this.bottleneck[1]} bottleneck, got [${bottleneck.shape}]`);
    }
    return this.local instanceof ConvNormAct ? this.local.apply(bottleneck, options) : this.local.apply(bottleneck);
  }

  /** The second half of `apply`: the logits [N, K] from `localFeatures`' output (and the skips, with fuseScales). */
  logitsFromLocal(local: tf.Tensor4D, skips: tf.Tensor4D[], options: ApplyOptions): tf.Tensor2D {
    if (this.fusion.length > 0 && skips.length !== this.fusion.length) {
      throw new ConfigError(`${this.name}: fuseScales expects ${this.fusion.length} skip maps, got ${skips.length}`);
    }
    return tf.tidy(() => {
      const n = local.shape[0];
      const d = this.dim;
      const pooled = this.fusion.map((f, i) => f.apply(tf.mean(skips[i], [1, 2]) as tf.Tensor2D));
      let features: tf.Tensor2D;
      if (this.extra) {
        const gap = tf.mean(this.extra.apply(local, options), [1, 2]) as tf.Tensor2D;
        features = pooled.length > 0 ? (tf.concat([gap, ...pooled], 1) as tf.Tensor2D) : gap;
      } else {
        const tokens = tf.reshape(local, [n, this.tokens, d]) as tf.Tensor3D;
        const cls = tf.broadcastTo(this.classToken!, [n, 1, d]);
        const fusedTokens = pooled.map((p) => tf.reshape(p, [n, 1, d]));
        let x = tf.add(tf.concat([cls, ...fusedTokens, tokens], 1), this.position!) as tf.Tensor3D;
        for (const block of this.blocks) x = block.apply(x, options);
        features = tf.reshape(tf.slice(x, [0, 0, 0], [n, 1, d]), [n, d]) as tf.Tensor2D;
      }
      return this.head.apply(this.dropout(this.norm.apply(features), this.config.dropout, options, 'head') as tf.Tensor2D);
    });
  }

  /** Tokens before the patch tokens in the Transformer's sequence: the class token and one per fused scale. */
  get leadingTokens(): number {
    return 1 + this.fusion.length;
  }
}
