// The least a local run with mycli's guarantees must do, for bench/run.mjs: a process already
// waiting (as a spare supervisor does) takes a request on a Unix socket, clones in a process of
// its own (the credentials never share one with the command), then runs the command as PID 1
// of a PID and mount namespace (containment), and answers. No record, log, timer or clean-up.
//
//   node waiter.cjs SOCKET                 git and sh themselves
//   node waiter.cjs SOCKET ENTRYPOINT      each step through the executor (DESIGN.md §4:
//                                          docker/entrypoint.sh clones, then runs the command)
const { createServer } = require('node:net');
const { spawn } = require('node:child_process');
const { mkdirSync, rmSync } = require('node:fs');

const [socket, entrypoint] = process.argv.slice(2);
rmSync(socket, { force: true });
const run = (argv, opts) =>
  new Promise((done, fail) =>
    spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], ...opts }).on('close', (code) => (code === 0 ? done() : fail(new Error(`${argv.join(' ')} exited ${code}`)))));
// as mycli's isolation: a user namespace for a user who is not root
const userNs = process.getuid() === 0 ? [] : ['--user', '--map-current-user'];
const contained = ['unshare', ...userNs, '--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--propagation', 'private', '--'];

async function plain(repo, dir) {
  await run(['git', 'clone', '-q', '--no-local', '--depth', '1', repo, dir]);
  await run([...contained, 'sh', '-c', 'true'], { cwd: dir });
}

async function throughExecutor(repo, dir) {
  mkdirSync(`${dir}/home`, { recursive: true });
  const env = { PATH: process.env.PATH, HOME: `${dir}/home`, REPO_URL: repo, USER_COMMAND: 'true', MYCLI_WORKSPACE: dir, MYCLI_MESSAGE_FD: '1' };
  await run(['bash', entrypoint], { env: { ...env, MYCLI_MODE: 'clone' } });
  await run([...contained, 'bash', entrypoint], { env: { ...env, MYCLI_MODE: 'run' } });
}

createServer((client) => {
  let text = '';
  client.on('data', async (chunk) => {
    text += chunk;
    if (!text.endsWith('\n')) return;
    const { repo, dir } = JSON.parse(text);
    // a failure ends the bench loudly rather than timing a run that did nothing
    await (entrypoint ? throughExecutor : plain)(repo, dir);
    client.end('done\n');
  });
}).listen(socket, () => process.stdout.write('listening\n'));
