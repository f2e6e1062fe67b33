/**
 * The import rule of docs/architecture.md, checked: every relative import of a file under lib/ points into its own
 * folder or into a folder lower in LAYERS (the data flow, bottom first), and no chain of imports leads back to the file
 * it started from. Prints one line per violation and exits 1 when there is any.
 *   npx tsx scripts/check-imports.ts [--json]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/** The folders of lib/ from the bottom of the data flow to the top; a folder imports only from those before it. */
export const LAYERS = [
  'errors', 'util', 'engine', 'volume', 'io', 'preprocess', 'data', 'synth', 'model', 'losses', 'weighting', 'train',
  'metrics', 'stats', 'patient', 'eval', 'experiments', 'plots', 'report', 'bench', 'cli', 'index',
] as const;

export interface ImportViolation {
  kind: 'upward' | 'cycle' | 'outside';
  file: string;
  detail: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this form of the path
    }
  }
  return null;
}

/** The layer of a file under lib/: its first folder, or the file's own name for lib/errors.ts and lib/index.ts. */
function layerOf(libDir: string, file: string): string {
  const first = relative(libDir, file).split(sep)[0];
  return first.replace(/\.ts$/, '');
}

/** Every violation of the import rule under `libDir`. */
export function checkImports(libDir: string): ImportViolation[] {
  const files = tsFiles(libDir);
  const graph = new Map<string, string[]>();
  const violations: ImportViolation[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolveImport(file, ref.fileName);
      const name = relative(libDir, file);
      if (!target || !target.startsWith(libDir + sep)) {
        violations.push({ kind: 'outside', file: name, detail: `imports '${ref.fileName}', outside lib/` });
        continue;
      }
      targets.push(target);
      const from = layerOf(libDir, file);
      const to = layerOf(libDir, target);
      const fromRank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
      const toRank = LAYERS.indexOf(to as (typeof LAYERS)[number]);
      if (fromRank < 0 || toRank < 0) {
        violations.push({ kind: 'upward', file: name, detail: `folder '${fromRank < 0 ? from : to}' is not in LAYERS` });
      } else if (toRank > fromRank) {
        violations.push({ kind: 'upward', file: name, detail: `${from} imports ${relative(libDir, target)} (${to} is above ${from})` });
      }
    }
    graph.set(file, targets);
  }
  for (const component of stronglyConnected(graph)) {
    if (component.length > 1) {
      violations.push({ kind: 'cycle', file: relative(libDir, component[0]), detail: `import cycle: ${component.map((f) => relative(libDir, f)).join(' -> ')}` });
    }
  }
  return violations;
}

/** Tarjan's strongly connected components of a directed graph. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

if (require.main === module) {
  const violations = checkImports(resolve(__dirname, '..', 'lib'));
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ violations }) + '\n');
  else for (const v of violations) process.stdout.write(`${v.kind}: ${v.file}: ${v.detail}\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
