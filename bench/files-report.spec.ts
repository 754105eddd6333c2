import { describe, expect, it } from 'vitest';
import { FILES_SECTION, goals, mbPerSec, reference, renderFilesMarkdown, type FilesResults, type Method, type SizeResults } from './files-report.js';
import { replaceSection } from './report.js';

const method = (how: string, role: Method['role'], walls: number[], note?: string): Method => ({
  how,
  role,
  note,
  runs: walls.map((wallSec) => ({ wallSec })),
});

// 10 files of 1 MB: a batch of 0.1 s is 100 MB/s.
const size = (methods: Method[]): SizeResults => ({ label: '1 MB', fileBytes: 1_000_000, files: 10, concurrency: 2, methods });

const results = (sizes: SizeResults[], growthKiB = 10 * 1024): FilesResults => ({
  date: '2026-12-04 12:00 UTC',
  command: 'npm run bench:files',
  machine: { nproc: 2, cpuModel: 'Test CPU', totalRamGiB: 4, node: 'v20', postgres: '15', loadAverage1m: 0 },
  filesystem: 'ext4 (/dev/vda)',
  loadAveragesBefore: [0.1, 0.2, 0.3],
  loadAverageAfter1m: 0.4,
  rounds: 3,
  sizes,
  images: {
    width: 4000,
    height: 3000,
    jpegBytes: 3_500_000,
    count: 10,
    concurrency: 2,
    upload: { wallSec: 2, serverCpuSec: 3 },
    decode: { wallSec: 1 },
    sharpConcurrency: 1,
  },
  rss: [
    {
      form: 'multipart',
      uploads: 10,
      fileBytes: 50_000_000,
      wallSec: 1,
      baselineKiB: 200 * 1024,
      peakKiB: 200 * 1024 + growthKiB,
      afterKiB: 200 * 1024,
      samples: 40,
      maxGapMs: 60,
    },
  ],
});

describe('bench:files figures', () => {
  it('takes the median round of a method, so that one disturbed round does not move it', () => {
    const s = size([method('raw', 'upload', [0.1, 0.5, 0.2])]);
    expect(mbPerSec(s, s.methods[0])).toBe(50);
  });

  it('compares uploads with the faster plain write, never with cp’s in-kernel copy', () => {
    const s = size([
      method('raw', 'upload', [0.2, 0.2, 0.2]),
      method('node write stream', 'disk', [0.4, 0.4, 0.4]),
      method('cat', 'disk', [0.3, 0.3, 0.3]),
      method('cp', 'disk', [0.01, 0.01, 0.01], 'in-kernel copy_file_range'),
    ]);
    expect(reference(s).how).toBe('cat');
    const [upload] = goals(results([s]));
    expect(upload.met).toBe(true);
    expect(upload.measured).toBe('raw 150 % of cat (33.3 MB/s)');
  });

  it('misses the upload goal when any form is under half of the reference', () => {
    const s = size([method('raw', 'upload', [0.1, 0.1, 0.1]), method('multipart', 'upload', [0.25, 0.25, 0.25]), method('cat', 'disk', [0.1, 0.1, 0.1])]);
    const [upload] = goals(results([s]));
    expect(upload.met).toBe(false);
    expect(upload.measured).toBe('raw 100 %, multipart 40 % of cat (100 MB/s)');
  });

  it('meets the memory goal below 64 MiB of growth only', () => {
    const s = size([method('raw', 'upload', [0.1]), method('cat', 'disk', [0.1])]);
    expect(goals(results([s], 63 * 1024)).at(-1)!.met).toBe(true);
    expect(goals(results([s], 64 * 1024)).at(-1)!.met).toBe(false);
  });

  it('renders a section that replaces its own heading only', () => {
    const s = size([method('raw', 'upload', [0.1]), method('bare Node HTTP, raw', 'node-http', [0.05]), method('cat', 'disk', [0.1])]);
    const section = renderFilesMarkdown(results([s]));
    expect(section.startsWith(`${FILES_SECTION}\n`)).toBe(true);
    expect(section).toContain('| 1 MB | raw | **100** (100–100) | 100 % | 50 % |');
    expect(section).toContain('**5 images/s**');
    const doc = '# Benchmarks\n\n## bench:sso\n\nsso figures\n';
    expect(replaceSection(doc, FILES_SECTION, section)).toBe(`${doc}\n${section}`);
  });
});
