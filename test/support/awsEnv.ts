/** The aws tier's AWS settings: everything at a moto server, dummy credentials, one region. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REGION = 'us-east-1';

/** The SDK's settings for a moto server (plus a short deploy poll), for this process or a child's env. */
export function sdkEnvFor(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION, MYCLI_DEPLOY_POLL_MS: '50' };
}

export function pointSdkAt(endpoint: string): void {
  Object.assign(process.env, sdkEnvFor(endpoint));
  delete process.env.AWS_PROFILE;
}

export const clientConfig = (endpoint: string) => ({ endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

export const repoRoot = join(__dirname, '..', '..');
export const builtTemplate = (): string => readFileSync(join(repoRoot, 'dist', 'template.yaml'), 'utf8');

/**
 * The Lambda's module, loaded from its code exactly as the built template holds it inline: written
 * where it can require the SDK, loaded, and the file removed again.
 */
export function loadLambdaFromTemplate<T>(): T {
  const lines = builtTemplate().split('\n');
  const at = lines.findIndex((l) => /^\s+ZipFile: \|$/.test(l));
  if (at < 0) throw new Error('dist/template.yaml has no inline ZipFile');
  const code = lines[at + 1]!.trim();
  const dir = mkdtempSync(join(repoRoot, 'dist', '.lambda-test-'));
  try {
    writeFileSync(join(dir, 'index.js'), code);
    return require(join(dir, 'index.js')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
