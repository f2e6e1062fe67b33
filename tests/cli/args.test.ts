import { strict as assert } from 'node:assert';
import { choiceOption, flagOptions, integerOption, nameValueOption, parseCommandArgs, stringOptions } from '../../lib/cli/args';
import { UsageError } from '../../lib/errors';

describe('cli args helpers', () => {
  it('stringOptions and flagOptions declare options parseCommandArgs reads', () => {
    const { values } = parseCommandArgs(['--out', 'x', '--json'], { ...stringOptions('out', 'seed'), ...flagOptions('json') });
    assert.deepEqual({ ...values }, { out: 'x', json: true });
    assert.throws(() => parseCommandArgs(['--json=1'], flagOptions('json')), UsageError);
  });

  it('integerOption: the fallback when absent, the minimum named when violated', () => {
    assert.equal(integerOption({}, 'bootstrap', 1000, 2), 1000);
    assert.equal(integerOption({}, 'max-cells', undefined, 0), undefined);
    assert.equal(integerOption({ n: '7' }, 'n', 0, 2), 7);
    assert.throws(() => integerOption({ n: '1' }, 'n', 0, 2), /--n must be an integer >= 2, got 1/);
    assert.throws(() => integerOption({ n: '0' }, 'n', 0, 1), /--n must be a positive integer, got 0/);
    assert.throws(() => integerOption({ n: '2.5' }, 'n', 0, 0), /--n must be a non-negative integer, got 2.5/);
    assert.throws(() => integerOption({ n: 'x' }, 'n', 0, 0), UsageError);
  });

  it('choiceOption: the fallback when absent, the choices named when the value is not one', () => {
    assert.equal(choiceOption({}, 'scheme', ['binary', 'three-class'], 'binary'), 'binary');
    assert.equal(choiceOption({}, 'backend', ['native', 'wasm']), undefined);
    assert.equal(choiceOption({ backend: 'wasm' }, 'backend', ['native', 'wasm']), 'wasm');
    assert.throws(() => choiceOption({ backend: 'gpu' }, 'backend', ['native', 'wasm']), /--backend must be one of native, wasm, got 'gpu'/);
  });

  it('nameValueOption splits at the first = and rejects an empty name or value', () => {
    assert.deepEqual(nameValueOption(['a=b=c', 'run time=12 min'], 'fact'), [['a', 'b=c'], ['run time', '12 min']]);
    assert.deepEqual(nameValueOption(undefined, 'fact'), []);
    for (const bad of ['no-value', '=x', 'x=']) {
      assert.throws(() => nameValueOption([bad], 'test', 'NAME=DIR'), new RegExp(`--test must be NAME=DIR, got '${bad}'`));
    }
  });
});
