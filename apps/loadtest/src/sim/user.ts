/**
 * One simulated user, as load-test-ng's SimulController: logs in (signing up if needed), opens one
 * WebSocket, joins a team, then loops weighted random actions separated by think time, and polls
 * statuses every minute. Every request goes through @mattermost/client's Client4.
 */
import { setMaxListeners } from 'node:events';
import mm from '@mattermost/client';
import type { Client4 as Client4Type, WebSocketClient as WebSocketClientType } from '@mattermost/client';
import type { UserControllerConfig } from '../config.js';
import type { Collector } from '../metrics/collector.js';
import { ActionPicker } from '../model/action-picker.js';
import { pickIdleTimeMs } from '../model/think-time.js';
import { randInt } from '#testing';
import { rolesOf } from '../../../../bench/app-startup.js';
import { actionContext, isMissingRoute, type PauseContext } from './http.js';
import { UserStore, type ChannelInfo } from './store.js';
import { ACTIONS, type ActionName } from './actions.js';

const { Client4, WebSocketClient } = mm;

/** Thrown out of pauses when the user is stopped, to unwind the action in progress. */
export class Stopped extends Error {
  constructor() {
    super('user stopped');
  }
}

export interface UserSettings {
  index: number;
  username: string;
  email: string;
  password: string;
  url: string;
  wsUrl: string;
  controller: UserControllerConfig;
  /** Epoch ms: posts created before this are not counted for delivery latency. */
  runStartMs: number;
}

/** Routes this server lacks, found out at run time (shared by the users of a worker). */
export const missingRoutes = new Set<string>();

export class SimUser {
  readonly store = new UserStore();
  readonly client: Client4Type;
  ws?: WebSocketClientType;
  private readonly abort = new AbortController();
  private readonly picker: ActionPicker<ActionName>;
  private statusTimer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  clientConfig: Record<string, string> = {};
  /** Logged in, connected and in a team: counted as an active user. */
  ready = false;

  constructor(
    readonly settings: UserSettings,
    readonly collector: Collector,
  ) {
    this.client = new Client4();
    this.client.setUrl(settings.url);
    // Every request and pause of the user listens to its abort signal.
    setMaxListeners(0, this.abort.signal);
    const weights = Object.fromEntries(Object.entries(settings.controller.actions).filter(([name]) => name in ACTIONS)) as Record<ActionName, number>;
    this.picker = new ActionPicker(weights);
  }

  get config(): UserControllerConfig {
    return this.settings.controller;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Collapsed reply threads, as the web app decides it from the client config. */
  get crt(): boolean {
    const setting = this.clientConfig.CollapsedThreads;
    return setting === 'always_on' || setting === 'default_on';
  }

  start(): void {
    this.loop = this.run().catch((err) => {
      if (!(err instanceof Stopped) && !this.stopped) this.collector.error(`user ${this.settings.username}: ${err?.message ?? err}`);
    });
  }

  /** Stops the loop, aborts requests in flight and closes the socket. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.ready = false;
    clearInterval(this.statusTimer);
    this.disconnect();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 5000))]);
  }

  // ---- the main loop --------------------------------------------------------------------------

  private idleMs(rate: number): number {
    return pickIdleTimeMs(this.config.minIdleTimeMs, this.config.avgIdleTimeMs, rate);
  }

  private async run(): Promise<void> {
    // Init actions (login, then the first team), each after an idle time at rate 1, retried
    // after another idle time when they fail, as controller.go's Run.
    const inits: Array<[string, () => Promise<void>]> = [
      ['Login', () => this.loginOrSignUp()],
      ['InitialJoinTeam', () => this.initialJoinTeam()],
    ];
    for (const [name, init] of inits) {
      for (;;) {
        if (this.config.idleBeforeLogin) await this.pause(this.idleMs(1));
        else await this.pause(0);
        if (await this.runAction(name, init)) break;
      }
    }
    this.ready = true;
    this.statusTimer = setInterval(() => {
      this.runAction('GetUsersStatusesByIds', () => this.pollStatuses()).catch(() => undefined);
    }, this.config.statusPollIntervalMs);
    while (!this.stopped) {
      const name = this.picker.pick();
      await this.runAction(name, () => ACTIONS[name](this));
      await this.pause(this.idleMs(this.config.rate));
    }
  }

  /** Runs one action in its context; returns whether it succeeded. */
  async runAction(name: string, fn: () => Promise<unknown>): Promise<boolean> {
    if (this.stopped) throw new Stopped();
    const pauses: PauseContext = { paused: 0 };
    const t0 = performance.now();
    let failed = false;
    try {
      await actionContext.run({ action: name, signal: this.abort.signal, pauses }, fn);
    } catch (err) {
      if (err instanceof Stopped || this.stopped) throw new Stopped();
      failed = true;
    }
    this.collector.actionDone(name, performance.now() - t0 - pauses.paused, failed);
    return !failed;
  }

  /** Waits `ms` (a think time or a pause inside an action); throws Stopped when the user stops. */
  pause(ms: number): Promise<void> {
    const started = performance.now();
    return new Promise<void>((ok, fail) => {
      if (this.stopped) return fail(new Stopped());
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', onAbort);
        const ctx = actionContext.getStore();
        if (ctx?.pauses) ctx.pauses.paused += performance.now() - started;
      };
      const onAbort = () => {
        done();
        fail(new Stopped());
      };
      const timer = setTimeout(() => {
        done();
        ok();
      }, ms);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  randomPauseMs(range: [number, number]): number {
    return randInt(range[0], range[1]);
  }

  /**
   * A request the web app makes. When the server answers that it has no such route, the route
   * is remembered and later calls to it are skipped (and counted as skipped in the report).
   */
  async api<T>(route: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (missingRoutes.has(route)) {
      this.collector.skip(route);
      return undefined;
    }
    try {
      return await fn();
    } catch (err) {
      if (isMissingRoute(err)) {
        missingRoutes.add(route);
        this.collector.skip(route);
        return undefined;
      }
      if (this.stopped) throw new Stopped();
      throw err;
    }
  }

  // ---- login, socket, team ----------------------------------------------------------------------

  async loginOrSignUp(): Promise<void> {
    const { username, password, email } = this.settings;
    try {
      await this.login();
    } catch (err: any) {
      if (err?.server_error_id !== 'api.user.login.invalid_credentials_email_username') {
        if (!this.stopped) this.collector.loginFailures++;
        throw err;
      }
      await this.api('POST /users', () => this.client.createUser({ username, email, password } as never, '', ''));
      await this.login();
    }
  }

  private async login(): Promise<void> {
    const me = await this.client.login(this.settings.username, this.settings.password);
    this.store.userId = me.id;
    this.store.username = me.username;
    this.store.rememberUser(me.id, me.username, me.last_picture_update ?? 0);
    this.connect();
    // control.Login: client config, teams, team memberships, channels of each team.
    this.clientConfig = ((await this.api('GET /config/client', () => this.client.getClientConfig())) ?? {}) as unknown as Record<string, string>;
    const teams = (await this.api('GET /teams', () => this.client.getTeams(0, 100))) as Array<{ id: string; name: string }> | undefined;
    const memberships = (await this.api('GET /users/{id}/teams/members', () => this.client.getMyTeamMembers())) ?? [];
    const mine = new Set(memberships.filter((m) => m.delete_at === 0).map((m) => m.team_id));
    for (const t of teams ?? []) if (mine.has(t.id)) this.store.teams.set(t.id, { id: t.id, name: t.name });
    for (const teamId of this.store.teams.keys()) {
      const channels = await this.api('GET /users/{id}/teams/{id}/channels', () => this.client.getMyChannels(teamId, true));
      this.store.setChannels((channels ?? []) as ChannelInfo[]);
    }
  }

  connect(): void {
    this.disconnect();
    const ws = new WebSocketClient({ minWebSocketRetryTime: 3000, maxWebSocketRetryTime: 300_000, reconnectJitterRange: 2000 });
    this.ws = ws;
    ws.addFirstConnectListener(() => this.collector.socket('connects'));
    ws.addReconnectListener(() => this.collector.socket('reconnects'));
    ws.addCloseListener(() => {
      if (!this.stopped) this.collector.socket('closes');
    });
    ws.addErrorListener(() => {
      if (!this.stopped) this.collector.socket('errors');
    });
    // With a missed-message listener the client keeps its connection id and resumes on reconnect.
    ws.addMissedMessageListener(() => undefined);
    ws.addMessageListener((msg) => this.onEvent(msg as unknown as { event: string; data: Record<string, any> }));
    ws.initialize(this.settings.wsUrl, this.client.getToken());
  }

  disconnect(): void {
    const ws = this.ws;
    this.ws = undefined;
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
  }

  private onEvent(msg: { event: string; data: Record<string, any> }): void {
    this.collector.event(msg.event);
    if (msg.event === 'posted') {
      let post: any;
      try {
        post = JSON.parse(msg.data.post);
      } catch {
        return;
      }
      if (post.create_at >= this.settings.runStartMs) this.collector.delivered(Date.now() - post.create_at);
      if (this.store.posts.has(post.channel_id)) this.store.addPosts(post.channel_id, [post]);
    } else if (msg.event === 'typing' && !this.stopped && this.ready) {
      // simulcontroller/websocket.go: fetch the typist (and its status) when not known yet.
      const userId = msg.data.user_id as string;
      if (!userId) return;
      void this.runAction('HandleTypingEvent', async () => {
        if (!this.store.users.has(userId)) {
          const users = (await this.api('POST /users/ids', () => this.client.getProfilesByIds([userId]))) ?? [];
          for (const u of users) this.store.rememberUser(u.id, u.username, u.last_picture_update ?? 0);
        }
        if (!this.store.statuses.has(userId)) {
          await this.api('POST /users/status/ids', () => this.client.getStatusesByIds([userId]));
          this.store.statuses.add(userId);
        }
      }).catch(() => undefined);
    }
  }

  /** initialJoinTeam: a reload, then a team to be in (joining one when the user has none). */
  private async initialJoinTeam(): Promise<void> {
    await this.reload();
    // Mattermost's load test says early that no thread is open, so that the server's event scope applies from the start.
    this.lookAt({ threadChannelId: '' });
    if (!this.store.currentTeamId) await this.joinTeam();
  }

  /** controller reload(false): users list, the web app's start-up requests, the current team and channel. */
  async reload(): Promise<void> {
    await this.api('GET /users', () => this.client.getProfiles(0, 100));
    const me = await this.api('GET /users/{id}', () => this.client.getMe());
    await this.api('GET /license/client', () => this.client.getClientLicenseOld());
    await this.api('GET /users/{id}/preferences', () => this.client.getMyPreferences());
    await this.api('GET /users/{id}/teams', () => this.client.getMyTeams());
    const teamMembers = (await this.api('GET /users/{id}/teams/members', () => this.client.getMyTeamMembers())) ?? [];
    // The web app's loadMe loads the roles of the user and of its team memberships, then unreads and server limits.
    await this.api('POST /roles/names', () => this.client.getRolesByNames(rolesOf(me?.roles, ...teamMembers.map((m) => m.roles))));
    await this.api('GET /users/{id}/teams/unread', () => this.client.getMyTeamUnreads(this.crt));
    await this.api('GET /limits/server', () => this.client.getServerLimits());
    const teamId = this.store.currentTeamId || [...this.store.teams.keys()][Math.floor(Math.random() * this.store.teams.size)];
    if (!teamId) return;
    await this.loadTeam(teamId);
    this.store.currentTeamId = teamId;
    await this.switchChannel();
  }

  /** loadTeam: the team's channels and memberships, unreads, thread totals, sidebar, own status. */
  async loadTeam(teamId: string): Promise<void> {
    const channels = await this.api('GET /users/{id}/teams/{id}/channels', () => this.client.getMyChannels(teamId, true));
    this.store.setChannels((channels ?? []) as ChannelInfo[]);
    const members = (await this.api('GET /users/{id}/teams/{id}/channels/members', () => this.client.getMyChannelMembers(teamId))) ?? [];
    await this.api('POST /roles/names', () => this.client.getRolesByNames(rolesOf(...members.map((m) => m.roles))));
    await this.api('GET /users/{id}/teams/unread', () => this.client.getMyTeamUnreads(this.crt));
    await this.api('GET /users/{id}/teams/{id}/threads', () => this.client.getUserThreads(this.store.userId, teamId, { totalsOnly: true, threadsOnly: false }));
    await this.api('GET /users/{id}/teams/{id}/channels/categories', () => this.client.getChannelCategories(this.store.userId, teamId));
    await this.api('POST /users/status/ids', () => this.client.getStatusesByIds([this.store.userId]));
  }

  /** joinTeam: list teams and users, join a random team the user is not in, switch to it. */
  async joinTeam(): Promise<void> {
    const teams = ((await this.api('GET /teams', () => this.client.getTeams(0, 100))) ?? []) as Array<{ id: string; name: string; allow_open_invite: boolean }>;
    await this.api('GET /users', () => this.client.getProfiles(0, 100));
    const candidates = teams.filter((t) => !this.store.teams.has(t.id) && t.allow_open_invite);
    const team = candidates[Math.floor(Math.random() * candidates.length)];
    if (!team) {
      if (this.store.teams.size === 0) throw new Error('no team to join');
      return this.switchTeam();
    }
    await this.api('POST /teams/{id}/members', () => this.client.addToTeam(team.id, this.store.userId));
    this.store.teams.set(team.id, { id: team.id, name: team.name });
    await this.switchTeam(team.id);
  }

  async switchTeam(teamId?: string): Promise<void> {
    const others = [...this.store.teams.keys()].filter((id) => id !== this.store.currentTeamId);
    const target = teamId ?? others[Math.floor(Math.random() * others.length)];
    if (!target) return;
    await this.loadTeam(target);
    this.store.currentTeamId = target;
    this.lookAt({ teamId: target });
    await this.switchChannel();
  }

  /** SwitchChannel: a random public or private channel of the current team the user is in. */
  async switchChannel(): Promise<void> {
    const ch = this.store.randomChannel(this.store.currentTeamId, (c) => c.id !== this.store.currentChannelId && (c.type === 'O' || c.type === 'P'));
    if (!ch) return;
    await this.viewChannel(ch);
    this.store.currentChannelId = ch.id;
    this.lookAt({ channelId: ch.id });
  }

  /**
   * Tells the server where the user looks (the `presence` action), where Mattermost's load test
   * does when the client config has FeatureFlagWebSocketEventScope: a team or channel switched to,
   * a thread opened, and no thread ('') after the first reload. With it, the server sends a
   * channel's typing and reactions only to the connections looking at that channel, as it does for
   * the web app; without it, every member's socket gets them and every member fetches the typist.
   */
  lookAt(place: { channelId?: string; teamId?: string; threadChannelId?: string }): void {
    if (this.clientConfig.FeatureFlagWebSocketEventScope !== 'true' || !this.ws) return;
    if (place.teamId !== undefined) this.ws.updateActiveTeam(place.teamId);
    if (place.channelId !== undefined) this.ws.updateActiveChannel(place.channelId);
    if (place.threadChannelId !== undefined) {
      // Like Mattermost's load test, which has no right-hand side apart from the threads view: both.
      this.ws.updateActiveThread(true, place.threadChannelId);
      this.ws.updateActiveThread(false, place.threadChannelId);
    }
  }

  /**
   * viewChannel as the web app does it: mark the channel being left as viewed, load the posts
   * around the first unread (first visit) or since the last visit, what those posts need (users,
   * statuses, pictures, mentioned users), the channel stats, DM/GM sidebar preferences, and mark
   * the new channel viewed.
   */
  async viewChannel(ch: ChannelInfo): Promise<void> {
    const current = this.store.currentChannelId;
    if (current) await this.api('POST /channels/members/{id}/view', () => this.client.viewMyChannel(current));
    const lastView = this.store.channelViews.get(ch.id) ?? 0;
    const list = lastView
      ? await this.api('GET /channels/{id}/posts', () => this.client.getPostsSince(ch.id, lastView, true, this.crt))
      : await this.api('GET /users/{id}/channels/{id}/posts/unread', () =>
          this.client.getPostsUnread(ch.id, this.store.userId, this.config.postsPerPage, this.config.postsPerPage, true, this.crt),
        );
    const posts = list ? Object.values(list.posts) : [];
    this.store.addPosts(ch.id, posts as never);
    await this.fetchPostsInfo(posts as Array<{ user_id: string; message: string }>);
    const stats = await this.api('GET /channels/{id}/stats', () => this.client.getChannelStats(ch.id, Math.random() < 0.01));
    if (stats) ch.member_count = stats.member_count;
    if (ch.type === 'D') {
      const other = ch.name.split('__').find((id) => id !== this.store.userId);
      if (other) this.store.directUsers.add(other);
    }
    if (ch.type === 'D' || ch.type === 'G') {
      const category = ch.type === 'D' ? 'direct_channel_show' : 'group_channel_show';
      await this.api('PUT /users/{id}/preferences', () =>
        this.client.savePreferences(this.store.userId, [
          { user_id: this.store.userId, category, name: ch.id, value: 'true' },
          { user_id: this.store.userId, category: 'channel_open_time', name: ch.id, value: new Date().toISOString() },
        ]),
      );
    }
    await this.api('POST /channels/members/{id}/view', () => this.client.viewMyChannel(ch.id));
    this.store.channelViews.set(ch.id, Date.now());
  }

  /** fetchPostsInfo: statuses, profiles, pictures of the posters not known yet, and mentioned users. */
  async fetchPostsInfo(posts: Array<{ user_id: string; message: string }>): Promise<void> {
    const s = this.store;
    const statuses = new Set<string>();
    const users = new Set<string>();
    const pictures = new Set<string>();
    const mentions = new Set<string>();
    for (const p of posts) {
      if (!s.statuses.has(p.user_id)) statuses.add(p.user_id);
      if (!s.users.has(p.user_id)) users.add(p.user_id);
      if (!s.pictures.has(p.user_id)) pictures.add(p.user_id);
      const m = /@([a-z0-9_.-]+)/.exec(p.message ?? '')?.[1];
      if (m && ![...s.users.values()].some((u) => u.username === m)) mentions.add(m);
    }
    if (statuses.size) {
      await this.api('POST /users/status/ids', () => this.client.getStatusesByIds([...statuses]));
      for (const id of statuses) s.statuses.add(id);
    }
    if (users.size) {
      const profiles = (await this.api('POST /users/ids', () => this.client.getProfilesByIds([...users]))) ?? [];
      for (const u of profiles) s.rememberUser(u.id, u.username, u.last_picture_update ?? 0);
    }
    for (const id of pictures) {
      await this.profileImage(id);
      s.pictures.add(id);
    }
    if (mentions.size) {
      const profiles = (await this.api('POST /users/usernames', () => this.client.getProfilesByUsernames([...mentions]))) ?? [];
      for (const u of profiles) s.rememberUser(u.id, u.username, u.last_picture_update ?? 0);
    }
  }

  /** GET /users/{id}/image as the browser loads it (an <img>, so outside Client4's JSON calls). */
  async profileImage(userId: string): Promise<void> {
    const url = this.client.getProfilePictureUrl(userId, this.store.users.get(userId)?.last_picture_update ?? 0);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${this.client.getToken()}` } });
    await res.arrayBuffer();
  }

  /** getUsersStatuses (every 60 s): the user, the authors of the last 60 posts of the current channel, DM partners. */
  async pollStatuses(): Promise<void> {
    const ids = new Set<string>([this.store.userId]);
    const posts = this.store.channelPosts(this.store.currentChannelId).slice(-60);
    for (const p of posts) ids.add(p.user_id);
    for (const id of this.store.directUsers.values()) ids.add(id);
    await this.api('POST /users/status/ids', () => this.client.getStatusesByIds([...ids]));
  }
}
