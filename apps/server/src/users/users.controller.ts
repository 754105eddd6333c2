import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest, invalidParam, invalidUrlParam, isValidId } from '#common';
import { ConfigService } from '#config';
import { clientAddress } from '../common/client-address.js';
import { Audited, auditTarget } from '../audits/audited.js';
import { CurrentSession, Public, TrustRequester } from '../common/decorators.js';
import {
  bodyIdList,
  bodyObject,
  bodyStringList,
  intParam,
  optional,
  optionalStringMap,
  pagination,
  parseBoolParam,
  required,
  urlId,
  urlUserId,
} from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import { sendPng } from '../common/send-png.js';
import type { Session } from '../common/session.js';
import { clearSessionCookies, setSessionCookies } from '../auth/session-cookies.js';
import { SessionsService } from '../auth/sessions.service.js';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { AccessTokensService, tokenView } from './access-tokens.service.js';
import { LoginService } from './login.service.js';
import { ProfilePicturesService } from './profile-pictures.service.js';
import { defaultProfileImage } from './profile-image.js';
import { UserDirectoryService } from './user-directory.service.js';
import { UserListFilter } from './users.repository.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { SignUpInput, UserPatch, UsersService } from './users.service.js';

const OK = { status: 'OK' };

const targetDetail = (what: string) => (_result: unknown, req: ApiRequest) => `${auditTarget(req)} ${what}`;
const bodyTokenDetail = (what: string) => (_result: unknown, req: ApiRequest) =>
  `${what} token_id=${String((req.body as { token_id?: unknown } | undefined)?.token_id ?? '')}`;

@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginService,
    private readonly directory: UserDirectoryService,
    private readonly tokens: AccessTokensService,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly pictures: ProfilePicturesService,
    private readonly verification: EmailVerificationService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  // ---- sign-up, login, logout -------------------------------------------------------------

  @Public()
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Query('iid') inviteId: string | undefined, @Query('t') token: string | undefined, @Req() req: ApiRequest) {
    const b = bodyObject(body, 'user');
    const input: SignUpInput = {
      username: optional(b, 'username', 'string'),
      email: optional(b, 'email', 'string'),
      password: optional(b, 'password', 'string'),
      nickname: optional(b, 'nickname', 'string'),
      first_name: optional(b, 'first_name', 'string'),
      last_name: optional(b, 'last_name', 'string'),
      position: optional(b, 'position', 'string'),
      locale: optional(b, 'locale', 'string'),
      props: optionalStringMap(b, 'props'),
      notify_props: optionalStringMap(b, 'notify_props'),
      timezone: optionalStringMap(b, 'timezone'),
      email_verified: optional(b, 'email_verified', 'boolean'),
    };
    return this.users.signUp(req.session, input, { inviteId: inviteId || undefined, token: token || undefined });
  }

  // ---- email verification and password recovery (no session: the mailed link is the proof) ----

  @Public()
  @Audited('email verified with a mailed link')
  @Post('email/verify')
  async verifyEmail(@Body() body: unknown, @Req() req: ApiRequest) {
    req.auditUserId = await this.verification.verify(bodyString(body, 'token'));
    return OK;
  }

  @Public()
  @Post('email/verify/send')
  async sendVerificationEmail(@Body() body: unknown) {
    await this.verification.resend(bodyString(body, 'email'));
    return OK;
  }

  @Public()
  @Post('password/reset/send')
  async sendPasswordReset(@Body() body: unknown, @Req() req: ApiRequest) {
    await this.passwordReset.sendLink(bodyString(body, 'email'), clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader));
    return OK;
  }

  @Public()
  @Audited('password reset with a mailed link')
  @Post('password/reset')
  async resetPassword(@Body() body: unknown, @Req() req: ApiRequest) {
    const b = bodyObject(body);
    const token = optional<string>(b, 'token', 'string') ?? '';
    req.auditUserId = await this.passwordReset.reset(
      token,
      optional<string>(b, 'new_password', 'string') ?? '',
      clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader),
    );
    return OK;
  }

  @Public()
  @Post('login')
  @Audited((user) => `login session_user=${(user as { id?: string }).id ?? ''}`)
  async login(@Body() body: unknown, @Req() req: ApiRequest, @Res({ passthrough: true }) res: Response) {
    const b = bodyObject(body, 'login');
    const loginId = optional<string>(b, 'login_id', 'string') ?? optional<string>(b, 'id', 'string');
    const password = optional<string>(b, 'password', 'string');
    if (!loginId) throw badRequest('api.user.login.blank_pwd.app_error', 'Login ID field must not be blank.');
    if (!password) throw badRequest('api.user.login.blank_pwd.app_error', 'Password field must not be blank.');
    const { user, session } = await this.logins.login({
      loginId,
      password,
      token: optional<string>(b, 'token', 'string') ?? '',
      deviceId: optional<string>(b, 'device_id', 'string') ?? '',
      address: clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader),
      // Client4 sends the string "true" (Mattermost reads props["ldap_only"] == "true").
      ldapOnly: b.ldap_only === true || b.ldap_only === 'true',
    });
    res.setHeader('Token', session.token);
    setSessionCookies(res, session, this.config.get());
    // The audit record is the new session's user (the request had no session).
    req.auditUserId = user.id;
    return user;
  }

  @Public()
  @Post('logout')
  @Audited('logout')
  async logout(@Req() req: ApiRequest, @Res({ passthrough: true }) res: Response) {
    if (req.session) await this.sessions.revoke(req.session);
    clearSessionCookies(res);
    return OK;
  }

  // ---- lists and lookups (static paths before /:user_id) ------------------------------------

  @Get()
  async list(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    const filter: UserListFilter = {
      active: parseBoolParam(q.active) || undefined,
      inactive: parseBoolParam(q.inactive) || undefined,
      role: q.role || undefined,
      withoutTeam: parseBoolParam(q.without_team) || undefined,
      sort: q.sort === 'create_at' ? 'create_at' : undefined,
    };
    if (q.in_team) filter.inTeam = urlId(q.in_team, 'in_team');
    if (q.not_in_team) filter.notInTeam = urlId(q.not_in_team, 'not_in_team');
    if (q.in_channel) filter.inChannel = urlId(q.in_channel, 'in_channel');
    if (q.not_in_channel) filter.notInChannel = urlId(q.not_in_channel, 'not_in_channel');
    // Users outside a channel are listed among one team's members only (getUsers).
    if (filter.notInChannel && !filter.inTeam) throw invalidUrlParam('team_id');
    return this.directory.list(s, filter, page, perPage);
  }

  @Post('ids')
  async byIds(@Body() body: unknown, @Query('since') since: string | undefined, @CurrentSession() s: Session) {
    return this.directory.byIds(s, bodyIdList(body, 'user_ids'), intParam(since, 'since', 0));
  }

  @Post('usernames')
  async byUsernames(@Body() body: unknown, @CurrentSession() s: Session) {
    const names = bodyStringList(body, 'usernames');
    if (names.length === 0) throw invalidParam('usernames');
    return this.directory.byUsernames(s, names);
  }

  @Post('search')
  async search(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'search');
    const term = required<string>(b, 'term', 'string');
    const limit = searchLimit(optional<number>(b, 'limit', 'number'));
    const filter: UserListFilter = { term, active: !optional<boolean>(b, 'allow_inactive', 'boolean') || undefined };
    const teamId = optional<string>(b, 'team_id', 'string');
    if (teamId) filter.inTeam = urlId(teamId, 'team_id');
    const notInTeam = optional<string>(b, 'not_in_team_id', 'string');
    if (notInTeam) filter.notInTeam = urlId(notInTeam, 'not_in_team_id');
    const inChannel = optional<string>(b, 'in_channel_id', 'string');
    if (inChannel) filter.inChannel = urlId(inChannel, 'in_channel_id');
    const notInChannel = optional<string>(b, 'not_in_channel_id', 'string');
    if (notInChannel) filter.notInChannel = urlId(notInChannel, 'not_in_channel_id');
    if (optional<boolean>(b, 'without_team', 'boolean')) filter.withoutTeam = true;
    if (filter.notInChannel && !filter.inTeam) throw invalidParam('team_id');
    return this.directory.search(s, filter, limit);
  }

  @Get('autocomplete')
  async autocomplete(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const limit = Math.min(intParam(q.limit, 'limit', 100), 100);
    const scope = {
      inChannel: q.in_channel ? urlId(q.in_channel, 'in_channel') : undefined,
      inTeam: q.in_team ? urlId(q.in_team, 'in_team') : undefined,
    };
    return this.directory.autocomplete(s, q.name ?? '', scope, limit);
  }

  @Get('known')
  async known(@CurrentSession() s: Session) {
    return this.directory.known(s);
  }

  @Post('group_channels')
  async inGroupChannels(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.directory.inGroupChannels(s, channelIdArray(body));
  }

  @Get('stats')
  async stats(@CurrentSession() s: Session) {
    return this.directory.stats(s);
  }

  @Get('username/:username')
  async byUsername(@Param('username') username: string, @CurrentSession() s: Session) {
    return this.directory.byUsername(s, username);
  }

  @Get('email/:email')
  async byEmail(@Param('email') email: string, @CurrentSession() s: Session) {
    return this.directory.byEmail(s, email);
  }

  @RequireSystemPermission('manage_system')
  @Audited('revoked every session of every user')
  @Post('sessions/revoke/all')
  async revokeEverySession() {
    await this.sessions.revokeEverything();
    return OK;
  }

  // ---- personal access tokens -----------------------------------------------------------

  @Get('tokens')
  async allTokens(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return (await this.tokens.list(s, null, page, perPage)).map((t) => tokenView(t));
  }

  @Audited(bodyTokenDetail('revokeUserAccessToken'))
  @Post('tokens/revoke')
  async revokeToken(@Body() body: unknown, @CurrentSession() s: Session) {
    await this.tokens.revoke(s, tokenIdFrom(body));
    return OK;
  }

  @Audited(bodyTokenDetail('disableUserAccessToken'))
  @Post('tokens/disable')
  async disableToken(@Body() body: unknown, @CurrentSession() s: Session) {
    await this.tokens.setActive(s, tokenIdFrom(body), false);
    return OK;
  }

  @Audited(bodyTokenDetail('enableUserAccessToken'))
  @Post('tokens/enable')
  async enableToken(@Body() body: unknown, @CurrentSession() s: Session) {
    await this.tokens.setActive(s, tokenIdFrom(body), true);
    return OK;
  }

  @Get('tokens/:token_id')
  async getToken(@Param('token_id') tokenId: string, @CurrentSession() s: Session) {
    return tokenView(await this.tokens.get(s, urlId(tokenId, 'token_id')));
  }

  @Audited((token, req) => `createUserAccessToken ${auditTarget(req)} token_id=${(token as { id?: string }).id ?? ''}`)
  @Post(':user_id/tokens')
  @HttpCode(200)
  async createToken(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'token');
    const token = await this.tokens.create(
      s,
      urlUserId(userId, s),
      optional<string>(b, 'description', 'string') ?? '',
      optional<number>(b, 'expires_at', 'number') ?? 0,
    );
    return tokenView(token, true);
  }

  @Get(':user_id/tokens')
  async userTokens(@Param('user_id') userId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return (await this.tokens.list(s, urlUserId(userId, s), page, perPage)).map((t) => tokenView(t));
  }

  // ---- one user ---------------------------------------------------------------------------

  @Get(':user_id')
  async get(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.directory.byId(s, urlUserId(userId, s));
  }

  @Put(':user_id')
  async update(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const b = bodyObject(body, 'user');
    if (b.id !== undefined && b.id !== id) throw invalidParam('user_id');
    return this.patchUser(id, b, s);
  }

  @Put(':user_id/patch')
  async patch(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    return this.patchUser(urlUserId(userId, s), bodyObject(body, 'user'), s);
  }

  private async patchUser(id: string, b: Record<string, unknown>, s: Session) {
    const patch: UserPatch = {};
    for (const key of ['username', 'email', 'nickname', 'first_name', 'last_name', 'position', 'locale'] as const) {
      const value = optional<string>(b, key, 'string');
      if (value !== undefined) patch[key] = value;
    }
    for (const key of ['props', 'notify_props', 'timezone'] as const) {
      const value = optionalStringMap(b, key);
      if (value !== undefined) patch[key] = value;
    }
    return this.users.patch(s, id, patch);
  }

  @Audited(targetDetail('deactivated'))
  @Delete(':user_id')
  async deactivate(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.users.deactivate(s, urlUserId(userId, s));
    return OK;
  }

  @Audited((_r, req) => `updateUserRoles ${auditTarget(req)} roles=${String((req.body as { roles?: unknown }).roles ?? '')}`)
  @Put(':user_id/roles')
  async updateRoles(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    await this.users.updateRoles(s, id, required<string>(bodyObject(body), 'roles', 'string'));
    return OK;
  }

  @Audited((_r, req) => `${auditTarget(req)} active=${String((req.body as { active?: unknown }).active)}`)
  @Put(':user_id/active')
  async setActive(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const active = required<boolean>(bodyObject(body), 'active', 'boolean');
    await this.users.setActive(s, id, active);
    return OK;
  }

  @Audited(targetDetail('password changed'))
  @Put(':user_id/password')
  async password(@Param('user_id') userId: string, @Body() body: unknown, @Req() req: ApiRequest, @CurrentSession() s: Session) {
    const b = bodyObject(body);
    const address = clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader);
    await this.users.changePassword(s, urlUserId(userId, s), optional(b, 'current_password', 'string'), required(b, 'new_password', 'string'), address);
    return OK;
  }

  @Get(':user_id/sessions')
  async listSessions(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.sessions.userSessions(s, urlUserId(userId, s));
  }

  @Audited((_r, req) => `${auditTarget(req)} session_id=${String((req.body as { session_id?: unknown }).session_id ?? '')}`)
  @Post(':user_id/sessions/revoke')
  async revokeSession(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const sessionId = required<string>(bodyObject(body), 'session_id', 'string');
    if (!isValidId(sessionId)) throw invalidParam('session_id');
    await this.sessions.revokeUserSession(s, id, sessionId);
    return OK;
  }

  @Audited(targetDetail('revoked all sessions'))
  @Post(':user_id/sessions/revoke/all')
  async revokeAll(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.sessions.revokeUserSessions(s, urlUserId(userId, s));
    return OK;
  }

  @TrustRequester()
  @Get(':user_id/image')
  async image(@Param('user_id') userId: string, @CurrentSession() s: Session, @Res() res: Response) {
    const { png, ...caching } = await this.pictures.image(urlUserId(userId, s));
    sendPng(res, png, caching);
  }

  @Post(':user_id/image')
  async uploadImage(@Param('user_id') userId: string, @CurrentSession() s: Session, @Req() req: ApiRequest) {
    await this.pictures.upload(s, urlUserId(userId, s), { headers: req.headers, body: req });
    return OK;
  }

  @Delete(':user_id/image')
  async resetImage(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.pictures.reset(s, urlUserId(userId, s));
    return OK;
  }

  @TrustRequester()
  @Get(':user_id/image/default')
  async defaultImage(@Param('user_id') userId: string, @CurrentSession() s: Session, @Res() res: Response) {
    sendPng(res, defaultProfileImage(urlUserId(userId, s))); // no ETag, as getDefaultProfileImage
  }
}

/** searchUsers' limit: 100 when absent or 0, else 1 to 1000 (a negative one reached SQL as a 500). */
function searchLimit(limit: number | undefined): number {
  if (!limit) return 100;
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw invalidParam('limit');
  return limit;
}

/**
 * The body of POST /users/group_channels: a JSON array of channel ids, sorted and without
 * duplicates (model.SortedArrayFromJSON); anything else is a payload error, an empty array an
 * invalid channel_ids. An entry that is no channel id fails the read_channel check, as in Mattermost.
 */
function channelIdArray(body: unknown): string[] {
  if (!Array.isArray(body) || body.some((v) => typeof v !== 'string')) {
    throw badRequest('api.payload.parse.error', 'Error parsing the request payload.');
  }
  const ids = [...new Set(body as string[])].sort();
  if (ids.length === 0) throw invalidParam('channel_ids');
  return ids;
}

/** A string field of a JSON object body (Mattermost's MapFromJSON props): absent is '', another type an invalid param. */
function bodyString(body: unknown, name: string): string {
  return optional<string>(bodyObject(body), name, 'string') ?? '';
}

function tokenIdFrom(body: unknown): string {
  const id = required<string>(bodyObject(body), 'token_id', 'string');
  if (!isValidId(id)) throw invalidParam('token_id');
  return id;
}
