import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { saveServerConfig, testS3 } from '../../actions/console-config';
import { Alert } from '../../components/Alert';
import { applyForm, changedPaths, formValues, rebasedValues, settingOfError, type FieldValue, type FormValues } from '../../state/console-config';
import { formFields, type ConfigForm } from '../../state/console-sections';
import { useAppState } from '../../state/store';
import { ConfigInput } from './ConfigInput';
import { useAction } from './use-action';

/**
 * One config page: its settings as a form over the server's config. Save sends the whole config
 * (PUT /config); the server validates it, and its message for a refused value is shown next to
 * the form and next to the setting it names. A saved change reaches every node of a cluster (the
 * config lives in the database there).
 */
export function ConfigPage({ form }: { form: ConfigForm }) {
  const saved = useAppState((s) => s.adminConsole.config.saved);
  const environment = useAppState((s) => s.adminConsole.config.environment);
  const fields = useMemo(() => formFields(form), [form]);
  const [values, setValues] = useState<FormValues>(() => formValues(saved, fields));
  const action = useAction();

  // The inputs follow the server's config when it arrives and after each save, keeping what the
  // person is typing: a config that arrives late must not wipe it.
  const [shown, setShown] = useState({ saved, fields });
  useEffect(() => {
    if (shown.saved === saved && shown.fields === fields) return;
    const before = formValues(shown.saved, fields);
    setValues((current) => (shown.fields === fields ? rebasedValues(current, before, formValues(saved, fields)) : formValues(saved, fields)));
    setShown({ saved, fields });
  }, [saved, fields, shown]);

  const changed = changedPaths(saved, fields, values);
  const errorPath = settingOfError(
    action.error,
    fields.map((f) => f.path),
  );
  const set = (path: string, value: FieldValue) => setValues((v) => ({ ...v, [path]: value }));

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!saved) return;
    void action.run('save', () => saveServerConfig(applyForm(saved, fields, values, environment)), 'Settings saved.');
  };
  const test = () => {
    if (saved) void action.run('s3', () => testS3(applyForm(saved, fields, values, environment)), 'The S3 bucket answered: the connection works.');
  };

  if (!saved) return <p className="splash-text">Loading…</p>;
  return (
    <form className="console-form" onSubmit={save} aria-labelledby="console-page-title" noValidate>
      <p className="console-intro">{form.intro}</p>
      {form.groups.map((group) => (
        <fieldset key={group.title} className="console-fieldset">
          <legend>{group.title}</legend>
          {group.fields.map((field) => (
            <ConfigInput
              key={field.path}
              field={field}
              value={values[field.path] ?? ''}
              environment={environment}
              error={field.path === errorPath ? action.error : ''}
              onChange={(value) => set(field.path, value)}
            />
          ))}
        </fieldset>
      ))}
      <div className="console-form-footer">
        {action.error && <Alert>{action.error}</Alert>}
        {action.notice && <Alert kind="info">{action.notice}</Alert>}
        <div className="console-toolbar">
          <button type="submit" className="console-button console-primary" disabled={!!action.busy || changed.length === 0}>
            {action.busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          {form.s3Test && (
            <button type="button" className="console-button" disabled={!!action.busy} onClick={test}>
              {action.busy === 's3' ? 'Testing…' : 'Test connection'}
            </button>
          )}
          {changed.length > 0 && <span className="console-meta">{changed.length === 1 ? '1 unsaved change' : `${changed.length} unsaved changes`}</span>}
        </div>
      </div>
    </form>
  );
}
