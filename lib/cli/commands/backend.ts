import { BACKEND_NAMES, initEngine } from '../../engine/backend';
import { choiceOption, parseCommandArgs } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv backend [--json] [--backend tensorflow-gpu|tensorflow|native|wasm|cpu]

Selects the fastest TensorFlow.js backend available (or the one forced by --backend or EGFR_GTV_BACKEND) and prints
the engine report: the backend, tf.getBackend(), the kernels egfr-gtv registered, notes, SIMD and threads, and why
faster backends were skipped. A forced backend that is unavailable is an error naming the reason.
CUDA users add the GPU backend with: npm install @tensorflow/tfjs-node-gpu@4.22.0`;

export const command: Command = {
  name: 'backend',
  summary: 'select the compute backend and print the engine report',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, backend: { type: 'string' } });
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const report = await initEngine(backend ? { backend } : {});
    if (values.json) {
      process.stdout.write(JSON.stringify(report) + '\n');
      return 0;
    }
    const lines = [
      `backend: ${report.backend} (tf.getBackend() = ${report.tfBackend})${report.forced ? ', forced' : ''}`,
      ...(report.simd !== undefined ? [`simd: ${report.simd}`] : []),
      ...(report.threads !== undefined ? [`threads: ${report.threads}`] : []),
      `kernels: ${report.kernels.length ? report.kernels.join(', ') : '(none)'}`,
      ...report.notes.map((n) => `note: ${n}`),
      ...report.skipped.map((s) => `skipped ${s.backend}: ${s.reason}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
