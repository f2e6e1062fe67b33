import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EgfrGtvError, UsageError } from '../errors';
import type { Command, CommandInfo } from './command';

const commandsDir = join(__dirname, 'commands');
/**
 * Written by scripts/build.mjs beside the compiled command line (dist/cli/commands.json): each command's help text and
 * module, taken from the modules at build time. Absent when running the TypeScript sources.
 */
const manifestPath = join(__dirname, 'commands.json');

/** A command as the command line knows it before loading it: its help text, and how to load the rest. */
export interface CommandEntry extends CommandInfo {
  load(): Command;
}

function loadModule(file: string): Command {
  // The command files are ours, found by name at run time; require keeps loading synchronous and on demand.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { command: Command }).command;
}

/**
 * Every command, sorted by name. From the compiled command line's manifest, without loading any command module (so
 * `--help` loads no TensorFlow.js); from the sources, by loading every file under `lib/cli/commands/`.
 */
export function commandEntries(): CommandEntry[] {
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Array<CommandInfo & { module: string }>;
    return manifest.map(({ name, summary, usage, module }) => ({
      name,
      summary,
      usage,
      load: () => loadModule(join(commandsDir, module)),
    }));
  }
  return listCommands().map((c) => ({ name: c.name, summary: c.summary, usage: c.usage, load: () => c }));
}

/** Every command under `lib/cli/commands/`, loaded, sorted by name. */
export function listCommands(): Command[] {
  const ext = __filename.endsWith('.js') ? '.js' : '.ts';
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))
    .map((f) => loadModule(join(commandsDir, f)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function overview(commands: CommandInfo[]): string {
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
  const commands = commandEntries();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview(commands) + '\n');
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`egfr-gtv: unknown command '${name}'\n\n${overview(commands)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(entry.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await entry.load().run(rest);
  } catch (err) {
    if (err instanceof EgfrGtvError) {
      process.stderr.write(`egfr-gtv ${name}: error: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write(`\n${entry.usage.trimEnd()}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}
