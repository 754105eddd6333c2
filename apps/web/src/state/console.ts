/**
 * The System Console's data (system admins only): each part is a module beside this one
 * (console-cluster, console-jobs, console-directory, console-config) with its pure functions and
 * specs. This module holds only what the initial bundle needs: the slice's shape, its initial value
 * and who may open the console; the console's screens and actions are loaded with import().
 */
import type { UserProfile } from '@mattermost/types/users';
import { initialClusterStatus, type ClusterStatus } from './console-cluster';
import { initialConsoleConfig, type ConsoleConfig } from './console-config';
import { initialDirectory, type Directory } from './console-directory';
import { initialConsoleJobs, type ConsoleJobs } from './console-jobs';

export interface ConsoleState {
  cluster: ClusterStatus;
  jobs: ConsoleJobs;
  directory: Directory;
  config: ConsoleConfig;
}

export const initialConsole: ConsoleState = {
  cluster: initialClusterStatus,
  jobs: initialConsoleJobs,
  directory: initialDirectory,
  config: initialConsoleConfig,
};

/** Whether a user holds Mattermost's system_admin role (the console is theirs; the server checks each call too). */
export function isSystemAdmin(user: Pick<UserProfile, 'roles'> | undefined): boolean {
  return !!user && user.roles.split(/\s+/).includes('system_admin');
}
