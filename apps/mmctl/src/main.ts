#!/usr/bin/env node
/**
 * mmctl for mmchat: Mattermost's admin CLI (server/cmd/mmctl), same commands and flags, talking to
 * a server only over its API with @mattermost/client — with stored credentials (`auth login`), or
 * with --local over the node's Unix socket (ServiceSettings.EnableLocalMode) and no token.
 * `npm run mmctl -- <command>` or the `mmctl` bin.
 */
import { Command, CommanderError, Option } from 'commander';
import { state } from './command.js';
import { authCommand } from './commands/auth.js';
import { channelCommand } from './commands/channel.js';
import { configCommand } from './commands/config.js';
import { jobCommand } from './commands/jobs.js';
import { systemCommand, clusterCommand } from './commands/system.js';
import { teamCommand } from './commands/team.js';
import { exportCommand, importCommand } from './commands/transfer.js';
import { rolesCommands, userCommand } from './commands/user.js';
import { MMCTL_VERSION, type GlobalOptions } from './context.js';
import { describeError, MultiError } from './errors.js';
import { printer } from './printer.js';

export function buildProgram(): Command {
  const program = new Command('mmctl')
    .description("Remote client for mmchat (Mattermost-compatible), as Mattermost's mmctl")
    .version(MMCTL_VERSION, '-v, --version')
    .option('--config <path>', 'path to the configuration file (default "$XDG_CONFIG_HOME/mmctl/config")')
    .option('--json', 'the output format will be in json format')
    .addOption(new Option('--format <format>', 'the format of the command output').choices(['plain', 'json']).default('plain').hideHelp())
    .option('--local', 'allows communicating with the server through a unix socket (also MMCTL_LOCAL=true; MMCTL_LOCAL_SOCKET_PATH)')
    .option('--quiet', 'prevent mmctl to generate output for the commands')
    .option('--suppress-warnings', 'disables printing warning messages')
    .showHelpAfterError()
    .hook('preAction', (_this, action) => {
      const g = action.optsWithGlobals<GlobalOptions>();
      printer.format = g.json || g.format === 'json' ? 'json' : 'plain';
      printer.quiet = !!g.quiet;
    });
  program.addCommand(authCommand());
  program.addCommand(configCommand());
  program.addCommand(userCommand());
  rolesCommands(program, 'roles');
  program.addCommand(teamCommand());
  program.addCommand(channelCommand());
  program.addCommand(clusterCommand());
  program.addCommand(jobCommand());
  program.addCommand(exportCommand());
  program.addCommand(importCommand());
  program.addCommand(systemCommand());

  // Every command exits 1 on a usage error (commander's default would also call process.exit).
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    printer.flush();
    return 0;
  } catch (err) {
    printer.flush(true);
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : 1;
    }
    if (!(err instanceof MultiError)) process.stderr.write(`Error: ${describeError(err, state.target)}\n`);
    return 1;
  }
}

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
