/**
 * An execution's output from CloudWatch Logs. The awslogs driver makes one event per line (its
 * newline removed, stdout and stderr together), so each line comes back as one LogEvent with its
 * newline restored: lines starting "mycli: " are mycli's own, the rest stdout. The executor's
 * wrapper ends each container's log with "mycli: exit N"; that line is not shown, it tells the
 * reader it has everything (CloudWatch ingests late, so a stopped task may still have lines to come).
 *
 * next_token (opaque to clients) holds the stream being read and its GetLogEvents forward token,
 * so resumed calls neither lose nor repeat an event.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent } from '../../shared/contract';
import { invalid } from '../../shared/errors';

const EXIT_MARKER = /^mycli: exit (\d+)$/;

interface Cursor {
  /** index into the execution's log streams */
  i: number;
  /** GetLogEvents nextForwardToken within that stream */
  t?: string;
  /** set once the final stream's exit line has been read */
  done?: 1;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(token: string | undefined): Cursor {
  if (!token) return { i: 0 };
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.i === 'number' && c.i >= 0 && (c.t === undefined || typeof c.t === 'string')) return c;
  } catch {
    // fall through
  }
  throw invalid('next_token is not one this backend gave out; start without it to read from the beginning', 'next_token');
}

export function toLogEvent(timestamp: number, line: string): LogEvent {
  return { timestamp, stream: line.startsWith('mycli: ') ? 'mycli' : 'stdout', message: `${line}\n` };
}

export interface LogPage {
  events: LogEvent[];
  next_token: string;
  /** The executor's final line has been read. */
  finished: boolean;
}

export async function readLogPage(logs: CloudWatchLogsClient, group: string, streams: string[], token: string | undefined, limit: number): Promise<LogPage> {
  const cur = decodeCursor(token);
  const events: LogEvent[] = [];
  while (!cur.done && cur.i < streams.length && events.length < limit) {
    let page;
    try {
      page = await logs.send(new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: streams[cur.i],
        startFromHead: true,
        limit: Math.min(10_000, limit - events.length),
        ...(cur.t ? { nextToken: cur.t } : {}),
      }));
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') break; // the container has not written yet
      throw err;
    }
    let exitCode: number | undefined;
    for (const e of page.events ?? []) {
      const line = e.message ?? '';
      const m = EXIT_MARKER.exec(line);
      if (m) {
        exitCode = Number(m[1]);
        continue;
      }
      events.push(toLogEvent(e.timestamp ?? 0, line));
    }
    const moved = page.nextForwardToken !== undefined && page.nextForwardToken !== cur.t;
    if (page.nextForwardToken) cur.t = page.nextForwardToken;
    if (exitCode !== undefined) {
      // a clone container that succeeded hands over to the command container
      if (exitCode === 0 && cur.i < streams.length - 1) {
        cur.i += 1;
        delete cur.t;
        continue;
      }
      cur.done = 1;
      break;
    }
    if (!moved || (page.events ?? []).length === 0) break;
  }
  return { events, next_token: encodeCursor(cur), finished: cur.done === 1 };
}
