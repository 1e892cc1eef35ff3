// normalizeEndpoint: the API endpoint a user configured, made to end in /execute.
import * as assert from 'node:assert/strict';
import { normalizeEndpoint } from '../../src/client/httpClient';
import { MycliError } from '../../src/shared/errors';

describe('normalizeEndpoint', () => {
  const cases: Array<[string, string]> = [
    ['https://abc.execute-api.us-east-1.amazonaws.com/prod/execute', 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute'],
    ['https://abc.execute-api.us-east-1.amazonaws.com/prod', 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute'],
    ['https://abc.execute-api.us-east-1.amazonaws.com/prod/', 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute'],
    ['https://api.example.com', 'https://api.example.com/execute'],
    ['https://api.example.com/', 'https://api.example.com/execute'],
    ['https://api.example.com//', 'https://api.example.com/execute'],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787/execute'],
    ['http://localhost:8787/execute', 'http://localhost:8787/execute'],
    ['HTTPS://API.Example.com/Prod', 'https://api.example.com/Prod/execute'],
    ['https://api.example.com/prod?x=1', 'https://api.example.com/prod/execute?x=1'],
    ['https://api.example.com/executex', 'https://api.example.com/executex/execute'],
  ];
  for (const [input, output] of cases) {
    it(`${input} → ${output}`, () => assert.equal(normalizeEndpoint(input), output));
  }

  it('keeps an endpoint that already ends in /execute/ pointing at /execute', () => {
    assert.match(normalizeEndpoint('https://api.example.com/prod/execute/'), /^https:\/\/api\.example\.com\/prod\/execute\/?$/);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /is not a URL: use e\.g\. https:\/\//],
    ['api.example.com/prod', /is not a URL/],
    ['ftp://api.example.com/prod', /must start with https:\/\/ or http:\/\//],
    ['file:///tmp/x', /must start with https:\/\/ or http:\/\//],
    ['localhost:8787', /must start with https:\/\/ or http:\/\//],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => normalizeEndpoint(input), (err: unknown) => {
        assert.ok(err instanceof MycliError);
        assert.equal(err.code, 'config_error');
        assert.match(err.message, message);
        return true;
      });
    });
  }
});
