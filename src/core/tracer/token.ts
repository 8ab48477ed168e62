import { randomBytes } from 'node:crypto';

/** A fresh secret for one run: only processes started with it in their environment may send events. */
export function newRunToken(): string {
  return randomBytes(24).toString('hex');
}
