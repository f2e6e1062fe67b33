/**
 * danfojs-node, the notebooks' table library, loaded on first use (it takes seconds to load and training does not
 * need it) and sharing the engine's TensorFlow.js. danfojs-node asks for @tensorflow/tfjs-node, which package.json
 * overrides to @tensorflow/tfjs; npm installs that alias as a second copy of the union package, and loading the copy
 * would register tfjs's stock gradients again over the engine's fixed ones (lib/engine/gradients.ts). So the alias is
 * answered with the copy the engine loaded, before danfojs-node is loaded.
 */
const DANFO = 'danfojs-node';
let loaded: unknown;

/** The danfojs-node module, typed by the caller (so that modules that do not need its typings never parse them). */
export function loadDanfojs<T>(): T {
  if (loaded === undefined) {
    const alias = require.resolve('@tensorflow/tfjs-node', { paths: [require.resolve(DANFO)] });
    const own = require.resolve('@tensorflow/tfjs');
    if (alias !== own && !require.cache[alias]) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(own);
      require.cache[alias] = require.cache[own];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(DANFO);
  }
  return loaded as T;
}
