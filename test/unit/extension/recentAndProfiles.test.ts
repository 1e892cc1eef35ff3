import { strict as assert } from 'node:assert';
import { profileNames } from '../../../src/extension/awsProfiles';
import { remember } from '../../../src/extension/recentCommands';

describe('extension: recent commands and AWS profiles', () => {
  it('keeps recent commands newest first, without duplicates, bounded', () => {
    assert.deepEqual(remember(['a', 'b', 'c'], 'b'), ['b', 'a', 'c']);
    assert.deepEqual(remember(['a', 'b'], 'c', 2), ['c', 'a']);
  });

  it('reads profile names from the config and credentials files', () => {
    const text = '[default]\nregion=eu-west-1\n[profile dev]\nsso_session=x\n[sso-session x]\n[ prod ]\n';
    assert.deepEqual(profileNames(text), ['default', 'dev', 'prod']);
  });
});
