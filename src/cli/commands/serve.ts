import { Command } from 'commander';
import { admissionLimits, DEFAULT_MAX_QUEUED, RETRY_AFTER_SECONDS } from '../../backend/local/admission';
import type { LocalPlatform } from '../../backend/local/localPlatform';
import { localOrchestrator } from '../backendChoice';
import { progress } from '../output';
import { invalid } from '../../shared/errors';
import { loadCrypto } from '../../shared/lazyCrypto';

const SECRET_ENV = ['MYCLI_API_KEY', 'GITHUB_TOKEN', 'GITLAB_TOKEN', 'SSH_PRIVATE_KEY'];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the local backend over HTTP on 127.0.0.1 (the same API as the AWS backend)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8765')
    .option('--max-running <n>', 'runs at once; more wait in a queue (default: 2 per core, at least 2; env MYCLI_SERVE_MAX_RUNNING)')
    .option('--max-queued <n>', `runs waiting at most; past that new runs get HTTP 429 (default ${DEFAULT_MAX_QUEUED}; env MYCLI_SERVE_MAX_QUEUED)`)
    .addHelpText('after', `
The API key comes from MYCLI_API_KEY; without it, one is generated and printed once.

Runs past --max-running wait as PENDING, in the order they came, and start as others end; a
queued run survives a restart of the server. Past --max-queued waiting runs, new ones are
refused with HTTP 429 and Retry-After: ${RETRY_AFTER_SECONDS}; mycli's clients wait and try again.`)
    .action(async (flags: { port: string; maxRunning?: string; maxQueued?: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`--port must be a number from 0 to 65535, not "${flags.port}"`);
      const limits = admissionLimits(flags, process.env);
      // The key and the Git credentials are read once into a private copy and leave
      // process.env, so nothing this server starts can inherit them.
      const env = { ...process.env };
      for (const name of SECRET_ENV) delete process.env[name];
      const generated = !env.MYCLI_API_KEY;
      // node:crypto loads here only: every other CLI start goes without OpenSSL's set-up
      const apiKey = env.MYCLI_API_KEY || loadCrypto().randomBytes(24).toString('base64url');
      delete env.MYCLI_API_KEY;
      const orchestrator = await localOrchestrator(env, limits);
      const platform = orchestrator.platform as LocalPlatform;
      await platform.adoptUnfinished();
      // node:http only for serve: every other command starts faster without it
      const { startApiServer } = await import('../../backend/httpServer');
      const running = await startApiServer(orchestrator, apiKey, port);
      progress(`serving the local backend at ${running.url} (at most ${limits.maxRunning} runs at once, ${limits.maxQueued} waiting)`);
      if (generated) progress(`API key (shown once): ${apiKey}`);
      progress(`use it: MYCLI_API_ENDPOINT=${running.url} MYCLI_API_KEY=<key> mycli exec "<command>"`);
      const stop = (): void => {
        progress('stopping: runs going on go on; waiting runs start when mycli serve runs again');
        platform.close();
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
