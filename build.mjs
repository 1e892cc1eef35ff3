// Bundles the entry points with esbuild. Type checking is `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
});
await chmod('dist/cli.js', 0o755);

// The detached process that supervises one local execution (started by the local platform).
await build({ ...common, entryPoints: ['src/backend/local/supervisorMain.ts'], outfile: 'dist/supervisor.js' });
