// The client half of bench/structural/waiter.cjs: sends one run and exits when it is done.
const socket = require('node:net').createConnection(process.argv[2], () => socket.write(`${JSON.stringify({ repo: process.argv[3], dir: process.argv[4] })}\n`));
socket.on('data', () => process.exit(0));
