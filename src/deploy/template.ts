/** Finds the built template (dist/template.yaml, the Lambda inline), beside the bundle that runs. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MycliError } from '../shared/errors';

/** CloudFormation's TemplateBody limit: above it a template must come from S3, which mycli avoids. */
export const TEMPLATE_BODY_LIMIT = 51_200;

export function templateCandidates(): string[] {
  const env = process.env.MYCLI_TEMPLATE_PATH;
  // dist/cli.js and dist/extension.js sit beside it; under tsx (tests) this file is src/deploy/template.ts
  return [...(env ? [env] : []), join(__dirname, 'template.yaml'), join(__dirname, '..', '..', 'dist', 'template.yaml')];
}

export async function readTemplate(): Promise<string> {
  const file = templateCandidates().find((f) => existsSync(f));
  if (!file) throw new MycliError('config_error', `the stack template is missing (looked in ${templateCandidates().join(', ')}): run "npm run build"`);
  const body = await readFile(file, 'utf8');
  if (Buffer.byteLength(body) > TEMPLATE_BODY_LIMIT) {
    throw new MycliError('config_error', `${file} is ${Buffer.byteLength(body)} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit`);
  }
  return body;
}
