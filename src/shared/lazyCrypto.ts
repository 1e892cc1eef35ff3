/**
 * node:crypto, loaded on first use: loading it sets up OpenSSL, some 10 ms, which the CLI's start
 * (and the extension's activation) should not pay when no key or secret is made or checked.
 */
export const loadCrypto = (): typeof import('node:crypto') => require('node:crypto') as typeof import('node:crypto');
