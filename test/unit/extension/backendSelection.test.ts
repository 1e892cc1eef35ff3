import { strict as assert } from 'node:assert';
import { selectBackend } from '../../../src/extension/backend/backendSelection';

describe('extension: backend selection', () => {
  const E = 'https://api.example.test/prod';
  it('is the local backend, unconfigured, when nothing names another', () => {
    assert.deepEqual(selectBackend({ backend: 'auto' }, {}, undefined, {}), { kind: 'local', configured: false });
    assert.deepEqual(selectBackend({ backend: 'local', endpoint: E }, {}, 'k', {}), { kind: 'local', configured: true });
    assert.deepEqual(selectBackend({ backend: 'auto' }, { backend: 'local', api_endpoint: E }, 'k', {}), { kind: 'local', configured: true });
  });

  it('uses the endpoint setting with the key from SecretStorage first', () => {
    assert.deepEqual(selectBackend({ backend: 'auto', endpoint: E }, { api_key: 'file-key' }, 'secret-key', {}), { kind: 'http', endpoint: E, apiKey: 'secret-key' });
    assert.deepEqual(selectBackend({ backend: 'auto' }, { api_endpoint: E, api_key: 'file-key' }, undefined, {}), { kind: 'http', endpoint: E, apiKey: 'file-key' });
  });

  it('says what to do when the aws backend lacks an endpoint or a key', () => {
    assert.throws(() => selectBackend({ backend: 'aws' }, {}, undefined, {}), /no endpoint is set: run "mycli: Configure Endpoint and API Key"/);
    assert.throws(() => selectBackend({ backend: 'aws', endpoint: E }, {}, undefined, {}), /no API key for https:\/\/api\.example\.test\/prod/);
    assert.throws(() => selectBackend({ backend: 'aws', endpoint: 'ftp://x' }, {}, 'k', {}), /not an http\(s\) URL/);
  });
});
