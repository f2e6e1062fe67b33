import { promises as fs } from 'node:fs';
import { ConfigError, UsageError } from '../../errors';
import { combinableKinds, combineGradients } from '../../weighting/combine';
import { strategyEntry } from '../../weighting/registry';
import { choiceOption, flagOptions, integerOption, nameValueOption, parseCommandArgs, requireOption } from '../args';
import type { Command } from '../command';

function methodLines(): string {
  const width = Math.max(...combinableKinds.map((k) => k.length));
  return combinableKinds
    .map((k) => {
      const e = strategyEntry(k)!;
      const notes = [e.stateful ? 'stateful across steps: shows its first step' : '', e.random ? 'random: --seed' : ''].filter(Boolean);
      return `  ${k.padEnd(width)}  ${e.summary}${notes.length ? ` [${notes.join('; ')}]` : ''}`;
    })
    .join('\n');
}

const usage = `usage: egfr-gtv mtl combine --method M --grads FILE.json [--set key=value ...] [--seed S] [--json]

Combines per-task gradients the way a multi-task weighting method does, on the CPU, with the method's default
hyper-parameters (change them with --set, e.g. --set c=0.25 for cagrad, --set normalisation=l2 for mgda).
FILE.json: {"grads": [[...task 1...], [...task 2...], ...]}: two or more tasks, lists of equal length; optionally
"losses": [L_1, L_2, ...] (positive; 1 each by default), which MGDA's loss normalisations, GLS and FAMO use.
Prints {"method": M, "direction": [...], "weights": [...] | null}: the update direction as the method's paper defines
it, and the weights w with direction = sum_t w_t g_t where the method is such a combination (null otherwise).
Deterministic methods give the same answer every time; the random ones draw from --seed (default 0). Methods with
state across steps show their first step. Loss methods give the gradient of their total.

methods:
${methodLines()}`;

/** A --set value: a number, true/false, or the string. */
function parseValue(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

async function readGrads(file: string): Promise<{ grads: number[][]; losses?: number[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the gradients: ${(err as Error).message}`, file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not JSON: ${(err as Error).message}`, file);
  }
  const obj = parsed as { grads?: unknown; losses?: unknown };
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.grads)) throw new ConfigError(`expected {"grads": [[...], [...], ...]}`, file);
  obj.grads.forEach((g, t) => {
    if (!Array.isArray(g)) throw new ConfigError(`grads[${t}] is not a list of numbers`, file);
    g.forEach((v, i) => {
      if (typeof v !== 'number') throw new ConfigError(`grads[${t}][${i}] is not a number (${JSON.stringify(v)})`, file);
    });
  });
  if (obj.losses !== undefined && (!Array.isArray(obj.losses) || !obj.losses.every((v) => typeof v === 'number'))) {
    throw new ConfigError('losses must be a list of numbers', file);
  }
  return { grads: obj.grads as number[][], ...(obj.losses ? { losses: obj.losses as number[] } : {}) };
}

export const command: Command = {
  name: 'mtl',
  summary: 'multi-task weighting tools: combine per-task gradients as a method does (combine)',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'combine') throw new UsageError(sub ? `unknown mtl command '${sub}', expected combine` : 'expected combine');
    const { values } = parseCommandArgs(rest, {
      method: { type: 'string' },
      grads: { type: 'string' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      ...flagOptions('json'),
    });
    const method = choiceOption(values, 'method', combinableKinds);
    if (!method) throw new UsageError('missing required option --method');
    const file = requireOption(values, 'grads');
    const config: Record<string, unknown> = Object.fromEntries(nameValueOption(values.set, 'set', 'key=value').map(([k, v]) => [k, parseValue(v)]));
    if ('kind' in config) throw new UsageError('--set kind=... is not allowed; use --method');
    const seed = integerOption(values, 'seed', undefined, 0);
    if (seed !== undefined) config.seed = seed;
    const { grads, losses } = await readGrads(file);
    const result = combineGradients(method, grads, { config, ...(losses ? { losses } : {}), source: file });
    const out = { method: result.method, direction: result.direction, weights: result.weights };
    process.stdout.write(
      values.json ? JSON.stringify(out) + '\n' : `${method}\ndirection ${out.direction.map((v) => v.toPrecision(6)).join(' ')}\nweights ${out.weights ? out.weights.map((v) => v.toPrecision(6)).join(' ') : 'none'}\n`,
    );
    return 0;
  },
};
