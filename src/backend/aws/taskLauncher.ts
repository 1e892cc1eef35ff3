/**
 * Starts an execution's ECS task. The default: the stack's executor task definition, one container
 * that clones and runs. A custom image: a task definition per image (registered once, then reused),
 * where the executor clones into a shared volume and the user's image runs the command after it
 * (dependsOn SUCCESS); that image needs only `sh`. Git credentials are in the task definition's
 * `secrets` of the cloning container only; overrides carry the run's settings, never a credential.
 */
import { createHash } from 'node:crypto';
import type { ECSClient, RunTaskCommandInput, ContainerDefinition, KeyValuePair } from '@aws-sdk/client-ecs';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import type { ExecRequest } from '../../shared/contract';
import type { AwsPlatformConfig } from './config';

/** Runs the command in the user's image (which may have only sh): the checkout is on the shared volume. */
export const COMMAND_WRAPPER = [
  'cd "/workspace/repo/${MYCLI_WORKDIR:-.}" 2>/dev/null || { echo "mycli: workdir \\"$MYCLI_WORKDIR\\" does not exist in the repository"; echo "mycli: exit 78"; exit 78; }',
  'echo "mycli: running in $PWD"',
  'c=$MYCLI_COMMAND; unset MYCLI_COMMAND MYCLI_WORKDIR',
  'sh -c "$c" & pid=$!',
  "trap 'kill -TERM $pid 2>/dev/null' TERM INT",
  'while :; do wait $pid; rc=$?; kill -0 $pid 2>/dev/null || break; done',
  'echo "mycli: exit $rc"; exit $rc',
].join('\n');

const WORKSPACE = '/workspace';
/** On the clone container: the executor definition (ARN with its revision) it was made from. */
const BASE_LABEL = 'mycli.base-task-definition';
/** Each container's soft memory reservation (MiB) in a custom image's task: the two fit in the smallest task (512). */
const CONTAINER_RESERVATION_MIB = 128;

export function imageFamily(stackName: string, image: string): string {
  return `${stackName}-image-${createHash('sha256').update(image).digest('hex').slice(0, 16)}`;
}

const env = (vars: Record<string, string | undefined>): KeyValuePair[] =>
  Object.entries(vars).filter(([, v]) => v !== undefined && v !== '').map(([name, value]) => ({ name, value: value! }));

/**
 * The task definition for a custom image: registered from the executor's own definition, and
 * reused while that definition is the same revision (new Git credentials, a new executor, a
 * redeployed stack make a new one, which the clone must follow).
 */
export async function taskDefinitionForImage(ecs: ECSClient, cfg: AwsPlatformConfig, image: string): Promise<string> {
  const family = imageFamily(cfg.stackName, image);
  const base = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: cfg.taskDefinition }))).taskDefinition!;
  try {
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition;
    const sameBase = td?.containerDefinitions?.some((c) => c.name === 'clone' && c.dockerLabels?.[BASE_LABEL] === base.taskDefinitionArn);
    if (td?.status === 'ACTIVE' && sameBase && td.containerDefinitions?.some((c) => c.name === 'command' && c.image === image)) return td.taskDefinitionArn!;
  } catch (err) {
    if (!/Unable to describe task definition|not found|does not exist|ClientException/i.test(`${(err as Error).name} ${(err as Error).message}`)) throw err;
  }
  // The task's memory is the containers' to share: a hard limit of the task's size on each would
  // ask for twice what the task has. A small soft reservation each, and no limit but the task's.
  const { memory: _memory, memoryReservation: _reservation, ...executor } = base.containerDefinitions!.find((c) => c.name === 'executor')!;
  const mountPoints = [{ sourceVolume: 'workspace', containerPath: WORKSPACE, readOnly: false }];
  const clone: ContainerDefinition = {
    ...executor,
    name: 'clone',
    essential: false,
    dockerLabels: { ...executor.dockerLabels, [BASE_LABEL]: base.taskDefinitionArn! },
    memoryReservation: CONTAINER_RESERVATION_MIB,
    environment: [...(executor.environment ?? []), { name: 'MYCLI_MODE', value: 'clone' }, { name: 'MYCLI_WORKSPACE', value: WORKSPACE }],
    mountPoints,
  };
  const command: ContainerDefinition = {
    name: 'command',
    image,
    essential: true,
    memoryReservation: CONTAINER_RESERVATION_MIB,
    entryPoint: ['sh', '-c'],
    command: [COMMAND_WRAPPER],
    dependsOn: [{ containerName: 'clone', condition: 'SUCCESS' }],
    mountPoints,
    ...(executor.logConfiguration ? { logConfiguration: executor.logConfiguration } : {}),
    ...(executor.stopTimeout ? { stopTimeout: executor.stopTimeout } : {}),
  };
  const made = await ecs.send(new RegisterTaskDefinitionCommand({
    family,
    taskRoleArn: base.taskRoleArn,
    executionRoleArn: base.executionRoleArn,
    networkMode: base.networkMode,
    requiresCompatibilities: base.requiresCompatibilities,
    cpu: base.cpu,
    memory: base.memory,
    runtimePlatform: base.runtimePlatform,
    volumes: [{ name: 'workspace' }],
    containerDefinitions: [clone, command],
    tags: [{ key: 'mycli:stack', value: cfg.stackName }, { key: 'mycli:image', value: image.slice(0, 256) }],
  }));
  return made.taskDefinition!.taskDefinitionArn!;
}

/**
 * The task definitions of custom images, remembered while this process lives (a Lambda
 * container), so a run with an image asks ECS nothing before RunTask once its image has run here:
 * the executor's definition is a fixed revision for the life of the function's configuration (a
 * new one comes with a new configuration, so with new processes), and an image's definition made
 * from it stays usable unless someone deregisters it, which RunTask then says (isGoneDefinition).
 */
export class ImageTaskDefinitions {
  private readonly known = new Map<string, Promise<string>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly cfg: AwsPlatformConfig,
  ) {}

  get(image: string): Promise<string> {
    let arn = this.known.get(image);
    if (!arn) {
      const asked = taskDefinitionForImage(this.ecs, this.cfg, image);
      // what failed (throttled, not allowed) is asked again by the next run
      asked.catch(() => this.known.get(image) === asked && this.known.delete(image));
      this.known.set(image, (arn = asked));
    }
    return arn;
  }

  forget(image: string): void {
    this.known.delete(image);
  }
}

/** RunTask's refusal of a task definition that was deregistered (INACTIVE) or deleted since. */
export const isGoneDefinition = (err: unknown): boolean => /TaskDefinition is inactive|Unable to describe task definition/i.test(String((err as Error)?.message ?? err));

/**
 * The run's env for the executor container, which also holds the Git credentials: one encoded
 * variable that the executor turns into the command's environment only, so that variables such as
 * GIT_TRACE_CURL, BASH_ENV or LD_PRELOAD never act on the clone (README "Security").
 */
export function encodeCommandEnv(vars: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(vars ?? {});
  return entries.length ? Buffer.from(entries.map(([k, v]) => `${k}=${v}\0`).join('')).toString('base64') : undefined;
}

/** The RunTask request: FARGATE_SPOT through a capacity provider strategy, or launchType FARGATE; never both. */
export function runTaskInput(cfg: AwsPlatformConfig, executionId: string, req: ExecRequest, taskDefinition: string): RunTaskCommandInput {
  const run = { REPO_URL: req.repo, REPO_BRANCH: req.branch, TIMEOUT_SECONDS: String(req.timeout_seconds ?? 3600), MYCLI_EXECUTION_ID: executionId };
  const containerOverrides = req.image
    ? [
        { name: 'clone', environment: env(run) },
        { name: 'command', environment: [...env(req.env ?? {}), ...env({ MYCLI_COMMAND: req.command, MYCLI_WORKDIR: req.workdir, MYCLI_EXECUTION_ID: executionId })] },
      ]
    : [{ name: 'executor', environment: env({ ...run, USER_COMMAND: req.command, WORKDIR: req.workdir, MYCLI_COMMAND_ENV: encodeCommandEnv(req.env) }) }];
  return {
    cluster: cfg.cluster,
    taskDefinition,
    count: 1,
    ...(cfg.useSpot ? { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] } : { launchType: 'FARGATE' }),
    networkConfiguration: { awsvpcConfiguration: { subnets: cfg.subnets, securityGroups: [cfg.securityGroup], assignPublicIp: 'ENABLED' } },
    overrides: { containerOverrides },
    startedBy: executionId.slice(0, 36),
    tags: [{ key: 'mycli:execution-id', value: executionId }],
    enableECSManagedTags: true,
  };
}

export async function runTask(ecs: ECSClient, input: RunTaskCommandInput): Promise<{ taskArn?: string; failure?: string }> {
  const out = await ecs.send(new RunTaskCommand(input));
  const task = out.tasks?.[0];
  if (task?.taskArn) return { taskArn: task.taskArn };
  const f = out.failures?.[0];
  return { failure: f ? `${f.reason ?? 'unknown'}${f.detail ? `: ${f.detail}` : ''}` : 'RunTask started no task' };
}

/** The log streams a task's containers write (awslogs prefix "exec"), in the order they write them. */
export function logStreamsOf(taskArn: string, custom: boolean): string[] {
  const taskId = taskArn.split('/').pop()!;
  return custom ? [`exec/clone/${taskId}`, `exec/command/${taskId}`] : [`exec/executor/${taskId}`];
}
