/** The recent-commands list offered by Run Remote Command. Pure: no `vscode` here. */
export const RECENT_LIMIT = 20;

/** `command` moved to the front, without duplicates, at most `limit` kept. */
export function remember(recent: readonly string[], command: string, limit = RECENT_LIMIT): string[] {
  return [command, ...recent.filter((c) => c !== command)].slice(0, limit);
}
