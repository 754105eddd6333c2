/**
 * This build's release: package.json's version (release.spec.ts keeps the two equal). It is not
 * SERVER_VERSION, the Mattermost version whose API this server speaks (clients read that one). Each
 * node gossips its release, so GET /api/v4/cluster/status shows which nodes run which during a
 * rolling upgrade.
 */
export const RELEASE = '0.2.0';
