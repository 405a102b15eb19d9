/** The host's session: its id, its folder (RPi_Logger layout) and the last trial number used. */
export class SessionState {
  id: string | null = null;
  dir: string | null = null;
  lastTrial = 0;

  reset(id: string | null, dir: string | null): void {
    this.id = id;
    this.dir = dir;
    this.lastTrial = 0;
  }
}
