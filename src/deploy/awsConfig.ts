/** SDK client settings from the deploy options, and AWS errors turned into messages that say what to do. */
import { MycliError, errorMessage } from '../shared/errors';
import type { DeployOptions } from './types';

export interface ClientSettings {
  region: string;
  profile?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Region: the option, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's (resolved by the SDK). */
export async function clientSettings(opts: DeployOptions): Promise<ClientSettings> {
  let region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    // the profile's own region, as the SDK reads it from ~/.aws/config
    const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
    const probe = new CloudFormationClient(opts.profile ? { profile: opts.profile } : {});
    region = await probe.config.region().catch(() => undefined);
    probe.destroy();
  }
  if (!region) {
    throw new MycliError('config_error', 'no AWS region given: pass --region (e.g. --region us-east-1), set AWS_REGION, or set a region in your AWS profile');
  }
  if (!REGION.test(region)) {
    throw new MycliError('config_error', `"${region}" is not an AWS region name; use one like us-east-1 or eu-west-2`, 'region');
  }
  return { region, ...(opts.profile ? { profile: opts.profile } : {}) };
}

function profileHint(s: ClientSettings): string {
  return s.profile ? ` --profile ${s.profile}` : '';
}

/** Turns an SDK error into a MycliError whose message says what to change. Messages never hold secrets. */
export function awsError(err: unknown, s: ClientSettings, doing: string): MycliError {
  if (err instanceof MycliError) return err;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? '';
  const msg = errorMessage(err);
  if (/SSO|sso/.test(msg) && /expired|refresh|token/i.test(msg)) {
    return new MycliError('unavailable', `your AWS SSO session has expired or is missing: run "aws sso login${profileHint(s)}" and try again`);
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name) || /Could not load credentials/i.test(msg)) {
    return new MycliError('config_error', `no AWS credentials found${s.profile ? ` for profile "${s.profile}"` : ''}: run "aws configure${profileHint(s)}" (or "aws sso login${profileHint(s)}"), or pass --profile with a profile that has them`);
  }
  if (/ExpiredToken|RequestExpired/.test(name) || /security token included in the request is expired/i.test(msg)) {
    return new MycliError('unavailable', `your AWS credentials have expired: refresh them (e.g. "aws sso login${profileHint(s)}") and try again`);
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(name)) {
    return new MycliError('config_error', `AWS did not accept your credentials (${name}); check the access key of the profile${s.profile ? ` "${s.profile}"` : ''}`);
  }
  if (e.code === 'ENOTFOUND' || /getaddrinfo ENOTFOUND/.test(msg)) {
    return new MycliError('unavailable', `cannot reach AWS in region "${s.region}" while ${doing}: check the region name (e.g. us-east-1) and your network`);
  }
  if (/AccessDenied|UnauthorizedOperation/.test(name)) {
    return new MycliError('backend_error', `AWS refused ${doing}: ${msg}; use a profile allowed to manage CloudFormation, IAM, ECS, Lambda, API Gateway, DynamoDB, Logs and Secrets Manager`);
  }
  return new MycliError('backend_error', `AWS error while ${doing}: ${name ? `${name}: ` : ''}${msg}`);
}

export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new MycliError('conflict', `cancelled: ${what}`);
}

/** Waits ms, ending early (with an error) when the signal aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new MycliError('conflict', 'cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new MycliError('conflict', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How often stack state is polled (tests against moto set it low). */
export const pollMs = (): number => Number(process.env.MYCLI_DEPLOY_POLL_MS) || 3000;
