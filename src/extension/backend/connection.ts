/**
 * The current backend client, made on first use from the settings, the user config and the API
 * key in SecretStorage, and made again when any of them changes.
 */
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import * as vscode from 'vscode';
import type { ApiClient } from '../../client/apiClient';
import { HttpClient } from '../../client/httpClient';
import { localClient } from '../../client/localClient';
import { errorMessage, MycliError } from '../../shared/errors';
import { loadUserConfig, userConfigPath } from '../../shared/userConfig';
import { readSettings, saveSetting, SECTION } from '../settings';
import { BackendSelection, selectBackend } from './backendSelection';

export const API_KEY_SECRET = 'mycli.apiKey';
const USER_CONFIG_POLL_MS = 2000;

/**
 * For the welcome views: `mycli.state` is unconfigured, ready, misconfigured (the settings or the
 * user config ask for a backend they do not fully name: the view offers Deploy and Configure) or
 * error (any other failure to make the client).
 */
export type ConnectionState = 'unconfigured' | 'ready' | 'misconfigured' | 'error';

/** The user config's api_endpoint; `otherwise` when the file cannot be read as it is now (a malformed edit). */
const configuredEndpoint = (otherwise: string | undefined): Promise<string | undefined> =>
  loadUserConfig(process.env).then((c) => c.api_endpoint?.trim() || undefined, () => otherwise);

export class Connection implements vscode.Disposable {
  private current: Promise<{ client: ApiClient; selection: BackendSelection }> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the backend may have changed (settings, secret, user config). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastState: ConnectionState | undefined;
  /** The user config's api_endpoint as last read: followUserConfig sees one removed from it. */
  private userEndpoint: Promise<string | undefined>;

  constructor(private readonly secrets: vscode.SecretStorage, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mycli.backend') || e.affectsConfiguration('mycli.endpoint')) this.invalidate();
      }),
      secrets.onDidChange((e) => e.key === API_KEY_SECRET && this.invalidate()),
    );
    this.userEndpoint = configuredEndpoint(undefined);
    this.watchUserConfig();
  }

  /**
   * The user config is the CLI's too: what `mycli init`, `mycli destroy` or `mycli config set` do
   * in a terminal applies here without a reload. Polled (a stat every 2 s): the file and its folder
   * may not exist yet, which fs.watch cannot follow.
   */
  private watchUserConfig(): void {
    const file = userConfigPath(process.env);
    const onChange = (now: Stats, before: Stats): void => {
      if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) void this.userConfigChanged();
    };
    watchFile(file, { interval: USER_CONFIG_POLL_MS, persistent: false }, onChange);
    this.subscriptions.push({ dispose: () => unwatchFile(file, onChange) });
  }

  /**
   * The user config changed: seen by the poll, or told by this extension's own Deploy Backend, whose
   * change a poll could miss when another (`mycli destroy` in a terminal) follows it within one poll.
   */
  async userConfigChanged(): Promise<void> {
    await this.followUserConfig().catch((err) => this.log.warn(`backend: could not drop the endpoint the user config no longer names: ${errorMessage(err)}`));
    this.invalidate();
  }

  /**
   * Deploy Backend pins the endpoint it deployed in mycli.endpoint (which wins over the user
   * config) as well as in the user config. When the user config stops naming that endpoint
   * (`mycli destroy` in a terminal, or `mycli init` of another stack), the pin and its API key go
   * too, so the extension follows the CLI instead of calling a deleted endpoint. An endpoint the
   * user set in mycli.endpoint that the user config never named is left as it is.
   */
  private async followUserConfig(): Promise<void> {
    const previous = this.userEndpoint;
    this.userEndpoint = previous.then((before) => configuredEndpoint(before));
    const [before, now] = await Promise.all([previous, this.userEndpoint]);
    const pinned = vscode.workspace.getConfiguration(SECTION).inspect<string>('endpoint')?.globalValue?.trim();
    if (before === undefined || now === before || pinned !== before || readSettings().endpoint !== before) return;
    await saveSetting('endpoint', undefined);
    await this.secrets.delete(API_KEY_SECRET);
    const message = `mycli: ${before} is no longer the backend in ${userConfigPath(process.env)} (mycli destroy or mycli init in a terminal), so the extension no longer calls it or keeps its API key`;
    this.log.info(message);
    void vscode.window.showInformationMessage(message);
  }

  client(): Promise<ApiClient> {
    return this.connect().then((c) => c.client);
  }

  /** "local" or the endpoint, for messages. */
  async target(): Promise<string> {
    return (await this.client()).target;
  }

  async isLocal(): Promise<boolean> {
    return (await this.connect()).selection.kind === 'local';
  }

  /** The state last set for the welcome views; undefined before the first connection. */
  get state(): ConnectionState | undefined {
    return this.lastState;
  }

  invalidate(): void {
    this.current = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private connect(): Promise<{ client: ApiClient; selection: BackendSelection }> {
    if (!this.current) {
      this.current = this.make();
      this.current.then(
        ({ selection }) => this.setState(selection.kind === 'local' && !selection.configured ? 'unconfigured' : 'ready'),
        (err) => {
          this.log.warn(`backend: ${errorMessage(err)}`);
          this.current = undefined; // ask again next time: the user may fix it
          this.setState(err instanceof MycliError && err.code === 'config_error' ? 'misconfigured' : 'error');
        },
      );
    }
    return this.current;
  }

  private async make(): Promise<{ client: ApiClient; selection: BackendSelection }> {
    const settings = readSettings();
    const [user, key] = await Promise.all([loadUserConfig(process.env), this.secrets.get(API_KEY_SECRET)]);
    const selection = selectBackend(settings, user, key, process.env);
    const client =
      selection.kind === 'local'
        ? await localClient(process.env)
        : new HttpClient(selection.endpoint, selection.apiKey, { onWait: (m) => this.log.info(m) });
    this.log.info(`backend: ${client.target}`);
    return { client, selection };
  }

  private setState(state: ConnectionState): void {
    this.lastState = state;
    void vscode.commands.executeCommand('setContext', 'mycli.state', state);
  }
}
