/** Create or update the stack with a change set, following its events; delete it. */
import { createHash, randomBytes } from 'node:crypto';
import type { CloudFormationClient, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { MycliError } from '../shared/errors';
import { awsError, checkAborted, ClientSettings, clientSettings, pause, pollMs } from './awsConfig';
import { deleteGitSecret, gitSecretName } from './gitSecret';
import { readTemplate } from './template';
import { DEFAULT_STACK_NAME, DeployOptions, DeployResult } from './types';

type CFN = typeof import('@aws-sdk/client-cloudformation');

/** Stacks made by mycli carry this tag, so a stack of the same name made by something else is never touched. */
export const STACK_TAG = { Key: 'mycli:backend', Value: 'true' };
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Parameters a caller may set; ApiKeyHash and GitCredentialsSecretArn are the deployer's own. */
export const USER_PARAMETERS = ['ExecutorImage', 'TaskCpu', 'TaskMemory', 'UseSpot', 'LogRetentionDays'] as const;
const TEMPLATE_PARAMETERS = [...USER_PARAMETERS, 'ApiKeyHash', 'GitCredentialsSecretArn'];

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): string {
  return `mycli_${randomBytes(32).toString('base64url')}`; // 256 random bits
}

export function stackNameOf(opts: DeployOptions): string {
  const name = opts.stackName ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME.test(name)) {
    throw new MycliError('config_error', `stack name "${name}" is not valid: use letters, digits and -, starting with a letter, at most 128 characters`, 'stackName');
  }
  return name;
}

export interface Session {
  cfn: CloudFormationClient;
  sdk: CFN;
  settings: ClientSettings;
  stackName: string;
  progress: (msg: string) => void;
  signal?: AbortSignal;
}

export async function openSession(opts: DeployOptions): Promise<Session> {
  const stackName = stackNameOf(opts);
  const settings = await clientSettings(opts);
  const sdk = await import('@aws-sdk/client-cloudformation');
  return {
    cfn: new sdk.CloudFormationClient(settings),
    sdk,
    settings,
    stackName,
    progress: opts.onProgress ?? (() => undefined),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}

async function call<T>(s: Session, doing: string, fn: () => Promise<T>): Promise<T> {
  checkAborted(s.signal, doing);
  try {
    return await fn();
  } catch (err) {
    throw awsError(err, s.settings, doing);
  }
}

/** The stack, or undefined when there is none (or only a deleted one). */
export async function findStack(s: Session): Promise<Stack | undefined> {
  try {
    const out = await s.cfn.send(new s.sdk.DescribeStacksCommand({ StackName: s.stackName }));
    const stack = out.Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (err) {
    if (/does not exist/.test((err as Error).message)) return undefined;
    throw awsError(err, s.settings, `reading stack ${s.stackName}`);
  }
}

function isMycliStack(stack: Stack): boolean {
  return (stack.Tags ?? []).some((t) => t.Key === STACK_TAG.Key);
}

function outputsOf(stack: Stack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) out[o.OutputKey] = o.OutputValue;
  return out;
}

const FAILED_STACK = /(FAILED|ROLLBACK_COMPLETE|ROLLBACK_FAILED)$/;
const IN_PROGRESS = /_IN_PROGRESS$/;

function describeEvent(e: StackEvent): string {
  const reason = e.ResourceStatusReason ? `: ${e.ResourceStatusReason}` : '';
  return `${e.LogicalResourceId ?? '?'} (${e.ResourceType ?? '?'}) ${e.ResourceStatus ?? ''}${reason}`;
}

/** Events newer than `seen`, oldest first; marks them seen. */
async function newEvents(s: Session, seen: Set<string>, since: Date): Promise<StackEvent[]> {
  const out = await call(s, 'reading stack events', () => s.cfn.send(new s.sdk.DescribeStackEventsCommand({ StackName: s.stackName })));
  const fresh = (out.StackEvents ?? []).filter((e) => e.EventId && !seen.has(e.EventId) && (!e.Timestamp || e.Timestamp >= since));
  for (const e of fresh) seen.add(e.EventId!);
  return fresh.reverse();
}

/** The first failure among the events: the resource that made the stack roll back. */
function firstFailure(events: StackEvent[]): StackEvent | undefined {
  return events.find((e) => /FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceType !== 'AWS::CloudFormation::Stack' && e.ResourceStatusReason && !/cancelled/i.test(e.ResourceStatusReason))
    ?? events.find((e) => /FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason);
}

/** Follows the stack until it leaves *_IN_PROGRESS, reporting events; returns it, or throws naming what failed. */
export async function waitForStack(s: Session, since: Date, action: 'create' | 'update' | 'delete'): Promise<Stack | undefined> {
  const seen = new Set<string>();
  const all: StackEvent[] = [];
  for (;;) {
    try {
      await pause(pollMs(), s.signal);
    } catch {
      if (action === 'update') {
        await s.cfn.send(new s.sdk.CancelUpdateStackCommand({ StackName: s.stackName })).catch(() => undefined);
        throw new MycliError('conflict', `deploy cancelled: the update of stack ${s.stackName} is being rolled back to its previous state`);
      }
      throw new MycliError('conflict', `cancelled: stack ${s.stackName} is still being ${action === 'create' ? 'created' : 'deleted'} in AWS; run "mycli destroy --stack-name ${s.stackName}" to remove it`);
    }
    const stack = await findStack(s);
    const events = stack || action !== 'delete' ? await newEvents(s, seen, since).catch(() => []) : [];
    for (const e of events) {
      all.push(e);
      s.progress(describeEvent(e));
    }
    if (!stack) {
      if (action === 'delete') return undefined;
      throw new MycliError('backend_error', `stack ${s.stackName} disappeared while being ${action}d`);
    }
    const status = stack.StackStatus ?? '';
    if (IN_PROGRESS.test(status) && !/_CLEANUP_IN_PROGRESS$/.test(status)) continue;
    if (/_CLEANUP_IN_PROGRESS$/.test(status) && !/ROLLBACK/.test(status)) return stack;
    if (FAILED_STACK.test(status) || /ROLLBACK/.test(status)) {
      const failure = firstFailure(all);
      const why = failure ? `${failure.LogicalResourceId} (${failure.ResourceType}) failed: ${failure.ResourceStatusReason}` : (stack.StackStatusReason ?? status);
      const after = status === 'ROLLBACK_COMPLETE'
        ? ` Nothing of it is left but the empty stack; delete it with "mycli destroy --stack-name ${s.stackName}" and run init again.`
        : status === 'UPDATE_ROLLBACK_COMPLETE' ? ' The stack is back as it was before this deploy.' : ` The stack is ${status}.`;
      throw new MycliError('backend_error', `stack ${s.stackName} ${action} failed: ${why}.${after}`);
    }
    return stack;
  }
}

function parametersFor(stack: Stack | undefined, opts: DeployOptions, apiKeyHash: string | undefined): Parameter[] {
  const given = opts.parameters ?? {};
  for (const k of Object.keys(given)) {
    if (!(USER_PARAMETERS as readonly string[]).includes(k)) {
      throw new MycliError('config_error', `unknown stack parameter "${k}"; the ones you can set are ${USER_PARAMETERS.join(', ')}`, 'parameters');
    }
  }
  const existing = new Set((stack?.Parameters ?? []).map((p) => p.ParameterKey));
  const params: Parameter[] = [];
  for (const key of TEMPLATE_PARAMETERS) {
    if (key === 'ApiKeyHash' && apiKeyHash) params.push({ ParameterKey: key, ParameterValue: apiKeyHash });
    else if (given[key] !== undefined) params.push({ ParameterKey: key, ParameterValue: given[key] });
    else if (existing.has(key)) params.push({ ParameterKey: key, UsePreviousValue: true });
  }
  return params;
}

const NO_CHANGES = /didn't contain changes|No updates are to be performed|no changes/i;

export async function deployBackend(opts: DeployOptions): Promise<DeployResult> {
  const s = await openSession(opts);
  const body = await readTemplate();
  s.progress(`checking stack ${s.stackName} in ${s.settings.region}`);
  let stack = await findStack(s);
  if (stack && !isMycliStack(stack)) {
    throw new MycliError('conflict', `a stack named ${s.stackName} already exists in ${s.settings.region} and was not made by mycli; choose another name with --stack-name`, 'stackName');
  }
  if (stack?.StackStatus === 'ROLLBACK_COMPLETE') {
    throw new MycliError('conflict', `stack ${s.stackName} is in ROLLBACK_COMPLETE (an earlier create failed) and cannot be updated: delete it with "mycli destroy --stack-name ${s.stackName}" and run init again`, 'stackName');
  }
  if (stack && IN_PROGRESS.test(stack.StackStatus ?? '')) {
    throw new MycliError('conflict', `stack ${s.stackName} is busy (${stack.StackStatus}); wait for it to finish and try again`);
  }
  const creating = !stack;
  const apiKey = creating ? newApiKey() : undefined;
  const params = parametersFor(stack, opts, apiKey ? hashApiKey(apiKey) : undefined);
  s.progress(creating ? `creating stack ${s.stackName}` : `preparing the changes to stack ${s.stackName}`);
  const done = await applyChangeSet(s, stack, body, params);
  return result(s, await withOutputs(s, done.stack), apiKey, done.changed);
}

type Parameter = { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean };

/** Creates (no stack) or updates the stack through a change set and follows it to the end; "no changes" is success. */
export async function applyChangeSet(s: Session, stack: Stack | undefined, body: string, params: Parameter[]): Promise<{ stack: Stack; changed: boolean }> {
  const creating = !stack;
  const changeSetName = `mycli-${Date.now()}`;
  const since = new Date(Date.now() - 5000);
  let refusedAsUnchanged = false;
  try {
    await s.cfn.send(new s.sdk.CreateChangeSetCommand({
      StackName: s.stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: creating ? 'CREATE' : 'UPDATE',
      TemplateBody: body,
      Parameters: params,
      Capabilities: ['CAPABILITY_IAM'],
      Tags: [STACK_TAG],
    }));
  } catch (err) {
    if (!NO_CHANGES.test((err as Error).message)) throw awsError(err, s.settings, 'creating a change set');
    refusedAsUnchanged = true; // some CloudFormations answer an unchanged update here, not in the change set
  }
  checkAborted(s.signal, 'deploy');
  const changes = refusedAsUnchanged ? 'none' : await waitForChangeSet(s, changeSetName);
  if (changes === 'none') {
    await s.cfn.send(new s.sdk.DeleteChangeSetCommand({ StackName: s.stackName, ChangeSetName: changeSetName })).catch(() => undefined);
    s.progress(`stack ${s.stackName} is up to date: no changes`);
    return { stack: stack!, changed: false };
  }
  s.progress(`${creating ? 'creating' : 'updating'} ${changes} resource${changes === 1 ? '' : 's'}`);
  await call(s, 'starting the deploy', () => s.cfn.send(new s.sdk.ExecuteChangeSetCommand({ StackName: s.stackName, ChangeSetName: changeSetName })));
  const after = await waitForStack(s, since, creating ? 'create' : 'update');
  s.progress(`stack ${s.stackName} is ${after!.StackStatus}`);
  return { stack: after!, changed: true };
}

/** Outputs that are resource names, by the resource they name (see withOutputs). */
const OUTPUT_RESOURCES: Record<string, string> = {
  ClusterName: 'Cluster', LogGroupName: 'LogGroup', TableName: 'Table', FunctionName: 'Function', ExecutorTaskDefinition: 'ExecutorTaskDefinition',
};

/**
 * The stack with its outputs. Some CloudFormation implementations (moto 5.2) leave Outputs empty
 * after a change set; those outputs are then read from the stack's resources instead.
 */
async function withOutputs(s: Session, stack: Stack): Promise<Stack> {
  if (stack.Outputs?.some((o) => o.OutputKey === 'ApiEndpoint')) return stack;
  const res = await call(s, 'reading stack resources', () => s.cfn.send(new s.sdk.DescribeStackResourcesCommand({ StackName: s.stackName })));
  const physical = new Map((res.StackResources ?? []).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
  const outputs = Object.entries(OUTPUT_RESOURCES)
    .filter(([, logical]) => physical.get(logical))
    .map(([key, logical]) => ({ OutputKey: key, OutputValue: physical.get(logical)! }));
  const api = physical.get('RestApi');
  if (api) outputs.push({ OutputKey: 'ApiEndpoint', OutputValue: `https://${api}.execute-api.${s.settings.region}.amazonaws.com/v1/execute` });
  return { ...stack, Outputs: [...(stack.Outputs ?? []), ...outputs] };
}

function result(s: Session, stack: Stack, apiKey: string | undefined, changed: boolean): DeployResult {
  const outputs = outputsOf(stack);
  const endpoint = outputs.ApiEndpoint;
  if (!endpoint) throw new MycliError('backend_error', `stack ${s.stackName} has no ApiEndpoint output; it was not made from mycli's template`);
  return { endpoint, ...(apiKey ? { apiKey } : {}), stackName: s.stackName, region: s.settings.region, outputs, changed };
}

/** Waits for the change set; returns how many changes it holds, or 'none'. Throws its reason when it failed. */
async function waitForChangeSet(s: Session, name: string): Promise<number | 'none'> {
  for (;;) {
    const cs = await call(s, 'reading the change set', () => s.cfn.send(new s.sdk.DescribeChangeSetCommand({ StackName: s.stackName, ChangeSetName: name })));
    if (cs.Status === 'FAILED') {
      if (NO_CHANGES.test(cs.StatusReason ?? '')) return 'none';
      throw new MycliError('backend_error', `CloudFormation refused the change set for stack ${s.stackName}: ${cs.StatusReason ?? 'no reason given'}`);
    }
    if (cs.Status === 'CREATE_COMPLETE') return (cs.Changes?.length ?? 0) === 0 ? 'none' : cs.Changes!.length;
    await pause(Math.min(pollMs(), 1000), s.signal);
  }
}

export async function destroyBackend(opts: DeployOptions): Promise<void> {
  const s = await openSession(opts);
  const stack = await findStack(s);

  if (!stack) {
    s.progress(`there is no stack ${s.stackName} in ${s.settings.region}`);
  } else {
    if (!isMycliStack(stack)) {
      throw new MycliError('conflict', `stack ${s.stackName} in ${s.settings.region} was not made by mycli; mycli does not delete it`, 'stackName');
    }
    s.progress(`deleting stack ${s.stackName} in ${s.settings.region}`);
    const since = new Date(Date.now() - 5000);
    try {
      await s.cfn.send(new s.sdk.DeleteStackCommand({ StackName: s.stackName }));
    } catch (err) {
      // an implementation that deletes synchronously (moto) may report a failure of one resource here
      if (await findStack(s)) throw awsError(err, s.settings, `deleting stack ${s.stackName}`);
      s.progress(`warning: stack ${s.stackName} is deleted, but AWS reported: ${(err as Error).message}; check for leftovers (e.g. its VPC) in the console`);
    }
    const left = await waitForStack(s, since, 'delete');
    if (left && left.StackStatus === 'DELETE_FAILED') {
      throw new MycliError('backend_error', `stack ${s.stackName} could not be deleted: ${left.StackStatusReason ?? 'see the CloudFormation console'}; fix that and run destroy again`);
    }
    s.progress(`stack ${s.stackName} deleted`);
  }
  if (await deleteGitSecret(s)) s.progress(`secret ${gitSecretName(s.stackName)} (Git credentials) deleted`);
}
