/**
 * Mails about an account: verifying an address, resetting a password, joining a team by invitation,
 * testing the SMTP settings, a mobile session that ended. Subjects are Mattermost's (i18n en.json,
 * api.templates.*_subject); the links are its web app's paths, so its clients open them.
 */
import { renderMail, RenderedMail, Site } from './layout.js';

/** Mattermost's condenseSiteURL: the site URL without its scheme, for "You joined chat.example.com". */
export function condenseSiteUrl(siteUrl: string): string {
  return siteUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
}

/** The web app's page that posts the token to POST /users/email/verify. */
export function verifyLink(site: Site, token: string, email: string): string {
  return `${site.url}/do_verify_email?token=${encodeURIComponent(token)}&email=${encodeURIComponent(email)}`;
}

/** The web app's page that asks for the new password and posts it with the token to POST /users/password/reset. */
export function resetLink(site: Site, token: string): string {
  return `${site.url}/reset_password_complete?token=${encodeURIComponent(token)}`;
}

/** The web app's sign-up page for an invitation: `d` what it shows, `t` the token POST /users?t= takes. */
export function inviteLink(site: Site, token: string, shown: { email: string; display_name: string; name: string }): string {
  return `${site.url}/signup_user_complete/?d=${encodeURIComponent(JSON.stringify(shown))}&t=${encodeURIComponent(token)}&md=email`;
}

/** POST /users/email/verify/send (and an address changed while verification is required): the verify link. */
export function verifyEmailMail(site: Site, to: { email: string; token: string; newAddress: boolean }): RenderedMail {
  const subject = to.newAddress ? `[${site.name}] Verify new email address` : `[${site.name}] Email Verification`;
  return renderMail(site, subject, {
    title: to.newAddress ? 'Confirm your new email address' : 'Confirm your email address',
    lines: [
      to.newAddress
        ? `Your ${site.name} account asked to use ${to.email} from now on. Open the link below to confirm that this address is yours.`
        : `Open the link below to confirm that ${to.email} is the address of your ${site.name} account (${condenseSiteUrl(site.url)}).`,
      'The link works once and for 24 hours. If you did not ask for this, ignore this mail.',
    ],
    button: { label: 'Verify email', url: verifyLink(site, to.token, to.email) },
  });
}

/** A sign-up (Mattermost's welcome mail), with the verify link when the address must be verified first. */
export function welcomeMail(site: Site, to: { email: string; verifyToken?: string }): RenderedMail {
  const server = condenseSiteUrl(site.url);
  return renderMail(site, `[${site.name}] You joined ${server}`, {
    title: `Welcome to ${site.name}`,
    lines: to.verifyToken
      ? [
          `An account on ${server} was created with this address.`,
          'Verify the address to sign in: the link works once and for 24 hours. If it was not you, ignore this mail.',
        ]
      : [`An account on ${server} was created with this address.`],
    ...(to.verifyToken ? { button: { label: 'Verify email', url: verifyLink(site, to.verifyToken, to.email) } } : {}),
  });
}

/** POST /users/password/reset/send. */
export function passwordResetMail(site: Site, to: { token: string }): RenderedMail {
  return renderMail(site, `[${site.name}] Reset your password`, {
    title: 'Reset your password',
    lines: [
      `Someone asked to reset the password of your ${site.name} account. Open the link below to choose a new one.`,
      'The link works once and for 24 hours. If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
    button: { label: 'Reset password', url: resetLink(site, to.token) },
  });
}

/** After a password reset with a mailed link (Mattermost's password change mail). */
export function passwordChangedMail(site: Site): RenderedMail {
  return renderMail(site, `[${site.name}] Your password has been updated`, {
    title: 'Your password was changed',
    lines: [
      `The password of your ${site.name} account was just changed with a password reset link.`,
      'If this was not you, reset your password again at once and tell your system administrator.',
    ],
  });
}

/** POST /teams/{team_id}/invite/email, one per address. */
export function teamInviteMail(
  site: Site,
  invite: { senderName: string; team: { display_name: string; name: string }; email: string; token: string },
): RenderedMail {
  const team = invite.team.display_name;
  return renderMail(site, `[${site.name}] ${invite.senderName} invited you to join ${team} Team`, {
    title: `${invite.senderName} invited you to the ${team} team`,
    lines: [`Create your account on ${condenseSiteUrl(site.url)} to start talking with the team.`, 'The invitation works once and for 48 hours.'],
    button: {
      label: 'Join the team',
      url: inviteLink(site, invite.token, { email: invite.email, display_name: invite.team.display_name, name: invite.team.name }),
    },
  });
}

/** POST /email/test: to the admin who pressed the button. */
export function testMail(site: Site): RenderedMail {
  return renderMail(site, 'Mattermost - Testing Email Settings', {
    title: 'Your email settings work',
    lines: [`This mail came from ${site.name} through the SMTP server in its settings: mail from this server reaches people.`],
  });
}

/** expiry_notify: a mobile session ended; the apps stop receiving notifications until the next login. */
export function sessionExpiredMail(site: Site, session: { mobileHours: number }): RenderedMail {
  return renderMail(site, `[${site.name}] Session expired`, {
    title: 'Your mobile session has expired',
    lines: [
      `Your session on ${site.name} has expired: log in again to keep receiving notifications.`,
      `Mobile sessions on this server last ${session.mobileHours} hours.`,
    ],
    ...(site.url ? { button: { label: `Open ${site.name}`, url: site.url } } : {}),
  });
}
