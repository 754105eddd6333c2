import { useId, useState, type FormEvent } from 'react';

/** A search form: the term is sent on Enter or with the button (an empty term lists everything). */
export function SearchBox({ label, onSearch, busy }: { label: string; onSearch: (term: string) => void; busy: boolean }) {
  const [term, setTerm] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(term);
  };
  return (
    <form className="console-toolbar" role="search" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={term} onChange={(e) => setTerm(e.target.value)} />
      <button type="submit" className="console-button" disabled={busy}>
        Search
      </button>
    </form>
  );
}
