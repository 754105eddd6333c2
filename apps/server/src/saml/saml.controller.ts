import { Body, Controller, Delete, Get, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { AppError, badRequest, invalidParam, isValidId } from '#common';
import { Public } from '../common/decorators.js';
import { bodyObject } from '../common/params.js';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { MAX_CERTIFICATE_BYTES, SamlAdminService } from './saml-admin.service.js';
import type { SamlFileKind } from './saml-settings.js';

const OK = { status: 'OK' };

/** What multer hands over for the `certificate` field. */
interface Upload {
  buffer: Buffer;
}

const uploadCertificate = () => FileInterceptor('certificate', { limits: { fileSize: MAX_CERTIFICATE_BYTES, files: 1 } });

/** parseSamlCertificateRequest: the multipart `certificate` file Client4 sends. */
function uploaded(file: Upload | undefined): Buffer {
  if (!file) throw badRequest('api.admin.add_certificate.no_file.app_error', 'No file under "certificate" in request.');
  return file.buffer;
}

/** The media type of the request, without parameters. */
function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** A raw body (the PEM upload), up to `limit` bytes. */
async function rawBody(req: Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('', 'api.context.request_body_too_large.app_error', 'The request body is too large.', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function optionalBool(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidParam(name);
  return value;
}

/** The System Console's SAML routes (api4/saml.go), with Mattermost's permissions. */
@Controller('saml')
export class SamlController {
  constructor(private readonly admin: SamlAdminService) {}

  /** Public, as Mattermost (APIHandler): the IdP's administrator fetches it. */
  @Public()
  @Get('metadata')
  async metadata(@Res() res: Response) {
    const xml = await this.admin.metadata();
    // Written as bytes: Express's send() would add "; charset=utf-8" to the type, which Mattermost sends bare.
    res.status(200).set('Content-Type', 'application/xml').set('Content-Disposition', 'attachment; filename="metadata.xml"').end(Buffer.from(xml, 'utf8'));
  }

  @RequireSystemPermission('get_saml_metadata_from_idp')
  @Post('metadatafromidp')
  metadataFromIdp(@Body() body: unknown) {
    const url = bodyObject(body).saml_metadata_url;
    if (typeof url !== 'string' || !url.trim()) throw invalidParam('saml_metadata_url');
    return this.admin.metadataFromIdp(url.trim());
  }

  /** multipart (`certificate`), or the certificate's base64 as application/x-pem-file (setSamlIdpCertificateFromMetadata). */
  @RequireSystemPermission('add_saml_idp_cert')
  @Post('certificate/idp')
  @UseInterceptors(uploadCertificate())
  async addIdp(@Req() req: Request, @UploadedFile() file: Upload | undefined) {
    const type = mediaType(req);
    if (type === 'application/x-pem-file') {
      await this.admin.addIdpCertificateFromMetadata(await rawBody(req, MAX_CERTIFICATE_BYTES));
    } else if (type === 'multipart/form-data') {
      await this.admin.addFile('idp', uploaded(file));
    } else {
      throw badRequest(
        type
          ? 'api.admin.saml.set_certificate_from_metadata.invalid_content_type.app_error'
          : 'api.admin.saml.set_certificate_from_metadata.missing_content_type.app_error',
        'Send the certificate as multipart/form-data or application/x-pem-file.',
      );
    }
    return OK;
  }

  @RequireSystemPermission('add_saml_public_cert')
  @Post('certificate/public')
  @UseInterceptors(uploadCertificate())
  async addPublic(@UploadedFile() file: Upload | undefined) {
    await this.admin.addFile('public', uploaded(file));
    return OK;
  }

  @RequireSystemPermission('add_saml_private_cert')
  @Post('certificate/private')
  @UseInterceptors(uploadCertificate())
  async addPrivate(@UploadedFile() file: Upload | undefined) {
    await this.admin.addFile('private', uploaded(file));
    return OK;
  }

  @RequireSystemPermission('remove_saml_idp_cert')
  @Delete('certificate/idp')
  removeIdp() {
    return this.remove('idp');
  }

  @RequireSystemPermission('remove_saml_public_cert')
  @Delete('certificate/public')
  removePublic() {
    return this.remove('public');
  }

  @RequireSystemPermission('remove_saml_private_cert')
  @Delete('certificate/private')
  removePrivate() {
    return this.remove('private');
  }

  @RequireSystemPermission('get_saml_cert_status')
  @Get('certificate/status')
  status() {
    return this.admin.certificateStatus();
  }

  @RequireSystemPermission('manage_system')
  @Post('reset_auth_data')
  async resetAuthData(@Body() body: unknown) {
    const params = bodyObject(body);
    const ids = params.user_ids ?? [];
    if (!Array.isArray(ids) || ids.length > 10_000 || !ids.every((id) => isValidId(id))) throw invalidParam('user_ids');
    const numAffected = await this.admin.resetAuthDataToEmail({
      includeDeleted: optionalBool(params, 'include_deleted'),
      dryRun: optionalBool(params, 'dry_run'),
      userIds: ids as string[],
    });
    return { num_affected: numAffected };
  }

  private async remove(kind: SamlFileKind) {
    await this.admin.removeFile(kind);
    return OK;
  }
}
