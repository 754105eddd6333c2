/**
 * mmctl's printer (cmd/mmctl/printer): commands add lines; at the end they are written to stdout,
 * as text (each line from a template) or, with --json, as one JSON document — a list of what was
 * printed, or the object alone for commands that print one thing ("single"). Errors go to stderr.
 */
export type Format = 'plain' | 'json';

export class Printer {
  format: Format = 'plain';
  single = false;
  quiet = false;
  /** For list commands: "There are N <entity>s on <server>" on stderr after the list, as mmctl. */
  stat: { entity: string; server: string } | null = null;
  private lines: unknown[] = [];
  private errorLines: string[] = [];

  constructor(
    private readonly out: (s: string) => void = (s) => process.stdout.write(s),
    private readonly err: (s: string) => void = (s) => process.stderr.write(s),
  ) {}

  /**
   * `text` is what plain output shows; `value` what --json shows (defaults to the text; passing
   * `undefined` explicitly keeps a human note such as "No jobs found" out of the JSON).
   */
  print(text: string, ...value: unknown[]): void {
    if (this.quiet) return;
    if (this.format !== 'json') this.lines.push(text);
    else if (value.length === 0) this.lines.push(text);
    else if (value[0] !== undefined) this.lines.push(value[0]);
  }

  /** Always JSON (mmctl's config get/show set the JSON format whatever --json says). */
  printJson(value: unknown): void {
    this.format = 'json';
    this.single = true;
    this.print('', value);
  }

  error(message: string): void {
    this.errorLines.push(message);
  }

  /** A warning goes out at once (mmctl's PrintWarning). */
  warn(message: string): void {
    if (!this.quiet) this.err(`WARNING: ${message}\n`);
  }

  get count(): number {
    return this.lines.length;
  }

  /** `failed`: the command failed, so an empty JSON list is not worth printing. */
  flush(failed = false): void {
    if (!this.quiet && !(failed && this.lines.length === 0)) {
      if (this.format === 'json') {
        if (this.single && this.lines.length === 1) this.out(JSON.stringify(this.lines[0], null, 2) + '\n');
        else if (!(this.single && this.lines.length === 0)) this.out(JSON.stringify(this.lines, null, 2) + '\n');
      } else {
        for (const line of this.lines) this.out(`${String(line)}\n`);
      }
      if (this.stat && this.lines.length > 0) {
        const on = this.stat.server ? ` on ${this.stat.server}` : '';
        this.err(`There are ${this.lines.length} ${this.stat.entity}s${on}\n`);
      }
    }
    for (const e of this.errorLines) this.err(`${e}\n`);
    this.lines = [];
    this.errorLines = [];
  }
}

export const printer = new Printer();
