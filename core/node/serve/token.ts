import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes as hex: the secret in the link `pruneflow serve` prints, as notebook servers do. */
export const createToken = (): string => randomBytes(32).toString('hex');

/** Compares in constant time, so response timing does not leak how much of a guess was right. */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
