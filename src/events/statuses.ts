import type { StatusPayloads } from '../generated/schema-types.js';

export type StatusName = keyof StatusPayloads;
export type { StatusPayloads };

/** A status as the host receives it: its name, payload, the id of the command it answers. */
export type StatusMessage = {
  [K in StatusName]: {
    readonly status: K;
    readonly data: StatusPayloads[K];
    readonly command_id?: string;
    /** ISO 8601, when the module emitted it. */
    readonly timestamp: string;
  };
}[StatusName];

export type StatusCallback = (message: StatusMessage) => void;
