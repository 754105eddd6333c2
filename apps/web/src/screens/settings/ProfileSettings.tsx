import { useRef, useState, type FormEvent } from 'react';
import { changeEmail, pictureUrl, removePicture, updateNames, uploadPicture } from '../../actions/profile';
import { Field } from '../../components/Field';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { SaveStatus } from './SaveStatus';
import { useSave } from './use-save';

/** Pictures the server takes (it decodes them and makes a 128×128 PNG). */
const PICTURE_TYPES = 'image/png,image/jpeg,image/gif,image/bmp,image/webp';

/** Profile: names and username, email (with the current password), the picture. */
export function ProfileSettings() {
  const me = useAppState(currentUser);
  if (!me) return null;
  return (
    <div className="settings-sections">
      <NamesForm />
      <EmailForm />
      <PictureForm />
    </div>
  );
}

function NamesForm() {
  const me = useAppState(currentUser)!;
  const [fields, setFields] = useState({ first_name: me.first_name, last_name: me.last_name, nickname: me.nickname, username: me.username });
  const save = useSave();
  const set = (key: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(() => updateNames(fields));
  };
  return (
    <form className="settings-form" onSubmit={submit} aria-labelledby="settings-names">
      <h3 id="settings-names">Name</h3>
      <SaveStatus error={save.error} saved={save.saved} />
      <div className="settings-row">
        <Field label="First name" value={fields.first_name} maxLength={64} onChange={set('first_name')} autoComplete="given-name" />
        <Field label="Last name" value={fields.last_name} maxLength={64} onChange={set('last_name')} autoComplete="family-name" />
      </div>
      <Field label="Nickname" value={fields.nickname} maxLength={64} onChange={set('nickname')} />
      <Field
        label="Username"
        value={fields.username}
        required
        maxLength={22}
        onChange={set('username')}
        autoComplete="username"
        hint="Letters, digits, '.', '-' and '_'; 3 to 22 characters."
      />
      <button type="submit" className="primary" disabled={save.busy}>
        Save
      </button>
    </form>
  );
}

function EmailForm() {
  const me = useAppState(currentUser)!;
  const [email, setEmail] = useState(me.email);
  const [password, setPassword] = useState('');
  const save = useSave();
  const managed = !!me.auth_service;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(async () => {
      await changeEmail(email, password);
      setPassword('');
    });
  };
  return (
    <form className="settings-form" onSubmit={submit} aria-labelledby="settings-email">
      <h3 id="settings-email">Email</h3>
      <SaveStatus error={save.error} saved={save.saved} />
      {managed ? (
        <p className="field-hint">Your email is managed by your sign-in provider ({me.auth_service}).</p>
      ) : (
        <>
          <Field label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
          <Field
            label="Current password"
            type="password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
          <button type="submit" className="primary" disabled={save.busy || email.trim() === me.email}>
            Change email
          </button>
        </>
      )}
    </form>
  );
}

function PictureForm() {
  const me = useAppState(currentUser)!;
  const input = useRef<HTMLInputElement>(null);
  const save = useSave();
  const choose = (file: File | undefined) => {
    if (file) void save.run(() => uploadPicture(file));
  };
  return (
    <section className="settings-form" aria-labelledby="settings-picture">
      <h3 id="settings-picture">Profile picture</h3>
      <SaveStatus error={save.error} saved={save.saved} what="Picture saved." />
      <div className="settings-picture">
        <img src={pictureUrl(me)} alt={`Profile picture of ${me.username}`} width={96} height={96} />
        <div>
          <label className="primary file-button">
            Upload a picture
            <input
              ref={input}
              type="file"
              accept={PICTURE_TYPES}
              className="visually-hidden"
              onChange={(e) => {
                choose(e.target.files?.[0]);
                e.target.value = '';
              }}
            />
          </label>
          <button type="button" className="link-button" disabled={save.busy} onClick={() => void save.run(removePicture)}>
            Use the default picture
          </button>
        </div>
      </div>
    </section>
  );
}
