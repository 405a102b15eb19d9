export { Recorder, normalizeWindow, type RecorderConfig, type ClipRequest, type ClipResult, type PtsValue } from './recorder.js';
export { timebaseFromHealth, epochMsToPts, ptsToEpochMs, type Timebase } from './timebase.js';
export { ClipError, ClipRequestError, ClipHttpError, ClipTimeoutError } from './errors.js';
