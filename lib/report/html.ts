/** Small HTML building blocks shared by the report and the notebooks' tables. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A plain table; numbers are right-aligned. Cells are text (escaped). */
export function htmlTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, caption?: string): string {
  const cell = (tag: 'td' | 'th', v: string | number) =>
    `<${tag}${typeof v === 'number' || /^[-+]?[\d.]+( ± [\d.]+)?$/.test(String(v)) ? ' class="num"' : ''}>${escapeHtml(String(v))}</${tag}>`;
  return [
    '<table>',
    caption ? `<caption>${escapeHtml(caption)}</caption>` : '',
    `<thead><tr>${header.map((h) => cell('th', h)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((v) => cell('td', v)).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

/** The stylesheet of the report and of tables shown in notebooks. */
export const REPORT_CSS = `
body { font-family: 'DejaVu Sans', Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
caption { text-align: left; font-weight: bold; padding-bottom: .4em; }
th, td { border: 1px solid #ccc; padding: 4px 10px; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 14px; margin-top: .3em; }
.note { color: #555; font-size: 14px; }
code { background: #f4f4f4; padding: 0 3px; }
`;
