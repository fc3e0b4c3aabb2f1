import { expect } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { callAs } from '../http/conversations-api-support.ts';
import { sharedRedis, testApp } from '../http/helpers.ts';
import type { TestDb } from '../support/test-db.ts';
import { isActiveMember, type MConv, type Model, mayView, USERS, type UserKey } from './privacy-model.ts';

/** Issue 12: the admin API's conversation routes, one app per test database. */
const redis = sharedRedis();
const apps = new WeakMap<TestDb, App>();
export const appFor = (db: TestDb): App => {
  let app = apps.get(db);
  if (!app) {
    app = testApp(db, redis).app;
    apps.set(db, app);
  }
  return app;
};

/**
 * R17/R33 through the admin API, for every user acting by X-Parley-User: the list (every status)
 * holds exactly the conversations they may see now, and the detail route answers each one in
 * full only to them — 403 to the group's others, 404 outside the group — never with its content.
 * A deactivated user gets nothing.
 */
export async function checkApi(m: Model, db: TestDb, step: string): Promise<void> {
  const app = appFor(db);
  for (const u of USERS) {
    const user = m.users[u];
    const listed = await callAs(app, user.id, 'GET', '/conversations?status=all&limit=100');
    const body = await listed.text();
    if (!user.active) {
      expect(listed.status, `${step}: API list of deactivated ${u}`).toBe(403);
      continue;
    }
    expect(listed.status, `${step}: API list of ${u}: ${body}`).toBe(200);
    const ids = (JSON.parse(body) as { items: { id: string }[] }).items.map((i) => i.id).sort();
    const visible = m.convs.filter((c) => mayView(m, u, c));
    expect(ids, `${step}: API list of ${u}`).toEqual(visible.map((c) => c.id).sort());
    for (const c of m.convs) await checkDetail(m, app, u, c, step);
  }
}

async function checkDetail(m: Model, app: App, u: UserKey, c: MConv, step: string): Promise<void> {
  const res = await callAs(app, m.users[u].id, 'GET', `/conversations/${c.id}`);
  const body = await res.text();
  const where = `${step}: API detail of #${c.number} for ${u} (list ${JSON.stringify(c.list)})`;
  if (mayView(m, u, c)) {
    expect(res.status, `${where}: ${body}`).toBe(200);
    return;
  }
  expect(res.status, where).toBe(isActiveMember(m, u, c.group) ? 403 : 404);
  for (const s of c.secrets) expect(body.includes(s), `${where} shows ${s}`).toBe(false);
}
