/**
 * SAML across the cluster, against SimpleSAMLphp: a sign-in whose requests reach different nodes
 * (through nginx, and pinned to nodes), a certificate uploaded through one node used by the
 * others, and a response replayed on another node, or posted to all of them at once, refused
 * everywhere but once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, NewUser, postToAcs, signInAtIdp, SimpleSamlPhp, startSamlSignIn, startSimpleSamlPhp, TestCluster, type AcsAnswer } from '#testing';
import { startFormedCluster } from './cluster-fixtures.js';

const PASSWORD = 'idp-Passw0rd';
const ENTITY = 'http://idp.saml.test/metadata';
const NODES = [0, 1, 2];

let cluster: TestCluster;
let admin: NewUser;
let idp: SimpleSamlPhp;
let acs: string;

const person = (name: string) => ({ username: name, password: PASSWORD, attributes: { mail: `${name}@saml.test`, uid: name } });
const nodeAcs = (n: number) => `${cluster.url(n)}/login/sso/saml`;

async function emailOf(answer: AcsAnswer, node: number): Promise<string> {
  expect(answer.error, JSON.stringify(answer.error)).toBeUndefined();
  const client = cluster.client(node);
  client.setToken(answer.token!);
  return (await client.getMe()).email;
}

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster());
  acs = `${cluster.siteUrl}/login/sso/saml`;
  idp = await startSimpleSamlPhp({
    entityId: ENTITY,
    users: ['ann', 'ben', 'cat', 'dan'].map(person),
    serviceProviders: [{ entityId: 'mmchat-cluster', acsUrl: acs }],
  });
  // Configured and uploaded through node 0 only.
  const via0 = cluster.clientAs(admin, 0);
  await via0.patchConfig({
    SamlSettings: {
      Enable: true,
      IdpURL: idp.ssoUrl,
      IdpDescriptorURL: ENTITY,
      ServiceProviderIdentifier: 'mmchat-cluster',
      AssertionConsumerServiceURL: acs,
      Verify: true,
      Encrypt: false,
      EmailAttribute: 'mail',
      UsernameAttribute: 'uid',
    },
  } as never);
  await via0.uploadIdpSamlCertificate(new File([idp.certificate], 'idp.crt'));
}, 120_000);

afterAll(async () => {
  await idp?.stop();
  await cluster?.stop();
});

describe('SAML across nodes', () => {
  it('every node uses the certificate uploaded through node 0', async () => {
    await eventually(async () => {
      for (const n of NODES) {
        const status = await cluster.clientAs(admin, n).getSamlCertificateStatus();
        expect(status.idp_certificate_file, `node ${n}`).toBe(true);
        expect((await cluster.clientAs(admin, n).getConfig()).SamlSettings.IdpURL, `node ${n}`).toBe(idp.ssoUrl);
      }
    }, 10_000);
  });

  it('a sign-in through nginx: the start and the response reach different nodes', async () => {
    const before = cluster.nginx!.accessLog().length;
    const start = await startSamlSignIn(cluster.siteUrl);
    const form = await signInAtIdp(start.location, 'ann', PASSWORD);
    expect(form.action).toBe(acs);
    const answer = await postToAcs(form.action, form.fields);
    expect(await emailOf(answer, 2)).toBe('ann@saml.test');
    const flow = await eventually(() => {
      const entries = cluster
        .nginx!.accessLog()
        .slice(before)
        .filter((e) => e.uri.startsWith('/login/sso/saml'));
      expect(entries.map((e) => e.method)).toEqual(['GET', 'POST']);
      return entries;
    }, 5000);
    expect(flow[0].upstream).not.toBe(flow[1].upstream);
  });

  it('a sign-in pinned: started on node 0, answered on node 1, the session used on node 2', async () => {
    const start = await startSamlSignIn(cluster.url(0));
    const form = await signInAtIdp(start.location, 'ben', PASSWORD);
    expect(await emailOf(await postToAcs(nodeAcs(1), form.fields), 2)).toBe('ben@saml.test');
  });

  it('a response used on node 1 is refused on node 2, also with a RelayState of its own', async () => {
    const start = await startSamlSignIn(cluster.url(0));
    const form = await signInAtIdp(start.location, 'cat', PASSWORD);
    expect(await emailOf(await postToAcs(nodeAcs(1), form.fields), 0)).toBe('cat@saml.test');
    const replay = await postToAcs(nodeAcs(2), form.fields);
    expect(replay.token).toBeUndefined();
    expect(replay.error?.id).toBe('ent.saml.do_login.invalid_relay_state.app_error');
    const fresh = await startSamlSignIn(cluster.url(2));
    const withRelay = await postToAcs(nodeAcs(2), { ...form.fields, RelayState: fresh.relayState! });
    expect(withRelay.token).toBeUndefined();
    expect(withRelay.error?.id).toBe('ent.saml.do_login.invalid_in_response_to.app_error');
  });

  it('one response posted to every node at once signs in exactly once', async () => {
    const start = await startSamlSignIn(cluster.url(1));
    const form = await signInAtIdp(start.location, 'dan', PASSWORD);
    const answers = await Promise.all(NODES.flatMap((n) => [postToAcs(nodeAcs(n), form.fields), postToAcs(nodeAcs(n), form.fields)]));
    expect(answers.filter((a) => a.token).length).toBe(1);
    expect(answers.filter((a) => a.error).length).toBe(answers.length - 1);
  });
});
