import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, findChromium } from '../../lib/plots/render';

/**
 * Notebook 00 in a real browser: Debian's Jupyter Notebook server on 127.0.0.1 (started here, stopped at the end),
 * the notebook opened in Chromium through playwright-core, every cell run from the page's own menu (Cell > Run All),
 * then: an interactive figure drawn by the page's Plotly (its SVG), a PNG figure, and no cell showing an error. A
 * screenshot of the page goes to .cache/browser-test/. Set-up: scripts/browser-test-setup.sh (installs the server).
 *
 * The server's root is a scratch copy under .cache/browser-test/ (the Notebook front end autosaves what it runs, which
 * must never touch the committed notebooks); cells find 'egfr-gtv/...' through the repository's node_modules, as from
 * notebooks/. The copy gets one cell at the end that shows the notebook's ROC figure as a PNG, so the same
 * figure spec is checked both ways, interactive and PNG, in the page.
 */
const root = join(__dirname, '..', '..');
const notebook = '00-getting-started.ipynb';
const screenshotDir = join(root, '.cache', 'browser-test');

const pngCell = {
  cell_type: 'code',
  id: 'browser-test-png',
  metadata: {},
  execution_count: null,
  outputs: [],
  source: ["// Added by tests/notebooks/browser.test.ts: the same figure, as a PNG.\n", 'await showFigure(roc, { interactive: false });'],
};

/** The text of every error output and every non-empty stderr output (where tslab reports a failing cell). */
const errorsScript =
  "[...document.querySelectorAll('.output_area .output_error, .output_area .output_stderr')].map((e) => e.textContent || '').filter((t) => t.trim() !== '')";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('notebook 00 in a real browser (Jupyter Notebook + Chromium)', function () {
  this.timeout(600_000);
  let work: string;
  let server: ChildProcess | undefined;
  let serverLog = '';
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  let token: string;

  before(async function () {
    const setup = spawnSync('bash', [join(root, 'scripts', 'browser-test-setup.sh')], { encoding: 'utf8' });
    assert.equal(setup.status, 0, `browser-test-setup failed:\n${setup.stdout}\n${setup.stderr}`);
    const executablePath = findChromium();
    assert.ok(executablePath, 'Chromium is not installed: run bash kernel-setup/install.sh');
    mkdirSync(screenshotDir, { recursive: true });
    work = mkdtempSync(join(screenshotDir, 'run-'));
    mkdirSync(join(work, 'notebooks'));
    const nb = JSON.parse(readFileSync(join(root, 'notebooks', notebook), 'utf8')) as { cells: unknown[] };
    nb.cells.push(pngCell);
    writeFileSync(join(work, 'notebooks', notebook), JSON.stringify(nb, null, 1));
    for (const d of ['config', 'runtime', 'data']) mkdirSync(join(work, 'jupyter', d), { recursive: true });
    const port = await freePort();
    token = randomBytes(16).toString('hex');
    base = `http://127.0.0.1:${port}`;
    server = spawn(
      '/usr/bin/python3',
      ['-m', 'notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
        `--NotebookApp.token=${token}`, `--notebook-dir=${work}`],
      {
        cwd: work,
        detached: true,
        env: {
          ...process.env,
          EGFR_GTV_FAST: '1',
          JUPYTER_PATH: join(root, '.jupyter', 'share', 'jupyter'),
          JUPYTER_CONFIG_DIR: join(work, 'jupyter', 'config'),
          JUPYTER_RUNTIME_DIR: join(work, 'jupyter', 'runtime'),
          JUPYTER_DATA_DIR: join(work, 'jupyter', 'data'),
          JUPYTER_PLATFORM_DIRS: '1',
        },
      },
    );
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    await waitFor('the notebook server', 60_000, async () => {
      if (server?.exitCode !== null) throw new Error(`the notebook server exited:\n${serverLog}`);
      const r = await fetch(`${base}/api/status?token=${token}`);
      return r.ok ? true : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${serverLog}`);
    });
    browser = await chromium.launch({ executablePath, args: [...chromiumArgs] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null && server.pid) {
      // Shut the kernels down through the server, then stop the server (its process group: the kernel launcher too).
      try {
        const kernels = (await (await fetch(`${base}/api/kernels?token=${token}`)).json()) as Array<{ id: string }>;
        for (const k of kernels) await fetch(`${base}/api/kernels/${k.id}?token=${token}`, { method: 'DELETE' });
      } catch {
        // the server is going anyway
      }
      const pid = server.pid;
      const exited = new Promise((r) => server?.once('exit', r));
      const signal = (s: NodeJS.Signals) => {
        try {
          process.kill(-pid, s);
        } catch {
          // the group is gone already
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      signal('SIGKILL');
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  afterEach(async function () {
    // The screenshot, whatever happened: on a failure it shows which cell stopped and what it said.
    if (!page) return;
    mkdirSync(screenshotDir, { recursive: true });
    const shot = join(screenshotDir, 'notebook-00.png');
    // The notebook scrolls inside its own element, not the page: make the page as tall as the notebook.
    const height = await page.evaluate<number>("(document.querySelector('#notebook') || document.body).scrollHeight + 150").catch(() => 900);
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(900, height), 12_000) }).catch(() => undefined);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.log(`      screenshot: ${shot}`);
    if (this.currentTest?.state === 'failed') {
      const text = await page.evaluate<string>("[...document.querySelectorAll('.cell.code_cell')].map((c) => (c.querySelector('.input_prompt') || {}).textContent + ' ' + ((c.querySelector('.output_area') || {}).textContent || '').slice(0, 400)).join('\\n')").catch(() => '');
      console.log(`      cells:\n${text}\n      server log (end):\n${serverLog.slice(-3000)}`);
    }
  });

  it('runs every cell from the page: an interactive chart (SVG), a PNG, no error; screenshot saved', async () => {
    await page.goto(`${base}/notebooks/notebooks/${notebook}?token=${token}`);
    // Page code is a string: the tests compile without the DOM types.
    await waitFor('the kernel', 120_000, async () =>
      (await page.evaluate<boolean>('!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())'))
        ? true
        : undefined,
    );
    // Cell > Run All, as a user would.
    await page.click('#celllink');
    await page.click('#run_all_cells');
    const codeCells = await page.locator('.cell.code_cell').count();
    const done = await waitFor('every cell to finish', 240_000, async () => {
      // A failed cell stops Run All: fail at once, with what it said.
      const failed = await page.evaluate<string[]>(errorsScript);
      if (failed.length > 0) return failed;
      const prompts = await page.evaluate<string[]>("[...document.querySelectorAll('.cell.code_cell .input_prompt')].map((p) => p.textContent || '')");
      return prompts.length === codeCells && prompts.every((p) => /\[\d+\]/.test(p)) ? prompts : undefined;
    });
    assert.equal(done.length, codeCells, `a cell failed:\n${done.join('\n')}`);
    // The interactive figure: drawn by the page's Plotly into an SVG (plotly.js came once, with it).
    await page.waitForSelector('.output_area .egfr-gtv-figure svg.main-svg', { timeout: 30_000 });
    const interactive = await page.locator('.output_area .egfr-gtv-figure svg.main-svg').count();
    assert.ok(interactive >= 1, 'no interactive figure was drawn');
    const title = await page.locator('.output_area .egfr-gtv-figure .gtitle').first().textContent();
    assert.match(title ?? '', /ROC curve/);
    // The PNG figure, decoded by the page.
    const pngs = await page.evaluate<number[][]>(
      "[...document.querySelectorAll('.output_area img')].filter((im) => im.src.startsWith('data:image/png') && im.naturalWidth > 0).map((im) => [im.naturalWidth, im.naturalHeight])",
    );
    assert.ok(pngs.length >= 1, 'no PNG figure was shown');
    // No cell shows an error: no error output, nothing on stderr that says error (tslab reports failures there).
    const errors = await page.evaluate<string[]>(errorsScript);
    assert.deepEqual(errors, []);
  });
});
