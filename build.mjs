// Bundles the entry points with esbuild. Type checking is `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

// yaml and ajv are half a megabyte that most CLI runs never use (they load on first use, see
// src/shared/yamlFile.ts): as files of their own beside cli.js, Node does not even parse them then.
const LAZY_VENDOR = ['yaml', 'ajv'];
const lazyVendor = {
  name: 'lazy-vendor',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LAZY_VENDOR.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
  },
};
// src/deploy (with the AWS SDK, megabytes) as dist/deploy.js beside cli.js, required on first use
const lazyDeployer = {
  name: 'lazy-deployer',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/\.\.\/deploy$/ }, () => ({ path: './deploy.js', external: true }));
  },
};
await Promise.all(LAZY_VENDOR.map((name) =>
  build({ ...common, sourcemap: false, minify: true, entryPoints: [name], outfile: `dist/vendor/${name}.js` })));

await build({
  ...common,
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/cli.js',
  // Run by sh first, which starts node with a small young generation and without V8's optimizing
  // compiler: streaming a long log then keeps the CLI's and `mycli serve`'s memory flat (V8 grows
  // the young generation up to 16 MiB x 3, and TurboFan's code and compile zones some 8 MiB more
  // over a long log; the work is in Node's builtins, so no run is slower for it).
  // For node the second line is a string and a comment; `node dist/cli.js` works as well.
  banner: { js: `#!/bin/sh\n':' //; exec node --max-semi-space-size=1 --no-opt "$0" "$@"` },
  plugins: [lazyVendor, lazyDeployer],
});
await chmod('dist/cli.js', 0o755);
// The AWS deployer and SDK, a bundle of its own loaded on first use: by `mycli init|destroy|credentials`
// and by the extension's Deploy/Destroy Backend and Set Git Credentials (src/extension/deploy/deployer.ts),
// so neither the CLI's start nor the extension's activation parses the SDK.
await build({ ...common, sourcemap: false, minify: true, entryPoints: ['src/deploy/index.ts'], outfile: 'dist/deploy.js' });

// The detached process that supervises one local execution (started by the local platform).
await build({ ...common, entryPoints: ['src/backend/local/supervisorMain.ts'], outfile: 'dist/supervisor.js' });

// The first process in a local run's namespaces (src/backend/local/isolation.ts): shipped beside the supervisor.
await copyFile('src/backend/local/isolate.sh', 'dist/isolate.sh');

// The AWS stack: cloudformation/template.yaml with the Lambda bundle inline (the runtime's own
// AWS SDK v3 is not bundled) and docker/entrypoint.sh (gzip + base64) in the executor's task
// definition, so one template body, under CloudFormation's 51,200-byte limit, is the whole deploy.
const TEMPLATE_BODY_LIMIT = 51_200;
const lambda = await build({
  ...common,
  entryPoints: ['lambda/index.ts'],
  write: false,
  outfile: 'dist/lambda/index.js',
  target: 'node22',
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  external: ['@aws-sdk/*'],
});
const lambdaBundle = lambda.outputFiles[0].text;
await mkdir('dist/lambda', { recursive: true });
await writeFile('dist/lambda/index.js', lambdaBundle);
// inline as a brotli-compressed module with a one-line loader: a third of the size, which keeps the
// template well under the limit as the executor script and the API grow
const packed = brotliCompressSync(Buffer.from(lambdaBundle), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).toString('base64');
const lambdaCode = `module._compile(require('zlib').brotliDecompressSync(Buffer.from('${packed}','base64')).toString(),__filename)`;
const entrypointGz = gzipSync(await readFile('docker/entrypoint.sh'), { level: 9 }).toString('base64');
const wrapper = await readFile('cloudformation/executor-wrapper.sh', 'utf8');
const source = await readFile('cloudformation/template.yaml', 'utf8');
const template = source
  .replace('__MYCLI_WRAPPER__', () => JSON.stringify(wrapper))
  .replace('__MYCLI_ENTRYPOINT_GZ__', () => entrypointGz)
  .replace(/^( *)__MYCLI_LAMBDA_CODE__$/m, (_, indent) => lambdaCode.split('\n').map((l) => indent + l).join('\n'));
const templateBytes = Buffer.byteLength(template);
if (templateBytes > TEMPLATE_BODY_LIMIT) {
  throw new Error(`dist/template.yaml is ${templateBytes} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit`);
}
await writeFile('dist/template.yaml', template);

// The VS Code extension: `vscode` is the host's; yaml/ajv load from dist/vendor on first use, like the CLI's.
await build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyVendor] });
