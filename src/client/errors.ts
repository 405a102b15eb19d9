/** Any failure to get a clip; callers decide whether to retry, drop or log. */
export class ClipError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClipError';
  }
}

/** The request itself is wrong (mixed or missing window, stop <= start, a negative mapped pts). Nothing was sent. */
export class ClipRequestError extends ClipError {
  constructor(message: string) {
    super(message);
    this.name = 'ClipRequestError';
  }
}

/** The producer answered with a non-2xx status, unreadable JSON, or could not be reached (status null). */
export class ClipHttpError extends ClipError {
  constructor(message: string, readonly status: number | null, readonly body: unknown = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClipHttpError';
  }
}

/** The job did not reach done or error in time. */
export class ClipTimeoutError extends ClipError {
  constructor(message: string, readonly clipId: string, readonly lastStatus: string | null) {
    super(message);
    this.name = 'ClipTimeoutError';
  }
}
