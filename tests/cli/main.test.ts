import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { listCommands } from '../../lib/cli/main';

const bin = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');

describe('command line', () => {
  it('discovers every command file with a name, summary and usage', () => {
    const commands = listCommands();
    for (const c of commands) {
      assert.ok(c.name && c.summary && c.usage.includes(c.name), `command ${c.name} is incomplete`);
    }
    assert.equal(new Set(commands.map((c) => c.name)).size, commands.length, 'two commands share a name');
  });

  it('prints the overview for --help and exits 0', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.match(out, /usage: egfr-gtv <command>/);
  });

  it('rejects an unknown command with exit status 2', () => {
    const r = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'no-such-command'/);
  });
});
