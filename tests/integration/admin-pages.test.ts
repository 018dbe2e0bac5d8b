import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent, locationOf } from '../helpers/browser-session.ts';

/* The admin page as an administrator uses it: every change goes through its form. */

let app: TestApp;
let admin: Agent;
let member: Agent;

beforeAll(async () => {
  app = await createTestApp();
  const { url } = await app.services.accounts.createAdminWithSignInLink('siteadmin', 'siteadmin@example.org', 'Site Admin', 'http://localhost');
  admin = new Agent(app);
  const path = new URL(url).pathname;
  await admin.get(path);
  expect((await admin.postForm(path, {})).statusCode).toBe(303);
  member = new Agent(app);
  const joined = await member.submit('/register', '/register', { handle: 'plainmember', displayName: 'Plain Member', email: 'plain@example.org', password: 'Velvet-lantern-42-orbit' });
  expect(joined.statusCode).toBe(303);
});
afterAll(async () => app.close());

/** Submits a form on /admin as the admin; returns the response (303 on success). */
function adminForm(action: string, fields: Record<string, string>) {
  return admin.submit('/admin', action, fields);
}

async function createSpace(name: string, description = ''): Promise<number> {
  const res = await adminForm('/admin/spaces', { name, description });
  expect(res.statusCode).toBe(303);
  const id = /^\/admin#space-(\d+)$/.exec(locationOf(res))?.[1];
  expect(id).toBeDefined();
  return Number(id);
}

async function createBoard(spaceId: number, name: string, description = ''): Promise<number> {
  const res = await adminForm(`/admin/spaces/${spaceId}/boards`, { name, description });
  expect(res.statusCode).toBe(303);
  const id = /^\/admin#board-(\d+)$/.exec(locationOf(res))?.[1];
  expect(id).toBeDefined();
  return Number(id);
}

/** Where each name first appears in the page, to compare orders. */
function positions(html: string, names: string[]): number[] {
  return names.map((name) => {
    const at = html.indexOf(`>${name}</a>`);
    expect(at, `${name} is on the page`).toBeGreaterThanOrEqual(0);
    return at;
  });
}

const home = async () => (await new Agent(app).get('/')).body;

describe('access', () => {
  test('a member gets 403 on the admin page and its forms, and nothing is written', async () => {
    expect((await member.get('/admin')).statusCode).toBe(403);
    await member.get('/settings');
    const res = await member.postForm('/admin/spaces', { name: 'Member made this', description: '' });
    expect(res.statusCode).toBe(403);
    expect((await admin.get('/admin')).body).not.toContain('Member made this');
  });

  test('a visitor is sent to sign in', async () => {
    const res = await new Agent(app).get('/admin');
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/signin?next=%2Fadmin');
  });
});

describe('spaces and boards', () => {
  test('an admin creates a space and a board through the forms and sees them on /admin and the home page', async () => {
    const spaceId = await createSpace('Cardiology', 'Hearts and how they fail');
    await createBoard(spaceId, 'Case reviews', 'Anonymised cases');

    const page = await admin.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Board “Case reviews” created.');
    expect(page.body).toContain('<a href="/s/cardiology">Cardiology</a>');
    expect(page.body).toContain('Case reviews');
    expect(page.body.match(/<h1[\s>]/g)).toHaveLength(1);

    const front = await home();
    expect(front).toContain('Cardiology');
    expect(front).toContain('Hearts and how they fail');
    expect(front).toContain('href="/s/cardiology/case-reviews"');
  });

  test('an admin renames a space and a board; the addresses stay the same', async () => {
    const spaceId = await createSpace('Nephrology');
    const boardId = await createBoard(spaceId, 'Dialysis');

    expect((await adminForm(`/admin/spaces/${spaceId}`, { name: 'Renal medicine', description: 'Kidneys' })).statusCode).toBe(303);
    expect((await adminForm(`/admin/boards/${boardId}`, { name: 'Dialysis access', description: 'Fistulas and lines' })).statusCode).toBe(303);

    const page = await admin.get('/admin');
    expect(page.body).toContain('<a href="/s/nephrology">Renal medicine</a>');
    expect(page.body).toContain('<a href="/s/nephrology/dialysis">Dialysis access</a>');
    const front = await home();
    expect(front).toContain('Renal medicine');
    expect(front).toContain('Fistulas and lines');
  });

  test('an admin reorders spaces and boards with the move buttons', async () => {
    const first = await createSpace('Order first');
    const second = await createSpace('Order second');
    const boardA = await createBoard(first, 'Board alpha');
    await createBoard(first, 'Board beta');

    let page = (await admin.get('/admin')).body;
    const [a, b] = positions(page, ['Order first', 'Order second']);
    expect(a).toBeLessThan(b!);

    expect((await adminForm(`/admin/spaces/${second}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await adminForm(`/admin/boards/${boardA}/move`, { direction: 'down' })).statusCode).toBe(303);

    page = (await admin.get('/admin')).body;
    const [a2, b2] = positions(page, ['Order first', 'Order second']);
    expect(b2).toBeLessThan(a2!);
    const [alpha, beta] = positions(page, ['Board alpha', 'Board beta']);
    expect(beta).toBeLessThan(alpha!);

    const front = await home();
    const [fa, fb] = positions(front, ['Order first', 'Order second']);
    expect(fb).toBeLessThan(fa!);
    const [falpha, fbeta] = positions(front, ['Board alpha', 'Board beta']);
    expect(fbeta).toBeLessThan(falpha!);
  });

  test('archived spaces and boards leave the home page but stay on /admin, and unarchiving brings them back', async () => {
    const spaceId = await createSpace('Retired ward');
    const keptSpace = await createSpace('Busy ward');
    const boardId = await createBoard(keptSpace, 'Old rota');
    await createBoard(keptSpace, 'New rota');

    expect((await adminForm(`/admin/spaces/${spaceId}/archive`, { archived: 'true' })).statusCode).toBe(303);
    expect((await adminForm(`/admin/boards/${boardId}/archive`, { archived: 'true' })).statusCode).toBe(303);

    let front = await home();
    expect(front).not.toContain('Retired ward');
    expect(front).not.toContain('Old rota');
    expect(front).toContain('New rota');

    const page = (await admin.get('/admin')).body;
    expect(page).toContain('Retired ward');
    expect(page).toContain('Old rota');
    expect(page).toContain('aria-label="Unarchive space Retired ward"');
    expect(page).toContain('aria-label="Unarchive board Old rota"');

    expect((await adminForm(`/admin/spaces/${spaceId}/archive`, { archived: 'false' })).statusCode).toBe(303);
    expect((await adminForm(`/admin/boards/${boardId}/archive`, { archived: 'false' })).statusCode).toBe(303);
    front = await home();
    expect(front).toContain('Retired ward');
    expect(front).toContain('Old rota');
  });

  test('a refused name is shown beside the form it came from, with what was typed', async () => {
    const empty = await adminForm('/admin/spaces', { name: '   ', description: 'Typed description survives' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="space-new-name"[^>]*aria-invalid="true"/);
    expect(empty.body).toContain('Typed description survives</textarea>');

    const spaceId = await createSpace('Oncology');
    const boardId = await createBoard(spaceId, 'Tumour board');
    const tooLong = 'x'.repeat(81);
    const res = await adminForm(`/admin/boards/${boardId}`, { name: tooLong, description: 'kept' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(new RegExp(`id="board-${boardId}-name"[^>]*aria-invalid="true"[^>]*value="${tooLong}"`));
    // Only the board's own form is marked, and its rename panel is open.
    expect(res.body.match(/aria-invalid="true"/g)).toHaveLength(1);
    expect(res.body).toMatch(new RegExp(`<details open[^>]*><summary>Rename board</summary><form method="post" action="/admin/boards/${boardId}"`));
    expect((await admin.get('/admin')).body).toContain('>Tumour board</a>');
  });

  test('an unknown space or board is a 404', async () => {
    expect((await adminForm('/admin/spaces/999999', { name: 'Ghost', description: '' })).statusCode).toBe(404);
    expect((await adminForm('/admin/boards/999999/move', { direction: 'up' })).statusCode).toBe(404);
  });
});
