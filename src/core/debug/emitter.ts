import type { Event } from './backend';

/**
 * The debug backends' event source. A listener's bug must not keep the others from the event.
 * With `keepEarly`, what is fired before anybody listens is kept for the first listener (a replay
 * announces its processes and first stop as it opens, before the adapter subscribes).
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private early: T[] | null;

  constructor(options: { readonly keepEarly?: boolean } = {}) {
    this.early = options.keepEarly ? [] : null;
  }

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    const early = this.early;
    this.early = null;
    for (const v of early ?? []) listener(v);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    if (this.early !== null) {
      this.early.push(value);
      return;
    }
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // ignored: see the class comment
      }
    }
  }

  clear(): void {
    this.listeners.clear();
    this.early = null;
  }
}
