/** Classifies and checks repository URLs. Which kinds a backend accepts is the caller's choice. */
export type RepoKind = 'https' | 'http' | 'git' | 'ssh' | 'scp' | 'file' | 'path';

export const REMOTE_KINDS: readonly RepoKind[] = ['https', 'ssh', 'scp'];
export const LOCAL_ONLY_KINDS: readonly RepoKind[] = ['http', 'git', 'file', 'path'];

const SCP_LIKE = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!\/\/)[^\s]*$/;
/** `user:token@host:path` parses as scp-like with host `user`: it carries a secret. */
const SCP_WITH_PASSWORD = /^[^@/]*:[^/]*@[^/]*:/;

const PASSWORD_IN_URL =
  'contains a password or token; remove it from the URL and configure the token as GITHUB_TOKEN or GITLAB_TOKEN instead';

const TOKEN_USER =
  'has a user name that looks like a token; remove it from the URL and configure the token as GITHUB_TOKEN or GITLAB_TOKEN (or with mycli config set git.github_token -) instead';

/**
 * A URL's user name that is likely a credential: the known token prefixes (GitHub, GitLab,
 * Bitbucket, Azure), or a long run of letters and digits no one picks as a login name.
 */
export function looksLikeToken(user: string): boolean {
  const u = decodeURIComponent(user);
  if (/^(gh[pousr]_|github_pat_|glpat-|glptt-|gldt-|glrt-|ATBB|xox[abp]-)/.test(u)) return true;
  return u.length >= 20 && /[0-9]/.test(u) && /[A-Za-z]/.test(u) && /^[A-Za-z0-9_.~+/=-]+$/.test(u);
}

export type RepoCheck = { kind: RepoKind } | { problem: string };

export function classifyRepoUrl(url: string): RepoCheck {
  if (url.trim() !== url || url.length === 0) return { problem: 'is empty or has leading/trailing spaces' };
  if (url.length > 2048) return { problem: 'is longer than 2048 characters' };
  if (url.startsWith('-')) return { problem: 'starts with "-"' };
  if (/[\x00-\x1f\x7f]/.test(url)) return { problem: 'contains a control character' };
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return { problem: 'uses a "transport::address" form (such as ext::), which mycli refuses' };
  if (url.startsWith('/')) return { kind: 'path' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: 'is not a valid URL' };
    }
    if (parsed.password) {
      return { problem: PASSWORD_IN_URL };
    }
    if (parsed.username && looksLikeToken(parsed.username)) return { problem: TOKEN_USER };
    if (scheme === 'file') return { kind: 'file' };
    if (!parsed.hostname) return { problem: 'has no host' };
    if (parsed.hostname.startsWith('-')) return { problem: 'has a host name starting with "-"' };
    if (scheme === 'https' || scheme === 'http' || scheme === 'git' || scheme === 'ssh') return { kind: scheme };
    return { problem: `uses the unsupported scheme "${scheme}://" (use https://, ssh:// or user@host:path)` };
  }
  if (SCP_WITH_PASSWORD.test(url)) {
    return { problem: PASSWORD_IN_URL };
  }
  if (SCP_LIKE.test(url)) {
    const user = /^([^@]+)@/.exec(url)?.[1];
    return user && looksLikeToken(user) ? { problem: TOKEN_USER } : { kind: 'scp' };
  }
  if (url.startsWith('./') || url.startsWith('../') || url === '.' || url === '..') return { kind: 'path' };
  return { problem: 'is not a Git URL (use https://host/owner/repo.git, ssh://host/path, user@host:path or, on the local backend, a local path)' };
}

/** The URL with any password, and a user name that looks like a token, masked: for records, logs and messages. */
export function redactRepoUrl(url: string): string {
  const masked = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/]*@/, '$1:***@');
  return masked.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/@:]+)(?=(:\*\*\*)?@)/, (all, scheme: string | undefined, user: string) =>
    looksLikeToken(user) ? `${scheme ?? ''}***` : all);
}
