import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/errors';
import { Alert } from '../../../components/Alert';
import { ModalDialog } from '../../../components/dialog/ModalDialog';
import { Field } from '../../../components/Field';

/** The server's limit on a category's name (longer is a 400). */
const MAX_NAME_LENGTH = 64;

/**
 * Names a category: a new one ("Create new category") or one being renamed. `save` does the work;
 * the dialog closes when it succeeds and shows the server's message when it fails.
 */
export function CategoryNameDialog({
  title,
  action,
  initial = '',
  save,
  onClose,
}: {
  title: string;
  action: string;
  initial?: string;
  save(name: string): Promise<void>;
  onClose(): void;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Give the category a name.');
    setBusy(true);
    save(trimmed)
      .then(onClose)
      .catch((err: unknown) => {
        setError(errorMessage(err));
        setBusy(false);
      });
  };
  return (
    <ModalDialog title={title} onClose={onClose}>
      <form className="category-name-form" onSubmit={submit}>
        <Field label="Category name" value={name} maxLength={MAX_NAME_LENGTH} onChange={(e) => setName(e.target.value)} data-autofocus required />
        {error && <Alert>{error}</Alert>}
        <button type="submit" className="primary" disabled={busy}>
          {action}
        </button>
      </form>
    </ModalDialog>
  );
}
