import type { CamerasConfig, RecordConfig } from '../generated/schema-types.js';

type Complete<T> = { [K in keyof T]-?: Exclude<T[K], undefined> extends object ? Complete<Exclude<T[K], undefined>> : Exclude<T[K], undefined> };
type ModeFields = 'width' | 'height' | 'fps';

/** The configuration after defaults are filled in; only the record mode may stay open. */
export type ResolvedConfig = Complete<Omit<CamerasConfig, 'record' | 'ffmpeg'>> & {
  record: Complete<Omit<RecordConfig, ModeFields>> & Pick<RecordConfig, ModeFields>;
  ffmpeg: { path?: string };
};
export type ConfigSection = keyof CamerasConfig;
export type { CamerasConfig };
