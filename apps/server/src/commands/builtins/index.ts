import type { BuiltInCommand } from '../command-env.js';
import { header, join, leave, mute, purpose, rename } from './channel-commands.js';
import { invite, kick, remove } from './member-commands.js';
import { groupmsg, msg } from './message-commands.js';
import { away, customStatus, dnd, offline, online } from './status-commands.js';
import { code, collapse, echo, expand, help, logout, me, search, settings, shrug } from './text-commands.js';

/** The built-in commands by trigger (Mattermost registers each provider under its trigger). */
export const BUILT_INS: ReadonlyMap<string, BuiltInCommand> = new Map(
  Object.entries({
    away,
    online,
    offline,
    dnd,
    status: customStatus,
    echo,
    code,
    me,
    shrug,
    help,
    logout,
    search,
    settings,
    collapse,
    expand,
    header,
    purpose,
    rename,
    join,
    leave,
    mute,
    invite,
    kick,
    remove,
    msg,
    groupmsg,
  }),
);
