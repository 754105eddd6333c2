/**
 * The ids of the files an export's lines named, in order, kept until the lines are written and
 * the files can follow (a zip holds one entry at a time, and import.jsonl is open until the end).
 * Ids of a batch are kept as one string, 26 characters each: about 26 bytes a file, where a list
 * of path strings would cost several times that on a large server.
 */
export class AttachmentList {
  private readonly chunks: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(ids: string[]): void {
    if (ids.length === 0) return;
    if (ids.some((id) => id.length !== 26)) throw new Error('a file id is 26 characters');
    this.chunks.push(ids.join(''));
    this.count += ids.length;
  }

  /** The ids in the order they were added, `size` at a time. */
  *batches(size: number): Generator<string[]> {
    let batch: string[] = [];
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i += 26) {
        batch.push(chunk.slice(i, i + 26));
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length) yield batch;
  }
}
