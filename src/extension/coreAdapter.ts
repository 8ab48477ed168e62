/**
 * The seam between the extension and the core (src/core): how a traced run is started and how a
 * recording is read, as the run controller and Open Recording need them. No `vscode` import.
 */
import type { RunBackend } from './runBackend';
import type { ViewableSession } from './sessionStore';

export interface CoreServices {
  readonly launch: RunBackend;
  readonly openRecording: (file: string) => Promise<{ session: ViewableSession; warnings: readonly string[] }>;
}

const notYet = (what: string): Error => new Error(`${what} is not available in this build of Process View yet.`);

export function createCoreServices(): CoreServices {
  return {
    launch: () => Promise.reject(notYet('Running a script')),
    openRecording: () => Promise.reject(notYet('Opening a recording')),
  };
}
