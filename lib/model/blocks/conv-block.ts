/** ConvBlock (conv3x3 - norm - activation, twice, with a residual) and its single-layer unit ConvNormAct. */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, Norm2D, NormKind } from '../layers';
import { ApplyOptions, Module, expectNHWC, expectPositiveInt } from '../module';
import { Activation, activate } from '../ops';

export interface ConvNormActConfig {
  inChannels: number;
  outChannels: number;
  /** Kernel size, default 3. */
  kernel?: number;
  /** Stride, default 1 (2 for the classifier's downsampling conv). */
  stride?: number;
  norm?: NormKind;
  activation?: Activation;
}

/** conv (no bias) - norm - activation. */
export class ConvNormAct extends Module {
  private readonly conv: Conv2D;
  private readonly norm: Norm2D;
  private readonly activation: Activation;

  constructor(name: string, seed: number, config: ConvNormActConfig) {
    super(name, seed);
    const norm = config.norm ?? 'batch';
    this.conv = this.addChild(
      new Conv2D(this.path('conv'), seed, {
        inChannels: config.inChannels,
        outChannels: config.outChannels,
        kernel: config.kernel ?? 3,
        stride: config.stride ?? 1,
        bias: norm === 'none',
      }),
    );
    this.norm = this.addChild(new Norm2D(this.path('norm'), seed, norm, config.outChannels));
    this.activation = config.activation ?? 'relu';
  }

  /** The convolution's kernel (GradNorm's "last shared layer" when this unit ends the encoder). */
  get kernel(): tf.Variable {
    return this.conv.kernel;
  }

  outputShape(input: number[]): number[] {
    return this.conv.outputShape(input);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    return tf.tidy(() => activate(this.norm.apply(this.conv.apply(x), options), this.activation));
  }
}

export interface ConvBlockConfig {
  inChannels: number;
  outChannels: number;
  /** Default 'batch'. */
  norm: NormKind;
  /** Default 'relu'. */
  activation: Activation;
  /**
   * Residual connection (default true): identity when the channel count stays, a 1x1 projection (no bias) when it
   * changes. The block is then act(norm(conv(act(norm(conv(x))))) + shortcut(x)), the ResNet basic block; without it
   * the classic U-Net double convolution act(norm(conv(act(norm(conv(x)))))).
   */
  residual: boolean;
}

export const convBlockDefaults = { norm: 'batch', activation: 'relu', residual: true } as const;

export class ConvBlock extends Module {
  readonly config: ConvBlockConfig;
  private readonly first: ConvNormAct;
  private readonly secondConv: Conv2D;
  private readonly secondNorm: Norm2D;
  private readonly shortcut: Conv2D | null;

  constructor(
    name: string,
    seed: number,
    config: Pick<ConvBlockConfig, 'inChannels' | 'outChannels'> & Partial<ConvBlockConfig>,
  ) {
    super(name, seed);
    this.config = { ...convBlockDefaults, ...config };
    const { inChannels, outChannels, norm, activation, residual } = this.config;
    expectPositiveInt(name, 'inChannels', inChannels);
    expectPositiveInt(name, 'outChannels', outChannels);
    this.first = this.addChild(new ConvNormAct(this.path('conv1'), seed, { inChannels, outChannels, norm, activation }));
    this.secondConv = this.addChild(
      new Conv2D(this.path('conv2/conv'), seed, { inChannels: outChannels, outChannels, kernel: 3, bias: norm === 'none' }),
    );
    this.secondNorm = this.addChild(new Norm2D(this.path('conv2/norm'), seed, norm, outChannels));
    this.shortcut =
      residual && inChannels !== outChannels
        ? this.addChild(new Conv2D(this.path('shortcut'), seed, { inChannels, outChannels, kernel: 1 }))
        : null;
  }

  /** The last convolution's kernel. */
  lastLayer(): tf.Variable[] {
    return [this.secondConv.kernel];
  }

  outputShape(input: number[]): number[] {
    expectNHWC(this.name, input, this.config.inChannels);
    return [input[0], input[1], input[2], this.config.outChannels];
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    this.outputShape(x.shape);
    return tf.tidy(() => {
      const y = this.secondNorm.apply(this.secondConv.apply(this.first.apply(x, options)), options);
      if (!this.config.residual) return activate(y, this.config.activation);
      const skip = this.shortcut ? this.shortcut.apply(x) : x;
      return activate(tf.add(y, skip), this.config.activation);
    });
  }
}
