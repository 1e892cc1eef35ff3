// The least a local run with mycli's guarantees must do, for bench/run.mjs: a process already
// waiting (as a spare supervisor does) takes a request on a Unix socket, clones in a process of
// its own (the credentials never share one with the command), then runs the command as PID 1
// of a PID and mount namespace (containment), and answers. No record, log, timer or clean-up.
const { createServer } = require('node:net');
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');

const socket = process.argv[2];
rmSync(socket, { force: true });
const run = (argv, cwd) =>
  new Promise((done, fail) =>
    spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], cwd }).on('close', (code) => (code === 0 ? done() : fail(new Error(`${argv.join(' ')} exited ${code}`)))));
// as mycli's isolation: a user namespace for a user who is not root
const userNs = process.getuid() === 0 ? [] : ['--user', '--map-current-user'];
createServer((client) => {
  let text = '';
  client.on('data', async (chunk) => {
    text += chunk;
    if (!text.endsWith('\n')) return;
    const { repo, dir } = JSON.parse(text);
    // a failure ends the bench loudly rather than timing a run that did nothing
    await run(['git', 'clone', '-q', '--no-local', '--depth', '1', repo, dir]);
    await run(['unshare', ...userNs, '--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'true'], dir);
    client.end('done\n');
  });
}).listen(socket, () => process.stdout.write('listening\n'));
