import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EgfrGtvError, UsageError } from '../errors';
import type { Command } from './command';

const commandsDir = join(__dirname, 'commands');

/** Every command under `lib/cli/commands/`, sorted by name. */
export function listCommands(): Command[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts'))
    // Synchronous discovery keeps `--help` instant; the command files are ours, found by name at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .map((f) => (require(join(commandsDir, f)) as { command: Command }).command)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: egfr-gtv <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'egfr-gtv <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the command line; resolves to the exit status (0 ok, 1 bad input or failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const commands = listCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview(commands) + '\n');
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`egfr-gtv: unknown command '${name}'\n\n${overview(commands)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof EgfrGtvError) {
      process.stderr.write(`egfr-gtv ${name}: error: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write(`\n${command.usage.trimEnd()}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}
