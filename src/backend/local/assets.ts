/** Where the files the local platform runs live: the executor script and the supervisor bundle. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MycliError } from '../../shared/errors';

let root: string | undefined;

/** The mycli package folder, found from this module's location (works bundled in dist/ and from source). */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'mycli') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new MycliError('backend_error', `cannot find the mycli package folder above ${__dirname}`);
    dir = up;
  }
}

function asset(relative: string, hint: string): string {
  const file = process.env.MYCLI_ASSETS_DIR ? join(process.env.MYCLI_ASSETS_DIR, relative) : join(packageRoot(), relative);
  if (!existsSync(file)) throw new MycliError('backend_error', `${file} is missing: ${hint}`);
  return file;
}

export const entrypointPath = (): string => asset('docker/entrypoint.sh', 'the mycli installation is incomplete');
export const supervisorPath = (): string => asset('dist/supervisor.js', 'run "npm run build" first');
/** Copied into dist/ by the build (what a package ships); the source copy serves a checkout before it. */
export const isolatePath = (): string =>
  existsSync(join(packageRoot(), 'dist', 'isolate.sh')) && !process.env.MYCLI_ASSETS_DIR
    ? join(packageRoot(), 'dist', 'isolate.sh')
    : asset('src/backend/local/isolate.sh', 'the mycli installation is incomplete');
