import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command';

export const command: Command = {
  name: 'version',
  summary: 'print the egfr-gtv, Node.js and TensorFlow.js versions',
  usage: 'usage: egfr-gtv version\n\nPrints the versions as one JSON object.',
  async run() {
    const root = join(__dirname, '..', '..', '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const tfjs = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as {
      version: string;
    };
    process.stdout.write(JSON.stringify({ egfr_gtv: pkg.version, node: process.version, tfjs: tfjs.version }) + '\n');
    return 0;
  },
};
