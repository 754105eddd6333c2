import { describe, expect, it } from 'vitest';
import { inviteOutcomes, outcomeSummary, parseAddresses } from './invitations';

describe('parseAddresses', () => {
  it('splits on commas, semicolons and white space, once each, lower-cased, and sets apart what is no address', () => {
    expect(parseAddresses(' Carol@Example.com, dave@example.com;\n<erin@example.com>  carol@example.com, nobody, @x , ')).toEqual({
      valid: ['carol@example.com', 'dave@example.com', 'erin@example.com'],
      invalid: ['nobody', '@x'],
    });
    expect(parseAddresses('   ')).toEqual({ valid: [], invalid: [] });
  });
});

describe('inviteOutcomes', () => {
  it("gives each address the server's answer, then the ones never sent", () => {
    const outcomes = inviteOutcomes(
      ['a@example.com', 'b@other.com', 'c@example.com'],
      [
        { email: 'a@example.com', error: null },
        { email: 'b@other.com', error: { id: 'api.team.invite_members.invalid_email.app_error', message: 'b@other.com is not in an accepted domain.' } },
      ],
      ['nobody'],
    );
    expect(outcomes).toEqual([
      { email: 'a@example.com', sent: true, message: '' },
      { email: 'b@other.com', sent: false, message: 'b@other.com is not in an accepted domain.' },
      { email: 'c@example.com', sent: false, message: 'The invitation could not be sent.' },
      { email: 'nobody', sent: false, message: 'This is not a valid email address.' },
    ]);
  });

  it('sums the outcomes up in one line', () => {
    const sent = { email: 'a', sent: true, message: '' };
    const failed = { email: 'b', sent: false, message: 'no' };
    expect(outcomeSummary([sent])).toBe('1 invitation sent.');
    expect(outcomeSummary([sent, sent])).toBe('2 invitations sent.');
    expect(outcomeSummary([sent, failed])).toBe('1 invitation sent, 1 not sent.');
    expect(outcomeSummary([failed])).toBe('The invitation was not sent.');
    expect(outcomeSummary([failed, failed])).toBe('No invitations were sent.');
  });
});
