import { EventEmitter } from 'eventemitter3';
import type { FileClosed, FileOpened } from '../events/file_events.js';

export interface FileLifecycleEvents {
  file_opened: (file: FileOpened) => void;
  file_closed: (file: FileClosed) => void;
}

/**
 * Every file the module writes announces itself here once when created and once when final,
 * so consumers of files (the segment index, encryption, the view) plug in at one place.
 * One instance per module instance (DI token FileLifecycle).
 */
export class FileLifecycle extends EventEmitter<FileLifecycleEvents> {
  opened(file: FileOpened): void {
    this.emit('file_opened', file);
  }

  closed(file: FileClosed): void {
    this.emit('file_closed', file);
  }
}
