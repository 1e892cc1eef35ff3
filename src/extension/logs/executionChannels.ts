/**
 * One Output channel per execution, reused when its logs are shown again: it follows the log
 * live until the run ends, through the same log follower as the CLI.
 */
import * as vscode from 'vscode';
import { type ApiClient, waitForEnd } from '../../client/apiClient';
import { followLogs } from '../../client/logFollower';
import type { ExecutionInfo } from '../../shared/contract';
import { errorMessage } from '../../shared/errors';
import { endMessage } from '../statusText';
import { commandLabel } from '../treeViews/executionModel';
import { LogRenderer, RenderStep } from './logRenderer';

/** Older channels than this many are closed (unless still following). */
const MAX_CHANNELS = 20;

interface Entry {
  channel: vscode.OutputChannel;
  renderer: LogRenderer;
  /** Resolves with the final status once the log has been read to its end. */
  done?: Promise<ExecutionInfo | undefined>;
  /** The log has been read to its end: the channel can be closed without losing a live view. */
  ended?: boolean;
  abort: AbortController;
}

export class ExecutionChannels implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly client: () => Promise<ApiClient>, private cap: () => number) {}

  /** Opens (or reveals) the execution's channel, following its log if it is not already. */
  show(id: string, info?: Pick<ExecutionInfo, 'command'>, header?: string): Promise<ExecutionInfo | undefined> {
    const entry = this.entries.get(id) ?? this.create(id, info, header);
    entry.channel.show(true);
    entry.done ??= this.follow(id, entry);
    return entry.done;
  }

  /** What the channel shows now (for tests and the e2e checks). */
  text(id: string): string | undefined {
    return this.entries.get(id)?.renderer.text();
  }

  /** The line cap changed: applies to every channel from its next lines on. */
  capChanged(): void {
    for (const e of this.entries.values()) e.renderer.setCap(this.cap());
  }

  dispose(): void {
    for (const e of this.entries.values()) {
      e.abort.abort();
      e.channel.dispose();
    }
    this.entries.clear();
  }

  private create(id: string, info: Pick<ExecutionInfo, 'command'> | undefined, header: string | undefined): Entry {
    this.closeOldest();
    const name = `mycli: ${info ? commandLabel(info.command, 40) : id}`;
    const entry: Entry = {
      channel: vscode.window.createOutputChannel(`${name} (${id.slice(-8)})`),
      renderer: new LogRenderer(this.cap(), `; all of it: mycli logs ${id}`),
      abort: new AbortController(),
    };
    if (info) entry.channel.appendLine(`$ ${info.command}`);
    if (header) entry.channel.appendLine(header);
    this.entries.set(id, entry);
    return entry;
  }

  private async follow(id: string, entry: Entry): Promise<ExecutionInfo | undefined> {
    const apply = (step: RenderStep): void => {
      if (step.replace !== undefined) entry.channel.replace(step.replace);
      else if (step.append) entry.channel.append(step.append);
    };
    try {
      const client = await this.client();
      const result = await followLogs(client, id, (events) => apply(entry.renderer.push(events)), { follow: true, signal: entry.abort.signal });
      apply(entry.renderer.finish());
      if (!result.complete) return undefined;
      const info = await waitForEnd(client, id, entry.abort.signal);
      if (!info) return undefined;
      entry.channel.appendLine(`\n${endMessage(info)}`);
      entry.ended = true;
      return info;
    } catch (err) {
      entry.channel.appendLine(`\nmycli: cannot read the logs of ${id}: ${errorMessage(err)}`);
      entry.done = undefined; // showing it again tries again
      return undefined;
    }
  }

  private closeOldest(): void {
    if (this.entries.size < MAX_CHANNELS) return;
    // Map order is creation order: the oldest ended one goes (any oldest one past twice the limit).
    for (const [id, e] of this.entries) {
      if (!e.ended && this.entries.size < MAX_CHANNELS * 2) continue;
      e.abort.abort();
      e.channel.dispose();
      this.entries.delete(id);
      return;
    }
  }
}
