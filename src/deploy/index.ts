/**
 * The AWS deployer: creates, updates and deletes the mycli stack and its Git-credentials secret.
 * A library with progress callbacks and cancellation, so the CLI and the VS Code extension share it.
 * The AWS SDK loads only when one of these functions runs.
 */
export type { DeployOptions, DeployResult, GitCredentialKind, GitCredentialOptions } from './types';
export { DEFAULT_STACK_NAME } from './types';
export { deployBackend, destroyBackend } from './stack';
export { setGitCredential, gitSecretName } from './gitSecret';
