/**
 * Convolutional self-attention (CSA) module, in the spirit of CvT (Wu et al. 2021) and CMT (Guo et al. 2022):
 *   y = x + proj(MHSA(Q, K, V)),  Q = pw_q(dw_q(n1(x))),  K = pw_k(dw_kv,stride r(n1(x))),  V = pw_v(dw_kv,stride r(n1(x)))
 *   out = y + fc2(gelu(dw(fc1(n2(y)))))
 * Assumptions (the paper's abstract fixes none of them): K and V share one strided depthwise conv by default (the
 * spatial reduction of CMT and PVT; `kvDepthwise: 'separate'` gives each its own, as CvT); that conv is max(3, r)
 * wide, so a stride r > 3 skips no pixel (r x r patches, as PVT and CMT; tfjs's cpu and wasm backends also disagree
 * when the stride exceeds the kernel); no bias in the attention's depthwise convs, bias in the pointwise projections;
 * pre-norm is LayerNorm over channels per pixel by default (as in CvT); 'same' padding, so the keys form a
 * ceil(H/r) x ceil(W/r) grid; the feed-forward is 1x1 expand, depthwise 3x3 (with bias), GELU, 1x1, as the model
 * spec lists it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../errors';
import { Conv2D, DepthwiseConv2D, LayerNorm, Norm2D, NormKind } from '../layers';
import { ApplyOptions, Module, expectNHWC, expectPositiveInt } from '../module';
import { gelu } from '../ops';
import { multiHeadAttention } from './attention';

export interface CsaConfig {
  channels: number;
  /** Attention heads; channels must be a multiple. Default 1. */
  heads: number;
  /** Spatial reduction r of keys and values (depthwise conv stride). Default 1. */
  reduction: number;
  /**
   * Hidden channels of the feed-forward = expansion x channels. Default 2 (CvT and CMT use 4), which keeps the
   * multi-task training step cheaper on the CPU backends (the measurement: docs/model-spec.md, "Measurements behind
   * some defaults").
   */
  ffnExpansion: number;
  /** Pre-norm: 'layer' (LayerNorm over channels, default) or a Norm2D kind. */
  norm: 'layer' | NormKind;
  /** One strided depthwise conv shared by K and V ('shared', default) or one each ('separate'). */
  kvDepthwise: 'shared' | 'separate';
}

export const csaDefaults = { heads: 1, reduction: 1, ffnExpansion: 2, norm: 'layer', kvDepthwise: 'shared' } as const;

type PreNorm = LayerNorm | Norm2D;

export class CsaModule extends Module {
  readonly config: CsaConfig;
  private readonly norm1: PreNorm;
  private readonly qDw: DepthwiseConv2D;
  private readonly qPw: Conv2D;
  private readonly kDw: DepthwiseConv2D;
  private readonly kPw: Conv2D;
  private readonly vDw: DepthwiseConv2D | null;
  private readonly vPw: Conv2D;
  private readonly proj: Conv2D;
  private readonly norm2: PreNorm;
  private readonly fc1: Conv2D;
  private readonly ffnDw: DepthwiseConv2D;
  private readonly fc2: Conv2D;

  constructor(name: string, seed: number, config: Pick<CsaConfig, 'channels'> & Partial<CsaConfig>) {
    super(name, seed);
    this.config = { ...csaDefaults, ...config };
    const { channels: c, heads, reduction, ffnExpansion, norm } = this.config;
    expectPositiveInt(name, 'channels', c);
    expectPositiveInt(name, 'heads', heads);
    expectPositiveInt(name, 'reduction', reduction);
    expectPositiveInt(name, 'ffnExpansion', ffnExpansion);
    if (c % heads !== 0) throw new ConfigError(`${name}: ${c} channels cannot be split into ${heads} heads`);
    const makeNorm = (local: string): PreNorm =>
      norm === 'layer' ? new LayerNorm(this.path(local), seed, c) : new Norm2D(this.path(local), seed, norm, c);
    const pw = (local: string, cin: number, cout: number) =>
      this.addChild(new Conv2D(this.path(local), seed, { inChannels: cin, outChannels: cout, kernel: 1, bias: true, init: 'glorot' }));
    this.norm1 = this.addChild(makeNorm('norm1'));
    this.qDw = this.addChild(new DepthwiseConv2D(this.path('q_dw'), seed, c, 3));
    this.qPw = pw('q_pw', c, c);
    const shared = this.config.kvDepthwise === 'shared';
    const kvKernel = Math.max(3, reduction);
    this.kDw = this.addChild(new DepthwiseConv2D(this.path(shared ? 'kv_dw' : 'k_dw'), seed, c, kvKernel, reduction));
    this.kPw = pw('k_pw', c, c);
    this.vDw = shared ? null : this.addChild(new DepthwiseConv2D(this.path('v_dw'), seed, c, kvKernel, reduction));
    this.vPw = pw('v_pw', c, c);
    this.proj = pw('proj', c, c);
    this.norm2 = this.addChild(makeNorm('norm2'));
    this.fc1 = pw('ffn_fc1', c, c * ffnExpansion);
    this.ffnDw = this.addChild(new DepthwiseConv2D(this.path('ffn_dw'), seed, c * ffnExpansion, 3, 1, true));
    this.fc2 = pw('ffn_fc2', c * ffnExpansion, c);
  }

  /** The feed-forward's output projection kernel (the module's last layer). */
  lastLayer(): tf.Variable[] {
    return [this.fc2.kernel];
  }

  /** Number of keys each query attends to for an H x W input. */
  keyGrid(height: number, width: number): [number, number] {
    const r = this.config.reduction;
    return [Math.ceil(height / r), Math.ceil(width / r)];
  }

  outputShape(input: number[]): number[] {
    expectNHWC(this.name, input, this.config.channels);
    return input.slice();
  }

  private normalise(norm: PreNorm, x: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    return norm instanceof LayerNorm ? norm.apply(x) : norm.apply(x, options);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    this.outputShape(x.shape);
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const [kh, kw] = this.keyGrid(h, w);
      const xn = this.normalise(this.norm1, x, options);
      const q = tf.reshape(this.qPw.apply(this.qDw.apply(xn)), [b, h * w, c]) as tf.Tensor3D;
      const reducedK = this.kDw.apply(xn);
      const reducedV = this.vDw ? this.vDw.apply(xn) : reducedK;
      const k = tf.reshape(this.kPw.apply(reducedK), [b, kh * kw, c]) as tf.Tensor3D;
      const v = tf.reshape(this.vPw.apply(reducedV), [b, kh * kw, c]) as tf.Tensor3D;
      const record = options.attention
        ? { sink: options.attention, name: this.name, queryGrid: [h, w] as [number, number], keyGrid: [kh, kw] as [number, number] }
        : undefined;
      const attended = multiHeadAttention({ q, k, v, heads: this.config.heads }, record);
      const y = tf.add(x, this.proj.apply(tf.reshape(attended, [b, h, w, c]) as tf.Tensor4D)) as tf.Tensor4D;
      const hidden = gelu(this.ffnDw.apply(this.fc1.apply(this.normalise(this.norm2, y, options))));
      return tf.add(y, this.fc2.apply(hidden)) as tf.Tensor4D;
    });
  }
}
