/** `npm run bench [-- --only a,b] [--backend B] [--compare]`: the benchmark of lib/bench, one JSON object on stdout. */
import { parseBenchArgs, runBenchCommand } from '../lib/bench';

runBenchCommand(parseBenchArgs(process.argv.slice(2))).then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err: Error) => {
    process.stderr.write(`bench: error: ${err.message}\n`);
    process.exitCode = 1;
  },
);
