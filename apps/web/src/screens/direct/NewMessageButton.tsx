import type { Team } from '@mattermost/types/teams';
import { useState } from 'react';
import { DirectMessageDialog } from './DirectMessageDialog';

/** The "+" of the sidebar's Direct Messages section: opens the dialog to start a DM or group message. */
export function NewMessageButton({ team }: { team: Team }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="sidebar-add" aria-label="Write a direct message" title="Write a direct message" onClick={() => setOpen(true)}>
        +
      </button>
      {open && <DirectMessageDialog team={team} onClose={() => setOpen(false)} />}
    </>
  );
}

/** Whether a sidebar section is the Direct Messages category (its id is the server's direct_messages_<user>_<team>). */
export const isDirectSection = (sectionId: string): boolean => sectionId.startsWith('direct_messages_') || sectionId === 'unlisted-direct';
