import { Inject, Injectable, Logger } from '@nestjs/common';
import { invalidParam, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { postToIntegration } from './action-request.js';
import { decodeDialog, dialogProblems, type Dialog, type OpenDialogRequest, type SubmitDialogRequest } from './dialog.js';
import { IntegrationKeys } from './integration-keys.service.js';
import { verifyTriggerId } from './trigger-ids.js';

type Json = Record<string, unknown>;

/** What a submission answers (model.SubmitDialogResponse; each field only when set). */
export interface SubmitDialogAnswer {
  error?: string;
  errors?: Record<string, string>;
  type?: string;
  form?: Dialog;
}

export interface DialogDeps {
  config: Pick<ConfigService, 'get'>;
  permissions: Pick<PermissionsService, 'hasChannel' | 'hasTeam'>;
  publisher: Pick<EventPublisher, 'publish'>;
  keys: Pick<IntegrationKeys, 'triggerKey'>;
  request?: (url: string, payload: unknown) => Promise<string>;
}

@Injectable()
export class DialogDepsProvider implements DialogDeps {
  constructor(
    readonly config: ConfigService,
    readonly permissions: PermissionsService,
    readonly publisher: EventPublisher,
    readonly keys: IntegrationKeys,
  ) {}
}

/**
 * Interactive dialogs (api4 openDialog / submitDialog, app OpenInteractiveDialog /
 * SubmitInteractiveDialog). An integration opens a dialog with the trigger id it was handed: the
 * id must carry this server's signature and be younger than
 * ServiceSettings.OutgoingIntegrationRequestsTimeout (Mattermost's current rule; older releases
 * allowed three minutes), and the dialog goes to the user the id was made for, whoever calls. A
 * submission goes to the dialog's URL, and the integration's errors come back to the user.
 */
@Injectable()
export class DialogsService {
  private readonly log = new Logger('Dialogs');

  constructor(@Inject(DialogDepsProvider) private readonly deps: DialogDeps) {}

  /** POST /actions/dialogs/open: the open_dialog event to the trigger id's user. */
  open(request: OpenDialogRequest): void {
    if (request.url === '') throw invalidParam('url');
    const timeoutMs = this.deps.config.get().ServiceSettings.OutgoingIntegrationRequestsTimeout * 1000;
    const { clientTriggerId, userId } = verifyTriggerId(request.trigger_id, this.deps.keys.triggerKey, timeoutMs);
    // Mattermost opens an invalid dialog all the same and only logs what is wrong with it.
    const problems = dialogProblems(request);
    if (problems.length > 0) this.log.warn(`Interactive dialog is invalid: ${problems.join('; ')}`);
    const dialog = JSON.stringify({ ...request, trigger_id: clientTriggerId });
    this.deps.publisher.publish(newEvent(WsEvents.OpenDialog, { user_id: userId }, { dialog }));
  }

  /** POST /actions/dialogs/submit: read_channel on the channel and view_team on the team, then the integration's answer. */
  async submit(session: Session, submit: SubmitDialogRequest): Promise<SubmitDialogAnswer> {
    if (submit.url === '') throw invalidParam('url');
    if (!(await this.deps.permissions.hasChannel(session, submit.channel_id, 'read_channel'))) throw permissionDenied('read_channel');
    if (!(await this.deps.permissions.hasTeam(session, submit.team_id, 'view_team'))) throw permissionDenied('view_team');
    // model.SubmitDialogRequest as the integration gets it, in its field order (url left out).
    const payload = {
      type: 'dialog_submission',
      callback_id: submit.callback_id,
      state: submit.state,
      user_id: session.user_id,
      channel_id: submit.channel_id,
      team_id: submit.team_id,
      submission: submit.submission,
      cancelled: submit.cancelled,
    };
    const request = this.deps.request ?? ((url: string, body: unknown) => postToIntegration(this.deps.config.get(), url, body));
    return decodeSubmitAnswer(await request(submit.url, payload));
  }
}

/**
 * The integration's answer to a submission: what decodes of it (Mattermost does not fail on an
 * answer it cannot read; an empty one is a success).
 */
export function decodeSubmitAnswer(body: string): SubmitDialogAnswer {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const v = value as Json;
  const out: SubmitDialogAnswer = {};
  if (typeof v.error === 'string' && v.error !== '') out.error = v.error;
  if (v.errors !== null && typeof v.errors === 'object' && !Array.isArray(v.errors)) {
    const errors = Object.fromEntries(Object.entries(v.errors as Json).filter(([, m]) => typeof m === 'string')) as Record<string, string>;
    if (Object.keys(errors).length > 0) out.errors = errors;
  }
  if (typeof v.type === 'string' && v.type !== '') out.type = v.type;
  if (v.form !== null && typeof v.form === 'object' && !Array.isArray(v.form)) {
    try {
      out.form = decodeDialog(v.form);
    } catch {
      // A form that does not decode is left out, as Go's decoder leaves what it cannot read.
    }
  }
  return out;
}
