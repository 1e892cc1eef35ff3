/** The deployer's public interface (COORDINATION.md): the CLI's init/destroy/credentials and VS Code's Deploy Backend call it. */
export interface DeployOptions {
  region?: string;
  profile?: string;
  /** Default "mycli". */
  stackName?: string;
  /** Template parameters to set (ExecutorImage, TaskCpu, TaskMemory, UseSpot, LogRetentionDays); others keep their values. */
  parameters?: Record<string, string>;
  /** One human-readable line per step or stack event. Never holds a secret. */
  onProgress?: (msg: string) => void;
  /** Aborting stops waiting; an update in progress is cancelled (CancelUpdateStack), a create is left to finish and named. */
  signal?: AbortSignal;
}

export interface DeployResult {
  /** The API endpoint: https://<api>.execute-api.<region>.amazonaws.com/v1/execute */
  endpoint: string;
  /** Only when a new key was generated (the stack's first deploy): show it once, store it as a secret. */
  apiKey?: string;
  stackName: string;
  region: string;
  outputs: Record<string, string>;
  /** False when the stack already matched (no changes). */
  changed: boolean;
}

export type GitCredentialKind = 'github' | 'gitlab' | 'ssh';

export interface GitCredentialOptions extends DeployOptions {
  kind: GitCredentialKind;
  /** The token, or the SSH private key (PEM/OpenSSH text, or its base64); null removes it. */
  value: string | null;
}

export const DEFAULT_STACK_NAME = 'mycli';
