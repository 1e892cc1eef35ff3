/**
 * The built Lambda (the code inline in dist/template.yaml) against moto, configured from the
 * deployed function's own environment and called with real-shaped events.
 */
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { imageFamily, taskDefinitionForImage } from '../../src/backend/aws/taskLauncher';
import { AwsPlatform } from '../../src/backend/aws/awsPlatform';
import { stopOverdueTasks } from '../../src/backend/aws/taskEvents';
import { History } from '../../src/backend/aws/history';
import { configFromEnv } from '../../src/backend/aws/config';
import { Orchestrator } from '../../src/backend/orchestrator';
import { routeApiRequest } from '../../src/backend/router';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { deployBackend, setGitCredential } from '../../src/deploy';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { builtTemplate, clientConfig, loadLambdaFromTemplate, pointSdkAt, REGION } from '../support/awsEnv';
import { Moto, motoAvailable, startMoto } from '../support/moto';

type Handler = (event: unknown) => Promise<unknown>;
interface Reply { statusCode: number; body: string }

const SECRET = 'ghp_NeverShowThisToken42';

/** `t`, or a minute later when `t` falls in minute 0 of an hour (when the deadline sweep reads the last 13 hours). */
const offTheHour = (t: number): number => (new Date(t).getUTCMinutes() === 0 ? t + 60_000 : t);

describe('aws: the Lambda bundle against moto', function () {
  this.timeout(120_000);
  let moto: Moto;
  let handler: Handler;
  let apiKey: string;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  let env: Record<string, string>;
  let functionConfig: string;

  const call = async (body: unknown, key = apiKey): Promise<{ status: number; json: any }> => {
    const r = (await handler({
      resource: '/execute', path: '/execute', httpMethod: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Host: 'abc.execute-api.us-east-1.amazonaws.com' },
      multiValueHeaders: {}, queryStringParameters: null, pathParameters: null, stageVariables: null,
      requestContext: { resourcePath: '/execute', httpMethod: 'POST', stage: 'v1', path: '/v1/execute', requestId: 'r1' },
      body: JSON.stringify(body), isBase64Encoded: false,
    })) as Reply;
    return { status: r.statusCode, json: JSON.parse(r.body) };
  };

  before(async function () {
    const missing = motoAvailable();
    if (missing) throw new Error(missing);
    moto = await startMoto();
    pointSdkAt(moto.endpoint);
    const deployed = await deployBackend({ stackName: 'lam', parameters: { UseSpot: 'false' } });
    apiKey = deployed.apiKey!;
    await setGitCredential({ stackName: 'lam', kind: 'github', value: SECRET });
    const fn = await new LambdaClient(clientConfig(moto.endpoint)).send(new GetFunctionConfigurationCommand({ FunctionName: deployed.outputs.FunctionName }));
    functionConfig = JSON.stringify(fn);
    env = fn.Environment!.Variables!;
    Object.assign(process.env, env);
    handler = loadLambdaFromTemplate<{ handler: Handler }>().handler;
    ecs = new ECSClient(clientConfig(moto.endpoint));
    logs = new CloudWatchLogsClient(clientConfig(moto.endpoint));
    // tasks stay where they are until the test moves them (moto otherwise advances one state per DescribeTasks)
    await moto.api('state-manager/set-transition', { model_name: 'ecs::task', transition: { progression: 'manual', times: 1000000 } });
  });
  after(async () => moto?.stop());

  const writeLog = async (stream: string, lines: string[], t0 = Date.now()): Promise<void> => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: env.MYCLI_LOG_GROUP, logStreamName: stream })).catch(() => undefined);
    await logs.send(new PutLogEventsCommand({ logGroupName: env.MYCLI_LOG_GROUP, logStreamName: stream, logEvents: lines.map((message, i) => ({ timestamp: t0 + i, message })) }));
  };

  it('holds no credential in the function configuration; the task definition reads them from the secret', async () => {
    assert.ok(!functionConfig.includes(SECRET));
    const executor = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: env.MYCLI_TASK_DEFINITION }));
    assert.ok(!JSON.stringify(executor).includes(SECRET));
    // moto 5.2 does not re-apply a task definition on stack update, so the secret's wiring is read
    // from the same built template created with the secret's ARN as its parameter
    const cfn = new CloudFormationClient(clientConfig(moto.endpoint));
    const arn = (await new SecretsManagerClient(clientConfig(moto.endpoint)).send(new DescribeSecretCommand({ SecretId: 'lam-git-credentials' }))).ARN!;
    await cfn.send(new CreateStackCommand({ StackName: 'lamsec', TemplateBody: builtTemplate(), Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'ApiKeyHash', ParameterValue: 'a'.repeat(64) }, { ParameterKey: 'GitCredentialsSecretArn', ParameterValue: arn }] }));
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'lamsec-executor' }));
    assert.ok(!JSON.stringify(td).includes(SECRET));
    const secrets = td.taskDefinition!.containerDefinitions![0]!.secrets ?? [];
    assert.deepEqual(secrets.map((s) => s.name).sort(), ['GITHUB_TOKEN', 'GITLAB_TOKEN', 'SSH_PRIVATE_KEY']);
    for (const s of secrets) assert.equal(s.valueFrom, `${arn}:${s.name}::`);
  });

  it('refuses a wrong key with 401', async () => {
    const r = await call({ action: 'list' }, 'wrong-key');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unauthorized');
  });

  it('exec starts a Fargate task with the run in its overrides, tagged, and no credential anywhere', async () => {
    const r = await call({ action: 'exec', repo: 'https://github.com/org/repo', branch: 'main', command: 'make test', env: { STAGE: 'ci' }, timeout_seconds: 600 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const { execution_id: id, task_arn: arn } = r.json;
    assert.match(id, /^exec-/);
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: env.MYCLI_CLUSTER, tasks: [arn], include: ['TAGS'] }))).tasks![0]!;
    assert.equal(task.launchType, 'FARGATE');
    assert.equal(task.startedBy, id);
    assert.ok(task.tags?.some((t) => t.key === 'mycli:execution-id' && t.value === id), JSON.stringify(task.tags));
    const over = Object.fromEntries(task.overrides!.containerOverrides![0]!.environment!.map((e) => [e.name, e.value]));
    // the run's env is one encoded variable for the command, never a variable of the container that clones
    assert.deepEqual(over, {
      REPO_URL: 'https://github.com/org/repo', REPO_BRANCH: 'main', TIMEOUT_SECONDS: '600', MYCLI_EXECUTION_ID: id, USER_COMMAND: 'make test',
      MYCLI_COMMAND_ENV: Buffer.from('STAGE=ci\0').toString('base64'),
    });
    const listed = await ecs.send(new ListTasksCommand({ cluster: env.MYCLI_CLUSTER }));
    for (const blob of [JSON.stringify(task), JSON.stringify(listed), JSON.stringify(r.json)]) assert.ok(!blob.includes(SECRET));
  });

  it('status follows the task; logs come back complete, in order, across resumed calls, including lines after the task stopped', async () => {
    const { json: started } = await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'echo hi' });
    const id = started.execution_id;
    assert.equal((await call({ action: 'status', execution_id: id })).json.status, 'RUNNING');
    const stream = `exec/executor/${started.task_arn.split('/').pop()}`;
    await writeLog(stream, ['mycli: cloning https://github.com/org/repo (default branch)', 'line 1', 'line 2', 'line 3']);
    const seen: string[] = [];
    let token: string | undefined;
    let page = (await call({ action: 'logs', execution_id: id, limit: 2 })).json;
    seen.push(...page.events.map((e: { message: string }) => e.message));
    assert.equal(page.complete, false);
    token = page.next_token;
    page = (await call({ action: 'logs', execution_id: id, next_token: token })).json;
    seen.push(...page.events.map((e: { message: string }) => e.message));
    token = page.next_token;
    assert.equal(page.complete, false);
    // the task ends; CloudWatch has not yet ingested its last lines
    await ecs.send(new StopTaskCommand({ cluster: env.MYCLI_CLUSTER, task: started.task_arn, reason: 'Essential container in task exited' }));
    await handler({ version: '0', source: 'aws.ecs', 'detail-type': 'ECS Task State Change', account: '123456789012', region: REGION, time: new Date().toISOString(),
      resources: [started.task_arn], detail: { clusterArn: 'x', taskArn: started.task_arn, startedBy: id, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited', startedAt: new Date(Date.now() - 5000).toISOString(), stoppedAt: new Date().toISOString(), containers: [{ name: 'executor', exitCode: 0, lastStatus: 'STOPPED' }] } });
    assert.equal((await call({ action: 'status', execution_id: id })).json.status, 'SUCCEEDED');
    page = (await call({ action: 'logs', execution_id: id, next_token: token })).json;
    assert.equal(page.complete, false, 'not complete before the executor\'s final line');
    seen.push(...page.events.map((e: { message: string }) => e.message));
    token = page.next_token;
    await writeLog(stream, ['line 4 (late)', 'mycli: exit 0']);
    page = (await call({ action: 'logs', execution_id: id, next_token: token })).json;
    seen.push(...page.events.map((e: { message: string }) => e.message));
    assert.equal(page.complete, true);
    assert.deepEqual(seen, ['mycli: cloning https://github.com/org/repo (default branch)\n', 'line 1\n', 'line 2\n', 'line 3\n', 'line 4 (late)\n']);
    const again = (await call({ action: 'logs', execution_id: id, next_token: page.next_token })).json;
    assert.deepEqual(again.events, []);
    assert.equal(again.complete, true);
  });

  it('logs asks ECS about the task only when the page is caught up or holds the last line', async () => {
    const { json: started } = await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'echo hi' });
    const counting = new ECSClient(clientConfig(moto.endpoint));
    let describes = 0;
    counting.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'DescribeTasksCommand') describes++;
      return next(args);
    }, { step: 'initialize', name: 'countDescribeTasks' });
    const platform = new AwsPlatform(configFromEnv(process.env), { ecs: counting, logs, db: new DynamoDBClient(clientConfig(moto.endpoint)) });
    await writeLog(`exec/executor/${started.task_arn.split('/').pop()}`, ['line 1', 'line 2']);
    const page = await platform.logs({ execution_id: started.execution_id, limit: 1000 });
    assert.deepEqual(page.events.map((e) => e.message), ['line 1\n', 'line 2\n']);
    assert.equal(page.complete, false);
    assert.equal(describes, 0, 'a page of new output is answered from the table');
    const caughtUp = await platform.logs({ execution_id: started.execution_id, next_token: page.next_token, limit: 1000 });
    assert.deepEqual(caughtUp.events, []);
    assert.equal(caughtUp.complete, false);
    assert.equal(describes, 1, 'a caught-up page asks ECS whether the task has ended');
  });

  it('a run whose task started but whose record then could not be updated (throttled) is a 500 that names the task, never a 429 a client would retry', async () => {
    const db = new DynamoDBClient(clientConfig(moto.endpoint));
    let throttle = false;
    db.middlewareStack.add((next, context) => async (args) => {
      if (throttle && context.commandName === 'UpdateItemCommand') {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $retryable: { throttling: true } });
      }
      if (context.commandName === 'PutItemCommand') throttle = true; // the record exists; what follows the RunTask is throttled
      return next(args);
    }, { step: 'initialize', name: 'throttleUpdates' });
    const platform = new AwsPlatform(configFromEnv(process.env), { ecs, logs, db });
    const before = (await ecs.send(new ListTasksCommand({ cluster: env.MYCLI_CLUSTER }))).taskArns ?? [];
    const res = await routeApiRequest(
      { method: 'POST', path: '/execute', headers: { authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ action: 'exec', repo: 'https://github.com/org/repo', command: 'echo once' }) },
      new Orchestrator(platform),
      apiKey,
    );
    assert.equal(res.statusCode, 500, res.body);
    assert.equal(res.headers['retry-after'], undefined);
    const after = (await ecs.send(new ListTasksCommand({ cluster: env.MYCLI_CLUSTER }))).taskArns ?? [];
    const started = after.filter((t) => !before.includes(t));
    assert.equal(started.length, 1, 'one task was started');
    assert.match(JSON.parse(res.body).error.message, new RegExp(`started as task ${started[0]!.replace(/[/.]/g, '\\$&')}.*could not be updated`));
  });

  it('kill stops the task and the run ends STOPPED; list is newest first', async () => {
    const { json: started } = await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'sleep 600' });
    const k = await call({ action: 'kill', execution_id: started.execution_id });
    assert.equal(k.status, 200, JSON.stringify(k.json));
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: env.MYCLI_CLUSTER, tasks: [started.task_arn] }))).tasks![0]!;
    assert.match(task.stoppedReason ?? '', /mycli kill/);
    await handler({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: started.task_arn, startedBy: started.execution_id, lastStatus: 'STOPPED',
      stoppedReason: task.stoppedReason, stopCode: 'UserInitiated', startedAt: new Date(Date.now() - 1000).toISOString(), stoppedAt: new Date().toISOString(), containers: [{ name: 'executor', exitCode: 143 }] } });
    assert.equal((await call({ action: 'status', execution_id: started.execution_id })).json.status, 'STOPPED');
    const list = (await call({ action: 'list', limit: 3 })).json.executions;
    assert.equal(list[0].execution_id, started.execution_id);
    const all = (await call({ action: 'list' })).json.executions.map((e: { created_at: string }) => e.created_at);
    assert.deepEqual(all, [...all].sort().reverse());
  });

  it('kill before the run has a task stops it at once: STOPPED, with the reason', async () => {
    const history = new History(new DynamoDBClient(clientConfig(moto.endpoint)), env.MYCLI_TABLE!);
    const id = 'exec-20261129-101500-0f0f0f';
    await history.put({
      execution_id: id, status: 'PENDING', repo: 'https://github.com/org/repo', branch: 'main', command: 'true', timeout_seconds: 60, image: null, workdir: null, backend: 'aws',
      created_at: new Date().toISOString(), started_at: null, stopped_at: null, exit_code: null, stopped_reason: null,
      task_arn: null, log_streams: [], deadline: Date.now() + 60_000,
    });
    const k = await call({ action: 'kill', execution_id: id });
    assert.equal(k.status, 200, JSON.stringify(k.json));
    assert.equal(k.json.status, 'STOPPED');
    const item = (await history.get(id))!;
    assert.equal(item.status, 'STOPPED');
    assert.equal(item.stopped_reason, 'stopped on request before it started');
    assert.equal(item.kill_requested, true);
  });

  it('a custom image registers one task definition (clone, then the command after it) and reuses it', async () => {
    const a = (await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'python -V', image: 'python:3.12-slim', workdir: 'app' })).json;
    const b = (await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'python -V', image: 'python:3.12-slim' })).json;
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: imageFamily('lam', 'python:3.12-slim') }))).taskDefinition!;
    assert.equal(td.revision, 1, 'registered once');
    const [clone, command] = [td.containerDefinitions!.find((c) => c.name === 'clone')!, td.containerDefinitions!.find((c) => c.name === 'command')!];
    assert.equal(command.image, 'python:3.12-slim');
    assert.deepEqual(command.dependsOn, [{ containerName: 'clone', condition: 'SUCCESS' }]);
    assert.deepEqual(command.secrets ?? [], [], 'only the cloning container reads the Git credentials');
    const executor = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: env.MYCLI_TASK_DEFINITION }))).taskDefinition!.containerDefinitions![0]!;
    assert.deepEqual(clone.secrets ?? [], executor.secrets ?? [], 'the cloning container reads what the executor reads');
    assert.deepEqual(clone.environment!.find((e) => e.name === 'MYCLI_MODE'), { name: 'MYCLI_MODE', value: 'clone' });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: env.MYCLI_CLUSTER, tasks: [a.task_arn, b.task_arn] }))).tasks!;
    assert.ok(task.every((t) => t.taskDefinitionArn === td.taskDefinitionArn), JSON.stringify(task.map((t) => t.taskDefinitionArn)));
    assert.ok(!JSON.stringify(task).includes(SECRET));
    assert.equal(clone.memory, undefined, 'the containers share the task\'s memory, with no hard limit of its size each');
    assert.equal(command.memory, undefined);
    assert.ok(clone.memoryReservation! + command.memoryReservation! <= Number(td.memory), 'their reservations fit in the task');

    // a new executor revision (new credentials, a new executor script): the clone follows it
    const base = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: env.MYCLI_TASK_DEFINITION }))).taskDefinition!;
    const next = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: base.family, taskRoleArn: base.taskRoleArn, executionRoleArn: base.executionRoleArn, networkMode: base.networkMode,
      requiresCompatibilities: base.requiresCompatibilities, cpu: base.cpu, memory: base.memory,
      containerDefinitions: base.containerDefinitions!.map((c) => ({ ...c, environment: [...(c.environment ?? []), { name: 'NEW_REVISION', value: '1' }] })),
    }))).taskDefinition!;
    const cfg = { ...configFromEnv(env), taskDefinition: next.taskDefinitionArn! };
    const followed = await taskDefinitionForImage(ecs, cfg, 'python:3.12-slim');
    const renewed = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: followed }))).taskDefinition!;
    assert.equal(renewed.revision, 2, 'registered again from the new executor revision');
    assert.ok(renewed.containerDefinitions!.find((c) => c.name === 'clone')!.environment!.some((e) => e.name === 'NEW_REVISION'));
    assert.equal(await taskDefinitionForImage(ecs, cfg, 'python:3.12-slim'), followed, 'and reused while it stays the same');
  });

  it('a custom image\'s task definition is asked of ECS once per process, and made again when it was deregistered since', async () => {
    const image = 'busybox:1.36';
    const calls: string[] = [];
    const gone = new Set<string>();
    const counting = new ECSClient(clientConfig(moto.endpoint));
    counting.middlewareStack.add((next, context) => async (args) => {
      calls.push(context.commandName!);
      // as ECS refuses a deregistered definition (moto runs it all the same)
      const td = (args.input as { taskDefinition?: string }).taskDefinition;
      if (context.commandName === 'RunTaskCommand' && td && gone.has(td)) throw Object.assign(new Error('TaskDefinition is inactive'), { name: 'ClientException' });
      return next(args);
    }, { step: 'initialize', name: 'countEcs' });
    const platform = new AwsPlatform(configFromEnv(process.env), { ecs: counting, logs, db: new DynamoDBClient(clientConfig(moto.endpoint)) });
    const count = (name: string): number => calls.filter((c) => c === name).length;
    const taskDefinitionOf = async (taskArn: string | undefined): Promise<string> =>
      (await ecs.send(new DescribeTasksCommand({ cluster: env.MYCLI_CLUSTER, tasks: [taskArn!] }))).tasks![0]!.taskDefinitionArn!;

    const first = await platform.start('exec-image-1', { repo: 'https://github.com/org/repo', command: 'true', image, timeout_seconds: 60 });
    assert.equal(first.status, 'PENDING', JSON.stringify(first));
    const describedFirst = count('DescribeTaskDefinitionCommand');
    assert.equal(count('RegisterTaskDefinitionCommand'), 1);
    const second = await platform.start('exec-image-2', { repo: 'https://github.com/org/repo', command: 'true', image, timeout_seconds: 60 });
    assert.equal(second.status, 'PENDING', JSON.stringify(second));
    assert.equal(count('DescribeTaskDefinitionCommand'), describedFirst, 'the second run asks ECS nothing about definitions');
    assert.equal(count('RegisterTaskDefinitionCommand'), 1);
    const made = await taskDefinitionOf(first.task_arn);
    assert.equal(await taskDefinitionOf(second.task_arn), made);

    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: made }));
    gone.add(made);
    const third = await platform.start('exec-image-3', { repo: 'https://github.com/org/repo', command: 'true', image, timeout_seconds: 60 });
    assert.equal(third.status, 'PENDING', JSON.stringify(third));
    assert.equal(count('RegisterTaskDefinitionCommand'), 2, 'made again');
    const remade = await taskDefinitionOf(third.task_arn);
    assert.notEqual(remade, made);
    assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: remade }))).taskDefinition!.status, 'ACTIVE');
  });

  it('task state changes record exit codes, failures and a task that never started; the deadline sweep stops overdue tasks', async () => {
    const run = async () => (await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'true', timeout_seconds: 60 })).json;
    const stopped = (arn: string, id: string, containers: unknown[], stoppedReason = 'Essential container in task exited') => handler({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change',
      detail: { taskArn: arn, startedBy: id, lastStatus: 'STOPPED', stoppedReason, startedAt: new Date(Date.now() - 2000).toISOString(), stoppedAt: new Date().toISOString(), containers } });
    const failed = await run();
    await stopped(failed.task_arn, failed.execution_id, [{ name: 'executor', exitCode: 3 }]);
    let s = (await call({ action: 'status', execution_id: failed.execution_id })).json;
    assert.deepEqual([s.status, s.exit_code, s.stopped_reason], ['FAILED', 3, 'command exited with code 3']);
    const clone = await run();
    await stopped(clone.task_arn, clone.execution_id, [{ name: 'executor', exitCode: 79 }]);
    s = (await call({ action: 'status', execution_id: clone.execution_id })).json;
    assert.deepEqual([s.status, s.exit_code], ['FAILED', 79]);
    assert.match(s.stopped_reason, /clone failed/);
    const pull = await run();
    await stopped(pull.task_arn, pull.execution_id, [{ name: 'executor', reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found' }], 'Task failed to start');
    s = (await call({ action: 'status', execution_id: pull.execution_id })).json;
    assert.equal(s.status, 'FAILED');
    assert.match(s.stopped_reason, /could not be pulled.*CannotPullContainerError/);
    const secret = await run();
    await stopped(secret.task_arn, secret.execution_id, [{ name: 'executor' }], 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm');
    s = (await call({ action: 'status', execution_id: secret.execution_id })).json;
    assert.match(s.stopped_reason, /could not read the Git credentials secret.*mycli credentials set/);
    // events out of order: a late PROVISIONING never takes a RUNNING run back
    const order = await run();
    const event = (lastStatus: string) => handler({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change',
      detail: { taskArn: order.task_arn, startedBy: order.execution_id, lastStatus, desiredStatus: 'RUNNING', ...(lastStatus === 'RUNNING' ? { startedAt: new Date().toISOString() } : {}), containers: [{ name: 'executor' }] } });
    // read from the table itself: a status call would ask ECS again and mend what an event broke
    const history = new History(new DynamoDBClient(clientConfig(moto.endpoint)), env.MYCLI_TABLE!);
    await event('RUNNING');
    assert.equal((await history.get(order.execution_id))!.status, 'RUNNING');
    await event('PROVISIONING');
    assert.equal((await history.get(order.execution_id))!.status, 'RUNNING');
    const late = await run();
    // a StopTask that fails (throttled, not allowed) leaves the task running: not recorded, tried again next sweep
    const throttled = new ECSClient(clientConfig(moto.endpoint));
    throttled.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'StopTaskCommand') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return next(args);
    }, { step: 'initialize', name: 'throttleStopTask' });
    const failing = new AwsPlatform(configFromEnv(process.env), { ecs: throttled, logs, db: new DynamoDBClient(clientConfig(moto.endpoint)) });
    const notSwept = await stopOverdueTasks(failing, Date.now() + 60_000 + 6 * 60_000);
    assert.ok(!notSwept.stopped.includes(late.execution_id), JSON.stringify(notSwept));
    assert.notEqual((await call({ action: 'status', execution_id: late.execution_id })).json.status, 'TIMED_OUT');
    const swept = await handler({ version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', region: REGION,
      time: new Date(Date.now() + 60_000 + 6 * 60_000).toISOString(), resources: ['arn:aws:events:us-east-1:123456789012:rule/lam-DeadlineRule'], detail: {} }) as { stopped: string[] };
    assert.ok(swept.stopped.includes(late.execution_id), JSON.stringify(swept));
    s = (await call({ action: 'status', execution_id: late.execution_id })).json;
    assert.equal(s.status, 'TIMED_OUT');
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: env.MYCLI_CLUSTER, tasks: [late.task_arn] }))).tasks![0]!;
    assert.match(task.stoppedReason ?? '', /deadline passed/);
  });

  it('the deadline sweep reads only the runs past their deadline each minute, and every open run of the last 13 hours once an hour', async () => {
    const queries: string[] = [];
    const db = new DynamoDBClient(clientConfig(moto.endpoint));
    db.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries.push((args.input as { IndexName?: string }).IndexName ?? 'table');
      return next(args);
    }, { step: 'initialize', name: 'countQueries' });
    const platform = new AwsPlatform(configFromEnv(process.env), { ecs, logs, db });
    const history = new History(db, env.MYCLI_TABLE!);
    const run = async () => (await call({ action: 'exec', repo: 'https://github.com/org/repo', command: 'true', timeout_seconds: 60 })).json;
    const ended = await run();
    await handler({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: ended.task_arn, startedBy: ended.execution_id, lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited', startedAt: new Date().toISOString(), stoppedAt: new Date().toISOString(), containers: [{ name: 'executor', exitCode: 0 }] } });
    const open = await run();
    // recorded by a mycli from before the index: no open_kind, so only the hourly read finds it
    const legacy = 'exec-20261129-090000-1e9ac7';
    await db.send(new PutItemCommand({ TableName: env.MYCLI_TABLE!, Item: marshall({
      execution_id: legacy, kind: 'execution', status: 'RUNNING', repo: 'https://github.com/org/repo', command: 'true', timeout_seconds: 60, backend: 'aws',
      created_at: new Date().toISOString(), task_arn: null, log_streams: [], deadline: Date.now() - 1000, expires_at: Math.floor(Date.now() / 1000) + 86400,
    }) }));

    const listed = (await history.overdue(Date.now() + 86_400_000)).map((i) => i.execution_id);
    assert.ok(listed.includes(open.execution_id), JSON.stringify(listed));
    assert.ok(!listed.includes(ended.execution_id) && !listed.includes(legacy), 'an ended run and one without open_kind are not in the index');

    // a sweep at any minute but 0 asks the index of open runs and nothing else
    const at = offTheHour(Date.now() + 7 * 60_000);
    queries.length = 0;
    const minute = await stopOverdueTasks(platform, at);
    assert.deepEqual(queries, ['open_by_deadline']);
    assert.ok(minute.stopped.includes(open.execution_id), JSON.stringify(minute));
    assert.ok(!minute.stopped.includes(legacy));
    assert.equal((await history.get(open.execution_id))!.status, 'TIMED_OUT');
    assert.equal((await history.get(open.execution_id))!.open_kind, undefined, 'a run that ends leaves the index');
    assert.equal((await history.get(legacy))!.status, 'RUNNING');

    // on the hour it reads the last 13 hours instead: the older run is stopped then
    const hour = Math.ceil(at / 3_600_000) * 3_600_000;
    queries.length = 0;
    const hourly = await stopOverdueTasks(platform, hour);
    assert.deepEqual([...new Set(queries)], ['by_created']);
    assert.ok(hourly.stopped.includes(legacy), JSON.stringify(hourly));
    assert.ok(!hourly.stopped.includes(open.execution_id), 'stopped once');
    assert.equal((await history.get(legacy))!.status, 'TIMED_OUT');
  });

  it('the deadline sweep still stops overdue runs in a table that does not have the index of open runs yet', async () => {
    const db = new DynamoDBClient(clientConfig(moto.endpoint));
    const table = 'lam-table-before-the-index';
    await db.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'execution_id', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' }, { AttributeName: 'created_at', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'execution_id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by_created', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'created_at', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    const platform = new AwsPlatform({ ...configFromEnv(process.env), table }, { ecs, logs, db });
    const id = 'exec-20261129-091500-0b0b0b';
    await platform.history.put({
      execution_id: id, status: 'RUNNING', repo: 'https://github.com/org/repo', branch: null, command: 'true', timeout_seconds: 60, image: null, workdir: null, backend: 'aws',
      created_at: new Date().toISOString(), started_at: null, stopped_at: null, exit_code: null, stopped_reason: null, task_arn: null, log_streams: [], deadline: Date.now() - 1000,
    });
    const swept = await stopOverdueTasks(platform, offTheHour(Date.now()));
    assert.deepEqual(swept.stopped, [id]);
    assert.equal((await platform.history.get(id))!.status, 'TIMED_OUT');
  });

  it('on FARGATE_SPOT asks RunTask for the capacity provider strategy and no launch type (the request as the SDK sends it)', async () => {
    // moto cannot place FARGATE_SPOT tasks; a middleware records the RunTask input AWS would receive
    const sent: Record<string, unknown>[] = [];
    const spotEcs = new ECSClient(clientConfig(moto.endpoint));
    spotEcs.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'RunTaskCommand') sent.push(args.input as Record<string, unknown>);
      return next(args);
    }, { step: 'initialize', name: 'recordRunTask' });
    const platform = new AwsPlatform({ ...configFromEnv(process.env), useSpot: true }, { ecs: spotEcs, logs, db: new DynamoDBClient(clientConfig(moto.endpoint)) });
    const out = await platform.start('exec-spot-1', { repo: 'https://github.com/org/repo', command: 'true', timeout_seconds: 60 });
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    assert.equal(sent[0]!.launchType, undefined);
    assert.ok(!JSON.stringify(sent[0]).includes(SECRET));
    // what moto answers (it has no FARGATE_SPOT capacity) is recorded as a run that failed to start, with the reason
    assert.equal(out.status, 'FAILED');
    assert.match((await platform.status('exec-spot-1')).stopped_reason ?? '', /ECS could not start the task/);
  });
});
