import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A pass not redeemed within this long is void (the window loads its page within a second or two). */
const PASS_LIFETIME_MS = 60_000;

/**
 * One-time passes that let the module's own window in when the server wants a token. The
 * browser's command line (readable by other local users) carries only a pass; redeeming it
 * once sets the HttpOnly token cookie in the window's private profile and voids it.
 */
export class WindowPasses {
  private readonly open = new Map<string, number>();

  issue(now = Date.now()): string {
    const pass = randomBytes(24).toString('base64url');
    this.open.set(pass, now + PASS_LIFETIME_MS);
    return pass;
  }

  redeem(given: string | null, now = Date.now()): boolean {
    if (!given) return false;
    for (const [pass, expires] of this.open) {
      if (expires < now) {
        this.open.delete(pass);
        continue;
      }
      const a = Buffer.from(pass);
      const b = Buffer.from(given);
      if (a.length === b.length && timingSafeEqual(a, b)) {
        this.open.delete(pass);
        return true;
      }
    }
    return false;
  }
}
