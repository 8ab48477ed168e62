/**
 * Writes a session file as the run goes: the header first, then events and samples in the order
 * they arrive, then an end line. Each record is one `write` of one whole line, so the file is
 * valid up to its last newline whatever happens to the process.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { TracerEvent } from '../protocol/events';
import type { Snapshot } from '../sampler/types';
import { SESSION_FORMAT, SESSION_FORMAT_VERSION, type EndRecord, type HeaderRecord } from './format';

export type HeaderFields = Omit<HeaderRecord, 'type' | 'format' | 'version'>;

export class RecordingWriter {
  private readonly out: WriteStream;
  private error: Error | null = null;
  private closed = false;

  constructor(
    readonly path: string,
    header: HeaderFields,
  ) {
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      this.error ??= e;
    });
    this.line({ type: 'header', format: SESSION_FORMAT, version: SESSION_FORMAT_VERSION, platform: process.platform, ...header });
  }

  /** The first write error (disk full, permissions), if any: later records were lost. */
  get failure(): Error | null {
    return this.error;
  }

  writeEvent(event: TracerEvent): void {
    this.line({ type: 'event', event });
  }

  writeSample(sample: Snapshot): void {
    this.line({ type: 'sample', sample });
  }

  /** Write the end line and close the file. */
  end(end: Omit<EndRecord, 'type'>): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.line({ type: 'end', ...end });
    this.closed = true;
    return new Promise((resolve, reject) => {
      this.out.end(() => (this.error ? reject(this.error) : resolve()));
    });
  }

  private line(record: object): void {
    if (this.closed || this.error) return;
    this.out.write(`${JSON.stringify(record)}\n`);
  }
}
