import type { StatusMessage } from '../../src/events/statuses.js';

/** Every status any unit test saw; a suite validates them all against their schemas at the end. */
export const seenStatuses: StatusMessage[] = [];

export function recordStatus(message: StatusMessage): void {
  seenStatuses.push(message);
}
