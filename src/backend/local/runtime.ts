/** Which local runtime runs an execution: a Docker container when an engine answers, else a host process. */
import { execFile } from 'node:child_process';
import { configError } from '../../shared/errors';

export type LocalRuntime = 'host' | 'docker';

function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 5000 }, (err, stdout) =>
      resolve(!err && String(stdout).trim() !== ''),
    );
  });
}

let probe: Promise<boolean> | undefined;

/**
 * MYCLI_LOCAL_RUNTIME=host|docker|auto (default auto). With auto, a run that names an image
 * uses Docker when an engine answers; everything else runs on the host, which is what the
 * default executor image would do anyway.
 */
export async function chooseRuntime(image: string | undefined, env: NodeJS.ProcessEnv): Promise<LocalRuntime> {
  const wanted = (env.MYCLI_LOCAL_RUNTIME ?? 'auto').toLowerCase();
  if (wanted === 'host') return 'host';
  if (wanted !== 'docker' && wanted !== 'auto') throw configError(`MYCLI_LOCAL_RUNTIME must be host, docker or auto, not "${wanted}"`);
  if (wanted === 'auto' && !image) return 'host';
  probe ??= dockerAnswers();
  const answers = await probe;
  if (answers) return 'docker';
  if (wanted === 'docker') throw configError('MYCLI_LOCAL_RUNTIME=docker but no Docker engine answers "docker version"; start Docker or unset MYCLI_LOCAL_RUNTIME');
  return 'host';
}
