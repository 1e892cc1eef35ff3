/**
 * Containment on the local host runtime: every process a run starts belongs to it, including
 * those that call setsid or double-fork, and is stopped when the run ends, is killed or times
 * out; a run ends when its command ends, whatever it left behind. Each case runs with the
 * machine's isolation (a PID namespace where it can) and with MYCLI_LOCAL_ISOLATION=off (the
 * process-group fallback, where leftovers are found by the run's id and its output pipes).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, mycli } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, startGitDaemon } from '../support/gitServers';
import { waitFor } from '../support/proc';
import { assertGone, tag } from '../support/sleepers';

async function statusOf(env: NodeJS.ProcessEnv, id: string): Promise<Record<string, unknown>> {
  const r = await mycli(['status', '--json', id], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const modes: Array<[string, NodeJS.ProcessEnv]> = [
  ['isolated where the machine allows', {}],
  ['process group only (MYCLI_LOCAL_ISOLATION=off)', { MYCLI_LOCAL_ISOLATION: 'off' }],
];

for (const [label, modeEnv] of modes) {
  describe(`containment: ${label}`, function () {
    this.timeout(90000);
    let root: string;
    let home: string;
    let daemon: GitServer;
    let url: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      root = await makeTempDir('mycli-contain-');
      home = await makeTempDir('mycli-contain-home-');
      await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } });
      daemon = await startGitDaemon(root);
      url = daemon.url('app');
      env = cliEnv({ MYCLI_HOME: home, ...modeEnv });
    });

    after(async () => {
      await daemon?.stop();
      await removeDir(root);
      await removeDir(home);
    });

    async function detach(command: string, extra: string[] = []): Promise<string> {
      const d = await mycli(['exec', '--detach', '--repo', url, ...extra, command], { env });
      assert.equal(d.code, 0, d.stderr);
      return d.stdout.trim();
    }

    async function logsOf(id: string): Promise<{ stdout: string; stderr: string }> {
      const r = await mycli(['logs', id], { env });
      assert.equal(r.code, 0, r.stderr);
      return r;
    }

    it('a command that leaves a setsid daemon ends when the command ends; the daemon is stopped and named', async () => {
      const t = tag();
      const r = await mycli(['exec', '--repo', url, `setsid sh -c 'sleep ${t}' & echo up`], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'up\n');
      assert.match(r.stderr, /SUCCEEDED \(exit 0\)/);
      // named as what it runs when found: setsid itself if caught before it execs sh
      assert.match(r.stderr, /^mycli: .*(stopping|stopped) what (it|the command) left running.*\((setsid|sh|sleep)\)/m);
      await assertGone(t, 'the setsid daemon');
    });

    it('a daemon that double-forks and closes its output is stopped with the run', async () => {
      const t = tag();
      // the command ends once the daemon runs, so that what is checked below is a daemon that ran
      const r = await mycli(['exec', '--repo', url, `(setsid sh -c 'exec >/dev/null 2>&1 </dev/null; exec sleep ${t}' &); until pgrep -f '^sleep ${t}$' >/dev/null; do sleep 0.05; done; echo up`], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'up\n');
      await assertGone(t, 'the double-forked daemon');
    });

    it('a command that ignores SIGTERM, and a setsid child that does too, are STOPPED by kill', async () => {
      const [inside, outside] = [tag(), tag()];
      const id = await detach(`trap '' TERM; setsid sh -c 'exec sleep ${outside}' & echo ready; sleep ${inside}`);
      await waitFor('the command to start', async () => ((await logsOf(id)).stdout.includes('ready') ? true : undefined));
      const k = await mycli(['kill', id], { env });
      assert.equal(k.code, 0, k.stderr);
      assert.equal(k.stdout, `${id} STOPPED\n`);
      const s = await statusOf(env, id);
      assert.equal(s.status, 'STOPPED');
      await assertGone(inside, 'the command');
      await assertGone(outside, 'its setsid child');
    });

    it('a timeout ends a command that ignores SIGTERM as TIMED_OUT, with what it left outside its group', async () => {
      const [inside, outside] = [tag(), tag()];
      const r = await mycli(['exec', '--repo', url, '--timeout', '1', `trap '' TERM; setsid sh -c 'exec sleep ${outside}' & echo ready; sleep ${inside}`], { env });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, 'ready\n');
      assert.match(r.stderr, /TIMED_OUT/);
      await assertGone(inside, 'the command');
      await assertGone(outside, 'its setsid child');
    });

    it('a command that closes its stdout and stderr and keeps running still times out, and is stopped', async () => {
      const t = tag();
      const r = await mycli(['exec', '--repo', url, '--timeout', '1', `echo before; exec >&- 2>&-; sleep ${t}`], { env });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, 'before\n');
      await assertGone(t, 'the command');
    });

    it('a supervisor killed with SIGKILL: the run is reported FAILED, in status and list, and its processes are stopped', async () => {
      const [inside, outside] = [tag(), tag()];
      const id = await detach(`setsid sh -c 'exec sleep ${outside}' & echo up; sleep ${inside}`);
      await waitFor('the command to start', async () => ((await logsOf(id)).stdout.includes('up') ? true : undefined));
      const record = JSON.parse(readFileSync(join(home, 'local', 'executions', id, 'execution.json'), 'utf8')) as { supervisor_pid: number };
      process.kill(record.supervisor_pid, 'SIGKILL');
      const listed = await waitFor('the run to be reported', async () => {
        const l = await mycli(['list', '--json'], { env });
        assert.equal(l.code, 0, l.stderr);
        const e = (JSON.parse(l.stdout) as Array<Record<string, unknown>>).find((x) => x.execution_id === id);
        return e?.status === 'RUNNING' ? undefined : e;
      });
      assert.equal(listed.status, 'FAILED');
      assert.match(String(listed.stopped_reason), /supervisor .* ended without recording a result/);
      assert.equal((await statusOf(env, id)).status, 'FAILED');
      await assertGone(inside, 'the command');
      await assertGone(outside, 'its setsid child');
    });
  });
}
