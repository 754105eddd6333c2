import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { invalidParam, invalidUrlParam, notFound } from '#common';
import { Audited } from '../audits/audited.js';
import { CurrentSession, TrustRequester } from '../common/decorators.js';
import { bodyObject, urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { isValidRoleName } from './role.model.js';
import { RolesService } from './roles.service.js';

/** Mattermost's router matches these segments only (api4/role.go InitRole); anything else is an unknown route. */
function routeSegment(value: string, pattern: RegExp): void {
  if (!pattern.test(value)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
}

/** The body of POST /roles/names: a non-empty array of role names; blank names are dropped (model.CleanRoleNames). */
function roleNamesBody(body: unknown): string[] {
  if (!Array.isArray(body) || body.length === 0 || body.some((v) => typeof v !== 'string')) throw invalidParam('rolenames');
  const names = (body as string[]).filter((n) => n.trim() !== '');
  if (!names.every(isValidRoleName)) throw invalidParam('rolename');
  return names;
}

/** The body of PUT /roles/{id}/patch (model.RolePatch): `permissions`, when given, a list of strings. */
function rolePatchBody(body: unknown): string[] | undefined {
  const permissions = bodyObject(body, 'role').permissions;
  if (permissions === undefined || permissions === null) return undefined;
  if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string')) throw invalidParam('role');
  return permissions as string[];
}

/** api4/role.go. */
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  all(@CurrentSession() s: Session) {
    return this.roles.all(s);
  }

  @Post('names')
  @HttpCode(200)
  @TrustRequester()
  byNames(@Body() body: unknown) {
    return this.roles.byNames(roleNamesBody(body));
  }

  @Get('name/:role_name')
  @TrustRequester()
  byName(@Param('role_name') name: string) {
    routeSegment(name, /^[a-z0-9_]+$/);
    if (!isValidRoleName(name)) throw invalidUrlParam('role_name');
    return this.roles.byName(name);
  }

  @Get(':role_id')
  @TrustRequester()
  byId(@Param('role_id') id: string) {
    routeSegment(id, /^[A-Za-z0-9]+$/);
    return this.roles.byId(urlId(id, 'role_id'));
  }

  @Put(':role_id/patch')
  // Mattermost's patchRole event: the role and the permissions it has now (cut to extra_info's 1024 characters).
  @Audited((r) => {
    const role = (r ?? {}) as { id?: string; name?: string; permissions?: string[] };
    return `patchRole role_id=${role.id ?? ''} name=${role.name ?? ''} permissions=${(role.permissions ?? []).join(' ')}`;
  })
  async patch(@Param('role_id') id: string, @Body() body: unknown, @CurrentSession() s: Session) {
    routeSegment(id, /^[A-Za-z0-9]+$/);
    return this.roles.patch(s, urlId(id, 'role_id'), rolePatchBody(body));
  }
}
