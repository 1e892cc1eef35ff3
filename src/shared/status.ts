/** Execution statuses and the transitions allowed between them. */
export const STATUSES = ['PENDING', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'] as const;
export type ExecutionStatus = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT']);

const FINISH: ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'];
const TRANSITIONS: Record<ExecutionStatus, ExecutionStatus[]> = {
  PENDING: ['STARTING', ...FINISH],
  STARTING: ['RUNNING', ...FINISH],
  RUNNING: FINISH,
  SUCCEEDED: [],
  FAILED: [],
  STOPPED: [],
  TIMED_OUT: [],
};

export const isTerminal = (s: ExecutionStatus): boolean => TERMINAL_STATUSES.has(s);

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function isStatus(value: unknown): value is ExecutionStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
