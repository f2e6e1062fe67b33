import { ConfigError } from '../errors';

/** Learning-rate schedule: linear warm-up from `warmupStartFactor * peak` to `peak`, then cosine decay to `floor`. */
export interface ScheduleConfig {
  /** Peak learning rate, reached at the end of warm-up. */
  peak: number;
  /** Total optimiser steps of the run. */
  totalSteps: number;
  /** Warm-up steps (0 for none). */
  warmupSteps: number;
  /** Fraction of the peak where warm-up starts. Default 0.01. */
  warmupStartFactor?: number;
  /** Learning rate at the last step. Default 0.01 * peak. */
  floor?: number;
}

/**
 * The learning rate for a 0-based step. During warm-up (step < warmupSteps) it rises linearly; afterwards it follows
 * floor + (peak - floor) * (1 + cos(pi * t)) / 2 with t = (step - warmup) / (totalSteps - warmup), clamped to [0, 1],
 * so steps past the end stay at the floor instead of rising again.
 */
export function learningRateAt(cfg: ScheduleConfig, step: number): number {
  validateSchedule(cfg);
  const floor = cfg.floor ?? 0.01 * cfg.peak;
  const start = (cfg.warmupStartFactor ?? 0.01) * cfg.peak;
  if (step < cfg.warmupSteps) return start + ((cfg.peak - start) * step) / cfg.warmupSteps;
  const decaySteps = Math.max(1, cfg.totalSteps - cfg.warmupSteps);
  const t = Math.min(1, Math.max(0, (step - cfg.warmupSteps) / decaySteps));
  return floor + ((cfg.peak - floor) * (1 + Math.cos(Math.PI * t))) / 2;
}

function validateSchedule(cfg: ScheduleConfig): void {
  if (!(cfg.peak > 0)) throw new ConfigError(`learning rate must be > 0, got ${cfg.peak}`);
  if (!Number.isInteger(cfg.totalSteps) || cfg.totalSteps < 1) {
    throw new ConfigError(`total steps must be a positive integer, got ${cfg.totalSteps}`);
  }
  if (!Number.isInteger(cfg.warmupSteps) || cfg.warmupSteps < 0 || cfg.warmupSteps > cfg.totalSteps) {
    throw new ConfigError(`warm-up steps must be an integer in [0, ${cfg.totalSteps}], got ${cfg.warmupSteps}`);
  }
  if (cfg.floor !== undefined && !(cfg.floor >= 0 && cfg.floor <= cfg.peak)) {
    throw new ConfigError(`learning-rate floor must be in [0, peak], got ${cfg.floor}`);
  }
}
