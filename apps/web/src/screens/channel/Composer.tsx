import type { Post } from '@mattermost/types/posts';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { runCommand } from '../../actions/commands';
import { editPost } from '../../actions/composer';
import { clearDraft, restoreDrafts, saveDraft } from '../../actions/drafts';
import { sendPost } from '../../actions/posts';
import { userTyping } from '../../actions/typing';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { BoxSuggestions, suggestionBoxProps } from '../../components/autocomplete/SuggestionList';
import { useAutocomplete } from '../../components/autocomplete/use-autocomplete';
import { useFileUploads } from '../../components/uploads';
import { draftKey, draftMessage } from '../../state/drafts';
import { channelPostsOldestFirst } from '../../state/posts';
import { currentTeam } from '../../state/selectors';
import { currentUserId } from '../../state/session';
import { store, useAppState } from '../../state/store';
import { AttachFiles } from './composer/AttachFiles';
import { isSlashCommand, lastEditablePost } from './composer/last-post';
import { composerSuggestions } from './composer/suggestions';

/** Mattermost's limit of a message (MaxPostSize). */
const MAX_MESSAGE_LENGTH = 16383;

/**
 * The file-attachments slot; by default the composer's own uploads (components/uploads: the
 * attach button, paste, with progress), which a caller may replace. `ui` shows under the box,
 * `fileIds` go with the next message, `busy` holds Enter while an upload runs, and `sent` clears
 * the slot once the message is out.
 */
export interface AttachmentSlot {
  ui: ReactNode;
  fileIds: string[];
  busy: boolean;
  sent(): void;
}

export interface ComposerProps {
  channelId: string;
  /** The channel's name as shown, for the box's label ("Write to Town Square"). */
  label: string;
  /** The thread's root for a reply box ('' in the channel). */
  rootId?: string;
  /** How a message is sent; the channel's sendPost by default (a thread box passes its own). */
  send?: (message: string, fileIds: string[]) => Promise<void>;
  attachments?: AttachmentSlot;
}

/**
 * The message box. Enter sends, Shift+Enter starts a new line; `@`, `~`, `:` and a leading `/`
 * open an autocomplete list (arrows move, Enter or Tab picks, Escape closes); a message starting
 * with `/` runs as a slash command; Up in an empty box edits the user's last message. What is
 * typed is kept as the channel's draft, there again when the person comes back, gone once sent.
 * A failed send gives the text back.
 */
export function Composer({ channelId, label, rootId = '', send, attachments }: ComposerProps) {
  const team = useAppState(currentTeam);
  const teamId = team?.id ?? '';
  const key = draftKey(channelId, rootId);
  const savedDraft = useAppState((s) => draftMessage(s.drafts, key));
  const [text, setText] = useState(savedDraft);
  const [caret, setCaret] = useState(savedDraft.length);
  const [error, setError] = useState('');
  const uploads = useFileUploads(channelId, rootId);
  const slot: AttachmentSlot = attachments ?? {
    ui: <AttachFiles uploads={uploads} label={label} onError={(err) => setError(errorMessage(err))} />,
    fileIds: uploads.ready.map((f) => f.id),
    busy: uploads.busy,
    sent: uploads.clear,
  };
  const [editing, setEditing] = useState<Post | undefined>();
  const touched = useRef(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | undefined>(undefined);
  const listId = useId();

  useEffect(() => {
    if (teamId) void restoreDrafts(teamId);
  }, [teamId]);

  // A draft that arrives after the box opened (the server's copy) fills it, unless the person typed already.
  const shownDraft = useRef(savedDraft);
  useEffect(() => {
    if (shownDraft.current === savedDraft) return;
    shownDraft.current = savedDraft;
    if (touched.current || editing) return;
    setText(savedDraft);
    setCaret(savedDraft.length);
  }, [savedDraft, editing]);

  useLayoutEffect(() => {
    if (pendingCaret.current === undefined || !box.current) return;
    box.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = undefined;
  }, [text]);

  const provider = useMemo(() => composerSuggestions(teamId, channelId), [teamId, channelId]);
  const changeText = (next: string, nextCaret: number) => {
    touched.current = true;
    setText(next);
    setCaret(nextCaret);
    if (!editing) {
      saveDraft(channelId, rootId, next);
      userTyping(channelId, rootId);
    }
  };
  const autocomplete = useAutocomplete(text, caret, provider, (next, nextCaret) => {
    pendingCaret.current = nextCaret;
    changeText(next, nextCaret);
  });

  const submit = async () => {
    const message = text.trim();
    if (editing) {
      await saveEdit(editing, message);
      return;
    }
    const fileIds = slot.fileIds;
    if ((!message && fileIds.length === 0) || slot.busy) return;
    const sentText = text;
    setText('');
    setCaret(0);
    setError('');
    try {
      if (isSlashCommand(message)) await runCommand(teamId, channelId, rootId, message);
      else if (send) await send(message, fileIds);
      else await sendPost(channelId, message, { rootId, files: attachments ? undefined : uploads.ready });
      slot.sent();
      // The draft goes, unless the person started a new one while this was being sent.
      if (draftMessage(store.get().drafts, key) === sentText) void clearDraft(channelId, rootId);
    } catch (err) {
      setError(errorMessage(err));
      setText((current) => current || message);
    }
  };

  const saveEdit = async (post: Post, message: string) => {
    if (!message) {
      setError('A message cannot be empty. To remove it, delete the message instead.');
      return;
    }
    try {
      if (message !== post.message) await editPost(post.id, message);
      stopEditing();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const startEditing = (): boolean => {
    const me = currentUserId(store.get().session);
    const post = lastEditablePost(channelPostsOldestFirst(store.get().posts, channelId) ?? [], me, rootId);
    if (!post) return false;
    setEditing(post);
    setError('');
    pendingCaret.current = post.message.length;
    setText(post.message);
    setCaret(post.message.length);
    return true;
  };

  const stopEditing = () => {
    setEditing(undefined);
    setError('');
    const draft = draftMessage(store.get().drafts, key);
    setText(draft);
    setCaret(draft.length);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (autocomplete.onKeyDown(e)) return;
    // Not while an input method is composing (Enter then confirms the characters).
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
    } else if (e.key === 'ArrowUp' && text === '' && !editing && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey) {
      if (startEditing()) e.preventDefault();
    } else if (e.key === 'Escape' && editing) {
      e.preventDefault();
      stopEditing();
    }
  };

  const readCaret = () => setCaret(box.current?.selectionStart ?? 0);
  const hintId = `${listId}-hint`;
  const placeholder = editing ? 'Edit your message' : `Write to ${label}`;

  return (
    <div className={`composer${editing ? ' composer-editing' : ''}`}>
      {error && <Alert>{error}</Alert>}
      {editing && (
        <p className="composer-editing-banner" role="status">
          Editing your message: Enter saves, Escape cancels.
        </p>
      )}
      <BoxSuggestions
        id={listId}
        label="Suggestions"
        autocomplete={autocomplete}
        apply={(text, caret) => {
          pendingCaret.current = caret;
          changeText(text, caret);
          box.current?.focus();
        }}
      />
      <textarea
        ref={box}
        aria-label={placeholder}
        aria-describedby={hintId}
        {...suggestionBoxProps(listId, autocomplete)}
        placeholder={placeholder}
        rows={1}
        maxLength={MAX_MESSAGE_LENGTH}
        value={text}
        onChange={(e) => changeText(e.target.value, e.target.selectionStart)}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => {
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') readCaret();
        }}
        onClick={readCaret}
        onPaste={(e) => {
          const files = [...e.clipboardData.files];
          if (files.length > 0 && !attachments) {
            e.preventDefault();
            uploads.add(files).catch((err: unknown) => setError(errorMessage(err)));
          }
        }}
      />
      {slot.ui}
      <p id={hintId} className="composer-hint">
        Enter to send, Shift+Enter for a new line, Up to edit your last message; @, ~, : and / complete.
      </p>
    </div>
  );
}
