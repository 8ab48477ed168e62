/** The `.jsonl` session file: written live, read back (also when cut short). See docs/session-format.md. */
export * from './format';
export { RecordingWriter, type HeaderFields } from './writer';
export { readRecording, scanRecording, loadSession, runInfoFromHeader, NotARecordingError, type Recording, type LoadedSession } from './reader';
