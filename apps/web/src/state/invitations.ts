/**
 * The "Invite people" dialog's logic: the addresses typed into it, and what became of each once
 * the server answered POST /teams/{id}/invite/email?graceful=true (one entry per address, with the
 * server's error or none — Mattermost's EmailInviteWithError).
 */
import { looksLikeEmail } from './mail-links';

/** The addresses typed (separated by commas, semicolons, spaces or new lines): each once, lower-cased; what is no address apart. */
export function parseAddresses(text: string): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const word of text.split(/[\s,;]+/)) {
    const address = word
      .trim()
      .replace(/^<(.*)>$/, '$1')
      .toLowerCase();
    if (!address) continue;
    const list = looksLikeEmail(address) ? valid : invalid;
    if (!list.includes(address)) list.push(address);
  }
  return { valid, invalid };
}

/** What became of one address. */
export interface InviteOutcome {
  email: string;
  sent: boolean;
  /** Why not, in the server's words (or ours, for what was no address). */
  message: string;
}

/** One entry of the graceful answer: the server's error for the address, or null when its invitation went out. */
export interface GracefulInviteResult {
  email: string;
  error: { message?: string; id?: string } | null;
}

/** Mattermost's message when an invitation could not be sent and the server said no more. */
const NOT_SENT = 'The invitation could not be sent.';

/**
 * Every address's outcome, in the order typed: the server's answer for those sent to it, and
 * "not a valid address" for those that never were (the server refuses the whole list for one).
 */
export function inviteOutcomes(sentTo: string[], answer: GracefulInviteResult[], invalid: string[]): InviteOutcome[] {
  const byEmail = new Map(answer.map((r) => [r.email.toLowerCase(), r]));
  const outcomes: InviteOutcome[] = sentTo.map((email) => {
    const r = byEmail.get(email);
    if (!r) return { email, sent: false, message: NOT_SENT };
    return r.error ? { email, sent: false, message: r.error.message || NOT_SENT } : { email, sent: true, message: '' };
  });
  return [...outcomes, ...invalid.map((email) => ({ email, sent: false, message: 'This is not a valid email address.' }))];
}

/** "2 invitations sent, 1 not sent" — the line a screen reader hears when the results appear. */
export function outcomeSummary(outcomes: InviteOutcome[]): string {
  const sent = outcomes.filter((o) => o.sent).length;
  const failed = outcomes.length - sent;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (failed === 0) return `${plural(sent, 'invitation')} sent.`;
  if (sent === 0) return failed === 1 ? 'The invitation was not sent.' : 'No invitations were sent.';
  return `${plural(sent, 'invitation')} sent, ${failed} not sent.`;
}
