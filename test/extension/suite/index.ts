/** The extension-host test entry (the @vscode/test-electron convention): runs the suite with mocha inside VS Code. */
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'extension.test.js'));
  mocha.addFile(join(__dirname, 'deployBackend.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
