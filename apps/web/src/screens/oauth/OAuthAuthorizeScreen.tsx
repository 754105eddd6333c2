import { useEffect, useMemo, useState } from 'react';
import type { OAuthApp } from '@mattermost/types/integrations';
import { allowOAuthApp, authorizeParams, denyOAuthApp, loadOAuthApp } from '../../actions/oauth';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { useTitle } from '../../lib/use-title';
import type { Route } from '../../state/route';

/**
 * /oauth/authorize: an app asks to act for the signed-in person, who allows or denies it. The
 * server shows this page only for a valid request to an app that is not trusted and not yet allowed.
 * The app's icon is not shown: it lives on another site, which the page's CSP keeps out.
 */
export function OAuthAuthorizeScreen({ route }: { route: Extract<Route, { screen: 'oauth_authorize' }> }) {
  useTitle('Authorize application');
  const params = useMemo(() => authorizeParams(route.params), [route.params]);
  const [app, setApp] = useState<OAuthApp | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void loadOAuthApp(params.clientId).then((result) => {
      if (!live) return;
      if (result.status === 'ok') setApp(result.app);
      else setError(result.message);
    });
    return () => {
      live = false;
    };
  }, [params.clientId]);

  const allow = async () => {
    setBusy(true);
    setError(await allowOAuthApp(params));
    setBusy(false);
  };

  return (
    <CenteredPage title="Authorize application">
      {error && <Alert>{error}</Alert>}
      {app && (
        <div className="oauth-consent">
          <p>
            <strong>{app.name}</strong> would like to access your account and act on your behalf.
          </p>
          {app.description && <p className="oauth-description">{app.description}</p>}
          {app.homepage && (
            <p className="oauth-homepage">
              <a href={app.homepage} target="_blank" rel="noopener noreferrer">
                {app.homepage}
              </a>
            </p>
          )}
          <div className="oauth-actions">
            <button type="button" className="link-button" disabled={busy} onClick={() => denyOAuthApp(params, app)}>
              Deny
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void allow()}>
              {busy ? 'Allowing…' : 'Allow'}
            </button>
          </div>
        </div>
      )}
    </CenteredPage>
  );
}
