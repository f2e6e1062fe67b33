/** Text rendering of a model's per-block summary. */
import { SummaryRow } from './module';

/** A fixed-width table: block, output shape (H x W x C or tokens x D), parameters; then the total. */
export function formatSummary(rows: SummaryRow[], title = 'model'): string {
  const shape = (s: number[]) => s.join('x');
  const nameWidth = Math.max(5, ...rows.map((r) => r.name.length));
  const shapeWidth = Math.max(6, ...rows.map((r) => shape(r.output).length));
  const total = rows.reduce((n, r) => n + r.params, 0);
  const line = (a: string, b: string, c: string) => `${a.padEnd(nameWidth)}  ${b.padEnd(shapeWidth)}  ${c.padStart(10)}`;
  return [
    title,
    line('block', 'output', 'params'),
    ...rows.map((r) => line(r.name, shape(r.output), r.params.toLocaleString('en-US'))),
    line('total', '', total.toLocaleString('en-US')),
  ].join('\n');
}
