/**
 * The deployer library (src/deploy), loaded on first use only: it brings the AWS SDK, which
 * activation must not pay for. The build bundles it on its own as dist/deploy.js, beside
 * dist/extension.js, and this loads it by path so the extension bundle never includes it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MycliError } from '../../shared/errors';

export type Deployer = typeof import('../../deploy');

let loaded: Deployer | undefined;

export function loadDeployer(): Deployer {
  if (loaded) return loaded;
  const file = join(__dirname, 'deploy.js');
  try {
    loaded = createRequire(__filename)(file) as Deployer;
  } catch (err) {
    throw new MycliError('backend_error', `the AWS deployer is not in this build of the extension (${file}: ${(err as Error).message})`);
  }
  return loaded;
}
