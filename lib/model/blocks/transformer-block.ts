/**
 * Pre-norm Transformer encoder block on tokens [B, T, D] (ViT): x + MHSA(LN(x)), then + MLP(LN(.)) with a GELU MLP of
 * hidden size mlpRatio x D. Dropout (default 0) on the attention weights and after each residual branch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../errors';
import { Dense, LayerNorm } from '../layers';
import { ApplyOptions, Module, expectPositiveInt } from '../module';
import { gelu } from '../ops';
import { multiHeadAttention } from './attention';

export interface TransformerBlockConfig {
  dim: number;
  /** Default 4. */
  heads: number;
  /** Default 2. */
  mlpRatio: number;
  /** Dropout on the attention weights and the residual branches, default 0. */
  dropout: number;
}

export const transformerBlockDefaults = { heads: 4, mlpRatio: 2, dropout: 0 } as const;

export class TransformerBlock extends Module {
  readonly config: TransformerBlockConfig;
  private readonly norm1: LayerNorm;
  private readonly qkv: Dense;
  private readonly proj: Dense;
  private readonly norm2: LayerNorm;
  private readonly fc1: Dense;
  private readonly fc2: Dense;

  constructor(name: string, seed: number, config: Pick<TransformerBlockConfig, 'dim'> & Partial<TransformerBlockConfig>) {
    super(name, seed);
    this.config = { ...transformerBlockDefaults, ...config };
    const { dim, heads, mlpRatio, dropout } = this.config;
    expectPositiveInt(name, 'dim', dim);
    expectPositiveInt(name, 'heads', heads);
    expectPositiveInt(name, 'mlpRatio', mlpRatio);
    if (dim % heads !== 0) throw new ConfigError(`${name}: dim ${dim} cannot be split into ${heads} heads`);
    if (!(dropout >= 0 && dropout < 1)) throw new ConfigError(`${name}: dropout must be in [0, 1), got ${dropout}`);
    this.norm1 = this.addChild(new LayerNorm(this.path('norm1'), seed, dim));
    this.qkv = this.addChild(new Dense(this.path('qkv'), seed, dim, 3 * dim));
    this.proj = this.addChild(new Dense(this.path('proj'), seed, dim, dim));
    this.norm2 = this.addChild(new LayerNorm(this.path('norm2'), seed, dim));
    this.fc1 = this.addChild(new Dense(this.path('mlp_fc1'), seed, dim, dim * mlpRatio));
    this.fc2 = this.addChild(new Dense(this.path('mlp_fc2'), seed, dim * mlpRatio, dim));
  }

  outputShape(input: number[]): number[] {
    if (input.length !== 3 || input[2] !== this.config.dim) {
      throw new ConfigError(`${this.name}: expects tokens [B, T, ${this.config.dim}], got [${input}]`);
    }
    return input.slice();
  }

  apply(x: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D {
    this.outputShape(x.shape);
    return tf.tidy(() => {
      const { dim, heads, dropout } = this.config;
      const [q, k, v] = tf.split(this.qkv.apply(this.norm1.apply(x)), [dim, dim, dim], 2) as tf.Tensor3D[];
      const record = options.attention ? { sink: options.attention, name: this.name, queryGrid: null, keyGrid: null } : undefined;
      const attended = multiHeadAttention({ q, k, v, heads }, record, (wts) => this.dropout(wts, dropout, options, 'attention') as tf.Tensor3D);
      const y = tf.add(x, this.dropout(this.proj.apply(attended), dropout, options, 'proj')) as tf.Tensor3D;
      const hidden = gelu(this.fc1.apply(this.norm2.apply(y)));
      return tf.add(y, this.dropout(this.fc2.apply(hidden), dropout, options, 'mlp')) as tf.Tensor3D;
    });
  }
}
