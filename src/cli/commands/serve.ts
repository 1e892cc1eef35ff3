import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { startApiServer } from '../../backend/httpServer';
import { localOrchestrator } from '../backendChoice';
import { progress } from '../output';
import { invalid } from '../../shared/errors';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the local backend over HTTP on 127.0.0.1 (the same API as the AWS backend)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8765')
    .addHelpText('after', '\nThe API key comes from MYCLI_API_KEY; without it, one is generated and printed once.')
    .action(async (flags: { port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`--port must be a number from 0 to 65535, not "${flags.port}"`);
      const generated = !process.env.MYCLI_API_KEY;
      const apiKey = process.env.MYCLI_API_KEY || randomBytes(24).toString('base64url');
      const running = await startApiServer(await localOrchestrator(process.env), apiKey, port);
      progress(`serving the local backend at ${running.url}`);
      if (generated) progress(`API key (shown once): ${apiKey}`);
      progress(`use it: MYCLI_API_ENDPOINT=${running.url} MYCLI_API_KEY=<key> mycli exec "<command>"`);
      const stop = (): void => {
        progress('stopping');
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
