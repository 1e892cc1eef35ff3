// Bundles the entry points with esbuild. Type checking is `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { chmod, copyFile } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

// yaml and ajv are half a megabyte that most CLI runs never use (they load on first use, see
// src/shared/yamlFile.ts): as files of their own beside cli.js, Node does not even parse them then.
const LAZY_VENDOR = ['yaml', 'ajv'];
const lazyVendor = {
  name: 'lazy-vendor',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LAZY_VENDOR.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
  },
};
await Promise.all(LAZY_VENDOR.map((name) =>
  build({ ...common, sourcemap: false, minify: true, entryPoints: [name], outfile: `dist/vendor/${name}.js` })));

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  // Run by sh first, which starts node with a small young generation: streaming a long log then
  // keeps the CLI's and `mycli serve`'s memory flat (V8 otherwise grows it up to 16 MiB x 3).
  // For node the second line is a string and a comment; `node dist/cli.js` works as well.
  banner: { js: `#!/bin/sh\n':' //; exec node --max-semi-space-size=1 "$0" "$@"` },
  plugins: [lazyVendor],
});
await chmod('dist/cli.js', 0o755);

// The detached process that supervises one local execution (started by the local platform).
await build({ ...common, entryPoints: ['src/backend/local/supervisorMain.ts'], outfile: 'dist/supervisor.js' });

// The first process in a local run's namespaces (src/backend/local/isolation.ts): shipped beside the supervisor.
await copyFile('src/backend/local/isolate.sh', 'dist/isolate.sh');
