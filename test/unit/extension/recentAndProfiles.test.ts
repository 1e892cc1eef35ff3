import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsProfiles, profileNames } from '../../../src/extension/awsProfiles';
import { remember } from '../../../src/extension/recentCommands';

describe('extension: recent commands and AWS profiles', () => {
  it('keeps recent commands newest first, without duplicates, bounded', () => {
    assert.deepEqual(remember(['a', 'b', 'c'], 'b'), ['b', 'a', 'c']);
    assert.deepEqual(remember(['a', 'b'], 'c', 2), ['c', 'a']);
  });

  it('takes profile names from a config or credentials file\'s sections', () => {
    const text = '[default]\nregion=eu-west-1\n[profile dev]\nsso_session=x\n[sso-session x]\n[ prod ]\n';
    assert.deepEqual(profileNames(text), ['default', 'dev', 'prod']);
  });

  it('reads profile names from both files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), each once; a missing file gives none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mycli-profiles-'));
    try {
      writeFileSync(join(dir, 'config'), '[default]\nregion=eu-west-1\n[profile dev]\n');
      writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id=x\n[ci]\n');
      assert.deepEqual(await awsProfiles({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') }), ['default', 'dev', 'ci']);
      assert.deepEqual(await awsProfiles({ AWS_CONFIG_FILE: join(dir, 'missing'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') }), ['default', 'ci']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
