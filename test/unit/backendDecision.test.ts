// Which backend: every row of the precedence (src/client/backendDecision.ts) through both faces,
// the CLI's chooseBackend decision (user config read from a real $MYCLI_HOME) and the extension's
// selectBackend, which must decide the same.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { BackendDecision } from '../../src/client/backendDecision';
import { decideCliBackend } from '../../src/cli/backendChoice';
import { selectBackend } from '../../src/extension/backend/backendSelection';
import type { BackendSettings } from '../../src/extension/backend/backendSelection';
import { MycliError } from '../../src/shared/errors';
import { saveUserConfig, UserConfig } from '../../src/shared/userConfig';
import { makeTempDir, removeDir } from '../support/gitRepos';

const E1 = 'https://explicit.example.test/prod';
const E2 = 'https://env.example.test/prod';
const E3 = 'https://userconfig.example.test/prod';

interface Row {
  row: string;
  user: UserConfig;
  env?: NodeJS.ProcessEnv;
  cli: { local?: boolean; endpoint?: string };
  ext: BackendSettings;
  secret?: string;
  /** the decision, the same for both faces; or the errors each face gives */
  want: BackendDecision | { cli: RegExp; ext: RegExp };
}

const ROWS: Row[] = [
  { row: '1. an explicit local choice wins over everything', user: { api_endpoint: E3, api_key: 'u', backend: 'aws' }, env: { MYCLI_API_ENDPOINT: E2 }, cli: { local: true }, ext: { backend: 'local', endpoint: E1 }, want: { kind: 'local', configured: true } },
  { row: '2. an explicit endpoint wins over MYCLI_API_ENDPOINT and the user config', user: { backend: 'local', api_endpoint: E3, api_key: 'u' }, env: { MYCLI_API_ENDPOINT: E2 }, cli: { endpoint: E1 }, ext: { backend: 'auto', endpoint: E1 }, want: { kind: 'http', endpoint: E1, apiKey: 'u' } },
  { row: '3. MYCLI_API_ENDPOINT wins over the user config, backend: local too', user: { backend: 'local', api_endpoint: E3, api_key: 'u' }, env: { MYCLI_API_ENDPOINT: E2 }, cli: {}, ext: { backend: 'auto' }, want: { kind: 'http', endpoint: E2, apiKey: 'u' } },
  { row: '4. the user config\'s backend: local wins over its api_endpoint', user: { backend: 'local', api_endpoint: E3, api_key: 'u' }, cli: {}, ext: { backend: 'auto' }, want: { kind: 'local', configured: true } },
  { row: '5. the user config\'s api_endpoint with its api_key', user: { api_endpoint: E3, api_key: 'u' }, cli: {}, ext: { backend: 'auto' }, want: { kind: 'http', endpoint: E3, apiKey: 'u' } },
  {
    row: '6. the user config\'s backend: aws without api_endpoint is an error that says what to do, in each face\'s words',
    user: { backend: 'aws', api_key: 'u' },
    cli: {},
    ext: { backend: 'auto' },
    want: {
      cli: /config\.yaml says backend: aws but has no api_endpoint: deploy the backend \(mycli init\), set api_endpoint \(mycli config set api_endpoint URL\), or use --local/,
      ext: /config\.yaml says backend: aws but has no api_endpoint: run "mycli: Configure Endpoint and API Key" or "mycli: Deploy Backend", or set mycli\.backend to "local"/,
    },
  },
  { row: '7. nothing configured: local, not configured', user: {}, env: { MYCLI_API_ENDPOINT: '  ' }, cli: {}, ext: { backend: 'auto', endpoint: '' }, want: { kind: 'local', configured: false } },
  {
    row: 'key: none anywhere is an error that says what to do',
    user: {},
    env: { MYCLI_API_ENDPOINT: E2 },
    cli: {},
    ext: { backend: 'auto' },
    want: { cli: /no API key for https:\/\/env\.example\.test\/prod \(.*MYCLI_API_ENDPOINT\): set MYCLI_API_KEY, or api_key in /, ext: /no API key for https:\/\/env\.example\.test\/prod \(MYCLI_API_ENDPOINT\): run "mycli: Configure Endpoint and API Key"/ },
  },
  { row: 'key: MYCLI_API_KEY wins over the user config\'s api_key', user: { api_endpoint: E3, api_key: 'u' }, env: { MYCLI_API_KEY: 'e' }, cli: {}, ext: { backend: 'auto' }, want: { kind: 'http', endpoint: E3, apiKey: 'e' } },
  { row: 'key: MYCLI_API_KEY serves the user config\'s api_endpoint alone', user: { api_endpoint: E3 }, env: { MYCLI_API_KEY: 'e' }, cli: {}, ext: { backend: 'auto' }, want: { kind: 'http', endpoint: E3, apiKey: 'e' } },
  {
    row: 'an endpoint that is not http(s) is an error',
    user: {},
    env: { MYCLI_API_ENDPOINT: 'ftp://files.example.test/', MYCLI_API_KEY: 'e' },
    cli: {},
    ext: { backend: 'auto' },
    want: { cli: /the endpoint "ftp:\/\/files\.example\.test\/" \(.*MYCLI_API_ENDPOINT\) is not an http\(s\) URL/, ext: /the endpoint "ftp:\/\/files\.example\.test\/" \(MYCLI_API_ENDPOINT\) is not an http\(s\) URL/ },
  },
];

describe('backend decision (shared by the CLI and the extension)', () => {
  let tmp: string;
  let n = 0;
  before(async () => {
    tmp = await makeTempDir('mycli-backend-decision-');
  });
  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  /** The CLI's inputs: the row's env and user config, written to a fresh $MYCLI_HOME. */
  async function cliEnv(row: Row): Promise<NodeJS.ProcessEnv> {
    const env = { ...row.env, MYCLI_HOME: path.join(tmp, `home${n++}`) };
    if (Object.keys(row.user).length) await saveUserConfig(row.user, env);
    return env;
  }

  async function rejection(p: Promise<unknown>): Promise<MycliError> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof MycliError && err.code === 'config_error', `a config error, got ${String(err)}`);
      return err;
    }
    assert.fail('no error');
  }

  for (const row of ROWS) {
    it(row.row, async () => {
      const env = await cliEnv(row);
      const ext = (): BackendDecision => selectBackend(row.ext, row.user, row.secret, row.env ?? {});
      if ('kind' in row.want) {
        assert.deepEqual(await decideCliBackend(row.cli, env), row.want, 'the CLI');
        assert.deepEqual(ext(), row.want, 'the extension');
      } else {
        assert.match((await rejection(decideCliBackend(row.cli, env))).message, row.want.cli);
        assert.match((await rejection(Promise.resolve().then(ext))).message, row.want.ext);
      }
    });
  }

  it('the extension: its SecretStorage key wins over MYCLI_API_KEY and the user config\'s api_key', () => {
    assert.deepEqual(selectBackend({ backend: 'auto' }, { api_endpoint: E3, api_key: 'u' }, 's', { MYCLI_API_KEY: 'e' }), { kind: 'http', endpoint: E3, apiKey: 's' });
  });

  it('the extension: mycli.backend "aws" ignores the user config\'s backend: local, and without any endpoint says what to do', () => {
    assert.deepEqual(selectBackend({ backend: 'aws' }, { backend: 'local', api_endpoint: E3, api_key: 'u' }, undefined, {}), { kind: 'http', endpoint: E3, apiKey: 'u' });
    assert.throws(() => selectBackend({ backend: 'aws' }, { backend: 'local' }, undefined, {}), /mycli\.backend is "aws" but no endpoint is set: run "mycli: Configure Endpoint and API Key"/);
  });

  it('the CLI: --local and --endpoint together are refused', async () => {
    const env = await cliEnv({ row: '', user: {}, cli: {}, ext: { backend: 'auto' }, want: { kind: 'local', configured: false } });
    assert.match((await rejection(decideCliBackend({ local: true, endpoint: E1 }, env))).message, /--local and --endpoint cannot be used together/);
  });
});
