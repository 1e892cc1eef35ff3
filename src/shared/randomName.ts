import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Random hex for names that must not collide (execution ids, temporary files), never for secrets
 * (those use node:crypto). Math.random is seeded per process from the system's entropy, which is
 * enough here; loading node:crypto sets up OpenSSL, some 10 ms of every CLI start.
 */
export function randomHex(bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return out;
}

/** `length` random bytes from the system (/dev/urandom): filler no file system stores as a hole or compresses away. */
export function randomFiller(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let at = 0; at < length; ) at += readSync(fd, out, at, length - at, null);
  } finally {
    closeSync(fd);
  }
  return out;
}
