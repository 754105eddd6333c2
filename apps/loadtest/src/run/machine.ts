/** What a run ran on (bench/machine.ts), without failing when the PostgreSQL admin connection is not available. */
import { cpus, loadavg, totalmem } from 'node:os';
import { machineInfo } from '../../../../bench/machine.js';

export async function machineInfoOrNote(adminDsn: string): Promise<Record<string, unknown>> {
  try {
    return { ...(await machineInfo(adminDsn)) };
  } catch (err) {
    return {
      nproc: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalRamGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      postgres: `unknown (${(err as Error).message})`,
      loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    };
  }
}
