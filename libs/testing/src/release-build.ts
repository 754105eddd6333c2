/**
 * A previous release built from git history, for mixed-version (rolling upgrade) tests: a detached
 * worktree at the release's commit, this checkout's node_modules linked in, compiled with its own
 * tsconfig.build.json. There are no release tags yet: PREVIOUS_RELEASE names the commit that was
 * release 0.1.0. A checkout without that commit (a shallow clone) cannot run such a test: it fails
 * with a message saying so, never skips.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './server-process.js';

const run = promisify(execFile);

/** Release N, the one before this build: 0.1.0, which was main at this commit. */
export const PREVIOUS_RELEASE = { version: '0.1.0', commit: '57cdc49' } as const;

export interface ReleaseBuild {
  version: string;
  commit: string;
  /** Its dist/apps/server/main.js (ServerProcess.useBuild / ClusterOptions.entry). */
  entry: string;
  /** Removes the worktree (and its build). */
  remove(): Promise<void>;
}

const git = (args: string[], cwd = REPO_ROOT) => run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 });

/** Builds `release` (its commit) in a temporary worktree; throws, saying why, if the checkout lacks the commit. */
export async function buildRelease(release: { version: string; commit: string } = PREVIOUS_RELEASE): Promise<ReleaseBuild> {
  const shallow = (await git(['rev-parse', '--is-shallow-repository']).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
  const present = await git(['cat-file', '-e', `${release.commit}^{commit}`]).then(
    () => true,
    () => false,
  );
  if (!present) {
    throw new Error(
      `release ${release.version} is built from commit ${release.commit}, which this checkout of ${REPO_ROOT} does not have` +
        (shallow === 'true' ? ' (it is a shallow clone: run `git fetch --unshallow` first)' : '') +
        ': the rolling-upgrade test needs the git history.',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), `mm-release-${release.version}-`));
  rmSync(dir, { recursive: true, force: true }); // git worktree add wants to create it
  await git(['worktree', 'add', '--detach', dir, release.commit]);
  const remove = async () => {
    await git(['worktree', 'remove', '--force', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await git(['worktree', 'prune']).catch(() => undefined);
  };
  try {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    const entry = join(dir, 'dist/apps/server/main.js');
    if (!existsSync(entry)) throw new Error(`building release ${release.version} left no ${entry}`);
    return { ...release, entry, remove };
  } catch (err) {
    await remove();
    const e = err as Error & { stdout?: string };
    throw new Error(`building release ${release.version} (${release.commit}) failed: ${e.message}\n${e.stdout?.slice(-3000) ?? ''}`);
  }
}
