/**
 * The CLI's commands as a user meets them: the CLI builds only the command it runs, so help, the
 * version and a mistyped command must still see every command.
 */
import { strict as assert } from 'node:assert';
import { cliEnv, mycli } from '../support/cli';
import { makeTempDir, removeDir } from '../support/gitRepos';
import { version } from '../../package.json';

const COMMANDS = ['exec', 'status', 'logs', 'list', 'kill', 'serve', 'config', 'init', 'destroy', 'credentials'];

describe('mycli commands', function () {
  this.timeout(60_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = await makeTempDir('mycli-commands-');
    env = cliEnv({ MYCLI_HOME: home });
  });

  after(async () => {
    await removeDir(home);
  });

  it('--help lists every command, and help COMMAND and COMMAND --help show that command', async () => {
    const help = await mycli(['--help'], { env });
    assert.equal(help.code, 0, help.stderr);
    for (const name of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    for (const name of COMMANDS) {
      for (const args of [['help', name], [name, '--help']]) {
        const r = await mycli(args, { env });
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^Usage: mycli ${name}\\b`), args.join(' '));
      }
    }
  });

  it('--version prints the version; a mistyped command is a usage error that names the right one', async () => {
    const v = await mycli(['--version'], { env });
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), version);
    const typo = await mycli(['exex', 'true'], { env });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'exex'/);
    assert.match(typo.stderr, /Did you mean exec\?/);
  });
});
