/**
 * The stack's one function: an adapter from API Gateway (REST, proxy) events to routeApiRequest,
 * plus the ECS task-state-change rule and the deadline schedule. No routing or validation of its own.
 */
import { AwsPlatform } from '../src/backend/aws/awsPlatform';
import { configFromEnv } from '../src/backend/aws/config';
import { recordTaskStateChange, stopOverdueTasks, TaskStateChangeEvent } from '../src/backend/aws/taskEvents';
import { Orchestrator } from '../src/backend/orchestrator';
import { lowerCaseHeaders, routeApiRequest } from '../src/backend/router';

/** The API Gateway REST API (v1) proxy event, the fields mycli reads. */
export interface ApiGatewayProxyEvent {
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface ApiGatewayProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

interface ScheduledEvent {
  source: 'aws.events';
  'detail-type': 'Scheduled Event';
  /** When the schedule fired (ISO). */
  time?: string;
}

let platform: AwsPlatform | undefined;
const getPlatform = (): AwsPlatform => (platform ??= new AwsPlatform(configFromEnv()));

export async function handler(event: ApiGatewayProxyEvent | TaskStateChangeEvent | ScheduledEvent): Promise<unknown> {
  if ('source' in event && event.source === 'aws.ecs') return recordTaskStateChange(getPlatform(), event);
  if ('source' in event && event.source === 'aws.events') return stopOverdueTasks(getPlatform(), event.time ? Date.parse(event.time) : Date.now());
  const e = event as ApiGatewayProxyEvent;
  const body = e.body == null ? '' : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
  const res = await routeApiRequest(
    { method: e.httpMethod ?? '', path: e.path ?? '', headers: lowerCaseHeaders(e.headers ?? {}), body },
    new Orchestrator(getPlatform()),
    { sha256Hex: process.env.MYCLI_API_KEY_SHA256 ?? '' },
  );
  return { statusCode: res.statusCode, headers: res.headers, body: res.body, isBase64Encoded: false } satisfies ApiGatewayProxyResult;
}
