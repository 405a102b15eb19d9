import type { CamerasConfig } from '../generated/schema-types.js';

type Complete<T> = { [K in keyof T]-?: T[K] extends object ? Complete<T[K]> : T[K] };

/** The configuration after defaults are filled in; every section and field is present. */
export type ResolvedConfig = Complete<Omit<CamerasConfig, 'ffmpeg'>> & { ffmpeg: { path?: string } };
export type { CamerasConfig };
