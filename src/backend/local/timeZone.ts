/** The machine's time zone, for a run's TZ when the caller sets none. */
import { readlinkSync } from 'node:fs';

/**
 * Its name as /etc/localtime links to it (`…/zoneinfo/Europe/Berlin`): Intl says the same but
 * starting ICU's time zone data costs about 10 ms on every run. Intl where there is no such link.
 */
export function machineTimeZone(): string {
  try {
    const link = readlinkSync('/etc/localtime');
    const at = link.lastIndexOf('zoneinfo/');
    if (at >= 0 && link.length > at + 9) return link.slice(at + 9);
  } catch {
    // not a link (a copied file) or no such file
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
