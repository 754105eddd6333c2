import { availableParallelism } from 'node:os';

/**
 * How many images this node decodes at once (FileSettings.MaxImageDecoderConcurrency). Decoding
 * is where an image costs memory — up to MaxImageResolution × 4 bytes of pixels, and more while
 * resizing — and CPU; Mattermost puts one decoder with this many slots in front of all of it, so
 * that a burst of uploads waits its turn instead of multiplying the peak. -1, the default, is one
 * slot per CPU (Mattermost's runtime.NumCPU()).
 */
export function decoderLimit(setting: number): number {
  return setting === -1 ? availableParallelism() : Math.max(1, Math.floor(setting));
}

/**
 * A counting semaphore whose size is read at each use, so that a config change applies to the
 * next image; waiters are served in arrival order.
 */
export class DecodeSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** Runs `work` once fewer than `limit` others are running. */
  async run<T>(limit: number, work: () => Promise<T>): Promise<T> {
    if (this.running < limit) this.running++;
    else await new Promise<void>((ok) => this.waiting.push(ok));
    try {
      return await work();
    } finally {
      this.running--;
      while (this.running < limit && this.waiting.length > 0) {
        this.running++;
        this.waiting.shift()!();
      }
    }
  }

  /** Decodes running and waiting (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

/** The node's one set of slots (Mattermost's one imgDecoder per server). */
export const imageDecodeSlots = new DecodeSlots();
