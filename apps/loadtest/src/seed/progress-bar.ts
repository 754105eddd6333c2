/**
 * A progress bar for the seeding steps on stderr: redrawn in place on a terminal (at most 10 times
 * a second), one line per 10 % otherwise (CI logs).
 */
export class ProgressBar {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    this.draw(true);
  }

  tick(n = 1): void {
    this.done = Math.min(this.total, this.done + n);
    this.draw(false);
  }

  finish(note = ''): void {
    this.done = this.total;
    this.draw(true);
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`${this.tty ? '\n' : ''}${this.label}: ${this.total} done in ${secs} s${note ? ` (${note})` : ''}\n`);
  }

  private draw(force: boolean): void {
    const now = Date.now();
    const frac = this.total ? this.done / this.total : 1;
    if (this.tty) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 30;
      const full = Math.round(frac * width);
      const rate = this.done / Math.max(0.001, (now - this.started) / 1000);
      const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : 0;
      process.stderr.write(
        `\r${this.label.padEnd(22)} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${rate.toFixed(0)}/s eta ${eta}s   `,
      );
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile || (frac < 1 && decile === 10)) return;
      this.lastDecile = decile;
      if (decile < 10) process.stderr.write(`${this.label}: ${decile * 10}% (${this.done}/${this.total})\n`);
    }
  }
}
