import type { PostAction } from '@mattermost/types/integration_actions';
import type { MessageAttachment } from '@mattermost/types/message_attachments';
import type { Post } from '@mattermost/types/posts';
import { useState } from 'react';
import { runPostAction } from '../../../actions/post-actions';
import { errorMessage } from '../../../api/errors';
import { Markdown } from '../../../components/markdown/Markdown';
import { safeHref } from '../../../components/markdown/parse';
import { enabled } from '../../../state/config';
import { attachmentColour, fieldText, isMenu, messageAttachments } from '../../../state/message-attachments';
import { useAppState } from '../../../state/store';
import { imageSrc } from './LinkPreview';

/**
 * The message attachments of a post (Slack's format, from webhooks, slash commands and bots): a
 * coloured bar, pretext, author, title, Markdown text, fields (short ones side by side), an image,
 * a footer, and the integration's buttons and menus. Pictures from other sites show only through
 * the server's image proxy, as link previews (the page's CSP allows no other origin).
 */
export function MessageAttachments({ post }: { post: Post }) {
  const proxy = useAppState((s) => enabled(s.config.client, 'HasImageProxy'));
  const attachments = messageAttachments(post.props as Record<string, unknown> | undefined);
  if (attachments.length === 0) return null;
  return (
    <div className="message-attachments">
      {attachments.map((a, i) => (
        <Attachment key={i} post={post} attachment={a} proxy={proxy} />
      ))}
    </div>
  );
}

function Attachment({ post, attachment: a, proxy }: { post: Post; attachment: MessageAttachment; proxy: boolean }) {
  const colour = attachmentColour(a.color);
  const picture = (url: string | undefined) => (url && safeHref(url) ? imageSrc(url, proxy) : '');
  const authorIcon = picture(a.author_icon);
  const thumb = picture(a.thumb_url);
  const image = picture(a.image_url);
  const footerIcon = picture(a.footer_icon);
  const titleHref = a.title_link ? safeHref(a.title_link) : '';
  return (
    <section className="message-attachment" aria-label={a.title || a.fallback || 'Attachment'} style={colour ? { borderLeftColor: colour } : undefined}>
      {a.pretext && <Markdown text={a.pretext} />}
      <div className="message-attachment-body">
        <div className="message-attachment-content">
          {a.author_name && (
            <p className="message-attachment-author">
              {authorIcon && <img src={authorIcon} alt="" width={16} height={16} />}
              {a.author_link && safeHref(a.author_link) ? (
                <a href={safeHref(a.author_link)} target="_blank" rel="noopener noreferrer">
                  {a.author_name}
                </a>
              ) : (
                a.author_name
              )}
            </p>
          )}
          {a.title && (
            <h3 className="message-attachment-title">
              {titleHref ? (
                <a href={titleHref} target="_blank" rel="noopener noreferrer">
                  {a.title}
                </a>
              ) : (
                a.title
              )}
            </h3>
          )}
          {a.text && <Markdown text={a.text} />}
          {a.fields && a.fields.length > 0 && (
            <dl className="message-attachment-fields">
              {a.fields.map((f, i) => (
                <div key={i} className={f.short ? 'message-attachment-field message-attachment-field-short' : 'message-attachment-field'}>
                  {f.title && <dt>{f.title}</dt>}
                  <dd>
                    <Markdown text={fieldText(f.value)} />
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </div>
        {thumb && <img className="message-attachment-thumb" src={thumb} alt="" loading="lazy" />}
      </div>
      {image && <img className="message-attachment-image" src={image} alt={a.title || ''} loading="lazy" />}
      {a.actions && a.actions.length > 0 && <Actions post={post} actions={a.actions} />}
      {a.footer && (
        <p className="message-attachment-footer">
          {footerIcon && <img src={footerIcon} alt="" width={16} height={16} />}
          {a.footer}
        </p>
      )}
    </section>
  );
}

/** The integration's buttons and menus; a click goes to the integration through the server, its error shows here. */
function Actions({ post, actions }: { post: Post; actions: PostAction[] }) {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const run = (action: PostAction, option = '') => {
    setBusy(action.id ?? '');
    setError('');
    runPostAction(post.id, action, option)
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(''));
  };
  return (
    <div className="message-attachment-actions">
      {actions.map((action, i) =>
        isMenu(action) ? (
          <select
            key={action.id ?? i}
            aria-label={action.name}
            defaultValue=""
            disabled={!!busy || action.disabled}
            onChange={(e) => e.target.value && run(action, e.target.value)}
          >
            <option value="" disabled>
              {action.name}
            </option>
            {(action.options ?? []).map((o) => (
              <option key={o.value} value={o.value}>
                {o.text}
              </option>
            ))}
          </select>
        ) : (
          <button
            key={action.id ?? i}
            type="button"
            className={`message-attachment-button${action.style ? ` message-attachment-button-${action.style.replace(/[^a-z]/g, '')}` : ''}`}
            title={action.tooltip || undefined}
            disabled={!!busy || action.disabled}
            onClick={() => run(action)}
          >
            {action.name}
          </button>
        ),
      )}
      {error && (
        <p className="message-attachment-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
