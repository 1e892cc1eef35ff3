// The client half of bench/structural/waiter.cjs: sends one run; exits 0 once it is done, 1 otherwise.
const socket = require('node:net').createConnection(process.argv[2], () => socket.write(`${JSON.stringify({ repo: process.argv[3], dir: process.argv[4] })}\n`));
let answer = '';
socket.on('data', (chunk) => {
  answer += chunk;
  if (answer === 'done\n') process.exit(0);
});
socket.on('error', () => process.exit(1));
socket.on('close', () => process.exit(1));
