import { ModalDialog } from '../../components/dialog/ModalDialog';

/** Settings (filled in by the next commit). */
export default function SettingsDialog({ onClose }: { onClose(): void }) {
  return (
    <ModalDialog title="Settings" onClose={onClose}>
      <p>Settings</p>
    </ModalDialog>
  );
}
