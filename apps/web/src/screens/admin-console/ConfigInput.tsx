import { useId } from 'react';
import { envVarName, isOverridden, type ConfigFieldDef, type ConsoleConfig, type FieldValue } from '../../state/console-config';

/**
 * One setting: a labelled input of its kind. A setting the environment sets is read-only, naming
 * its variable; a setting the server refused carries the server's message (aria-invalid).
 */
export function ConfigInput({
  field,
  value,
  environment,
  error,
  onChange,
}: {
  field: ConfigFieldDef;
  value: FieldValue;
  environment: ConsoleConfig['environment'];
  error: string;
  onChange: (value: FieldValue) => void;
}) {
  const id = useId();
  const locked = isOverridden(environment, field.path);
  const notes = [field.hint && `${id}-hint`, locked && `${id}-env`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = { id, disabled: locked, 'aria-describedby': notes, 'aria-invalid': error ? true : undefined, name: field.path };

  const input = (() => {
    switch (field.kind) {
      case 'boolean':
        return <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} {...common} />;
      case 'select': {
        const options = field.options ?? [];
        const known = options.some((o) => o.value === value);
        return (
          <select value={String(value)} onChange={(e) => onChange(e.target.value)} {...common}>
            {!known && <option value={String(value)}>{String(value)}</option>}
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        );
      }
      case 'secret':
        return <input type="password" autoComplete="off" value={String(value)} onChange={(e) => onChange(e.target.value)} {...common} />;
      case 'number':
        // Text, not type=number: whatever is typed goes to the server, whose validation says what is wrong.
        return <input type="text" inputMode="numeric" value={String(value)} onChange={(e) => onChange(e.target.value)} {...common} />;
      case 'text':
        return <input type="text" value={String(value)} onChange={(e) => onChange(e.target.value)} {...common} />;
    }
  })();

  return (
    <div className={field.kind === 'boolean' ? 'field field-checkbox' : 'field'}>
      {field.kind === 'boolean' ? (
        <label htmlFor={id}>
          {input} {field.label}
        </label>
      ) : (
        <>
          <label htmlFor={id}>{field.label}</label>
          {input}
        </>
      )}
      {field.hint && (
        <p id={`${id}-hint`} className="field-hint">
          {field.hint}
        </p>
      )}
      {locked && (
        <p id={`${id}-env`} className="field-hint">
          Set by the environment variable {envVarName(field.path)}; change it there.
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
