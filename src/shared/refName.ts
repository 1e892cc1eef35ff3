/**
 * Branch-name check: the rules of `git check-ref-format --branch`, plus the shell
 * metacharacters mycli refuses on top of git (a branch such as `feat;rm` is almost
 * certainly a mistake or an attack, and refusing it keeps every log line unambiguous).
 * Returns the reason the name is invalid, or undefined when it is valid.
 */
const GIT_FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;
const SHELL_META = /[;&|<>$`'"(){}!#]/;

export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 255) return 'is longer than 255 characters';
  if (name.startsWith('-')) return 'starts with "-"';
  if (name === '@') return 'is "@"';
  if (name === 'HEAD') return 'is "HEAD"';
  if (GIT_FORBIDDEN.test(name)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (SHELL_META.test(name)) return 'contains a shell metacharacter (; & | < > $ ` \' " ( ) { } ! #)';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component';
  if (name.endsWith('.')) return 'ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'has a path component starting with "."';
    if (part.endsWith('.lock')) return 'has a path component ending with ".lock"';
  }
  return undefined;
}
