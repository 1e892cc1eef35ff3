/**
 * Git credentials for the stack's runs: a Secrets Manager secret named after the stack, written
 * through the SDK (never a template parameter), read by the task definition's `secrets` into the
 * cloning container only. Its ARN (not its value) is the stack's GitCredentialsSecretArn.
 */
import { MycliError } from '../shared/errors';
import { awsError } from './awsConfig';
import { applyChangeSet, findStack, openSession, Session } from './stack';
import type { GitCredentialKind, GitCredentialOptions } from './types';

/** The variables entrypoint.sh reads; the secret always holds all three (empty when unset) so ECS finds each key. */
export const SECRET_KEYS: Record<GitCredentialKind, string> = { github: 'GITHUB_TOKEN', gitlab: 'GITLAB_TOKEN', ssh: 'SSH_PRIVATE_KEY' };

export const gitSecretName = (stackName: string): string => `${stackName}-git-credentials`;

function normalise(kind: GitCredentialKind, value: string): string {
  const v = value.trim();
  if (v === '') throw new MycliError('invalid_request', `the ${kind} credential is empty; give the value on stdin or at the prompt`);
  if (kind !== 'ssh') {
    if (/\s/.test(v)) throw new MycliError('invalid_request', `the ${kind} token contains whitespace; give the token alone`);
    return v;
  }
  // the executor wants base64 of the key file; accept the key itself too
  if (v.includes('PRIVATE KEY')) return Buffer.from(v.replace(/\r/g, '') + '\n').toString('base64');
  const decoded = Buffer.from(v.replace(/\s/g, ''), 'base64').toString('utf8');
  if (!decoded.includes('PRIVATE KEY')) throw new MycliError('invalid_request', 'the ssh credential is not a private key: give the key file (e.g. < ~/.ssh/id_ed25519) or its base64');
  return v.replace(/\s/g, '');
}

async function secretsClient(s: Session) {
  const sm = await import('@aws-sdk/client-secrets-manager');
  return { sm, client: new sm.SecretsManagerClient(s.settings) };
}

export async function setGitCredential(opts: GitCredentialOptions): Promise<void> {
  const s = await openSession(opts);
  const value = opts.value === null ? null : normalise(opts.kind, opts.value);
  const stack = await findStack(s);
  if (!stack) throw new MycliError('not_found', `there is no stack ${s.stackName} in ${s.settings.region}: run "mycli init" first`);
  const { sm, client } = await secretsClient(s);
  const name = gitSecretName(s.stackName);
  let current: Record<string, string> = { GITHUB_TOKEN: '', GITLAB_TOKEN: '', SSH_PRIVATE_KEY: '' };
  let arn: string | undefined;
  try {
    const got = await client.send(new sm.GetSecretValueCommand({ SecretId: name }));
    arn = got.ARN;
    current = { ...current, ...(JSON.parse(got.SecretString ?? '{}') as Record<string, string>) };
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw awsError(err, s.settings, `reading secret ${name}`);
  }
  current[SECRET_KEYS[opts.kind]] = value ?? '';
  const secretString = JSON.stringify(current);
  try {
    if (arn) {
      await client.send(new sm.PutSecretValueCommand({ SecretId: arn, SecretString: secretString }));
    } else {
      const made = await client.send(new sm.CreateSecretCommand({
        Name: name,
        Description: `Git credentials for the mycli stack ${s.stackName} (read by its executor tasks only)`,
        SecretString: secretString,
        Tags: [{ Key: 'mycli:stack', Value: s.stackName }],
      }));
      arn = made.ARN;
    }
  } catch (err) {
    throw awsError(err, s.settings, `writing secret ${name}`);
  }
  s.progress(`${opts.kind} credential ${value === null ? 'removed from' : 'stored in'} secret ${name}`);
  const param = stack.Parameters?.find((p) => p.ParameterKey === 'GitCredentialsSecretArn')?.ParameterValue;
  if (param === arn) return;
  s.progress(`pointing stack ${s.stackName} at the secret`);
  // the template the stack already has: setting a credential never upgrades the stack
  const original = await s.cfn.send(new s.sdk.GetTemplateCommand({ StackName: s.stackName, TemplateStage: 'Original' }))
    .catch((err) => { throw awsError(err, s.settings, `reading the template of stack ${s.stackName}`); });
  await applyChangeSet(s, stack, original.TemplateBody!, (stack.Parameters ?? []).map((p) => p.ParameterKey === 'GitCredentialsSecretArn'
    ? { ParameterKey: p.ParameterKey, ParameterValue: arn! }
    : { ParameterKey: p.ParameterKey!, UsePreviousValue: true }));
}

/** Deletes the stack's secret at once (no recovery window); true when there was one. */
export async function deleteGitSecret(s: Session): Promise<boolean> {
  const { sm, client } = await secretsClient(s);
  try {
    await client.send(new sm.DeleteSecretCommand({ SecretId: gitSecretName(s.stackName), ForceDeleteWithoutRecovery: true }));
    return true;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return false;
    throw awsError(err, s.settings, `deleting secret ${gitSecretName(s.stackName)}`);
  }
}
