/**
 * The contract of one command-line command. Each command lives in its own file under `lib/cli/commands/` and exports
 * `command`; `main.ts` discovers them, so adding a command touches no shared file.
 * Commands stay thin: they parse options, call the library and print. Logic they need belongs in the library.
 */
export interface Command extends CommandInfo {
  /** Runs the command; resolves to the process exit status. Throws `EgfrGtvError` for bad input. */
  run(args: string[]): Promise<number>;
}

/** What `--help` says about a command: known without loading its module in the compiled command line. */
export interface CommandInfo {
  name: string;
  /** One line for `egfr-gtv --help`. */
  summary: string;
  /** The full usage text printed by `egfr-gtv <name> --help`. */
  usage: string;
}
