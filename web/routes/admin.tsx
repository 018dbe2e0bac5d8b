import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid } from '../../server/errors.ts';
import { requireMember } from '../../server/policy/index.ts';
import { SPACE_LIMITS, type NameInput } from '../../server/spaces/service.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { AdminPage, type AdminFormKey, type AdminProblem } from '../views/admin/admin-page.tsx';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };
// Generous caps: the service gives the precise message, and the form keeps the text.
const NameBody = Type.Object({
  name: Type.String({ maxLength: SPACE_LIMITS.name * 4 }),
  description: Type.Optional(Type.String({ maxLength: SPACE_LIMITS.description * 4 })),
  ...Csrf,
});
const MoveBody = Type.Object({ direction: Type.Union([Type.Literal('up'), Type.Literal('down')]), ...Csrf });
const ArchiveBody = Type.Object({ archived: Type.Boolean(), ...Csrf });

/** Site administration: spaces and their boards. Every route is admin-only; the service checks again. */
export const adminPages: FastifyPluginAsyncTypebox = async (app) => {
  const { spaces } = app.services;

  async function renderAdmin(request: FastifyRequest, reply: FastifyReply, problem?: AdminProblem, status = 200) {
    const [directory, governance] = await Promise.all([spaces.directory(request.viewer, { includeArchived: true }), spaces.governance(request.viewer)]);
    return sendPage(reply, <AdminPage ctx={pageContext(request, reply)} directory={directory} governance={governance} problem={problem} />, status);
  }

  /** Runs a name change; a refusal re-renders the page with the typed values next to the form that sent them. */
  async function nameForm(request: FastifyRequest, reply: FastifyReply, form: AdminFormKey, values: NameInput, run: () => Promise<{ message: string; anchor: string }>) {
    try {
      const done = await run();
      request.flash('success', done.message);
      return reply.redirect(`/admin#${done.anchor}`, 303);
    } catch (error) {
      if (!(error instanceof Invalid) && !(error instanceof Conflict)) throw error;
      const problem: AdminProblem = { form, values, message: error.message, errors: error instanceof Invalid ? error.fields : {} };
      return renderAdmin(request, reply, problem, error instanceof Invalid ? 422 : 409);
    }
  }

  const nameInput = (body: { name: string; description?: string | undefined }): NameInput => ({ name: body.name, description: body.description ?? '' });

  app.get('/admin', { config: { access: 'admin' } }, async (request, reply) => renderAdmin(request, reply));

  // Spaces

  app.post('/admin/spaces', { config: { access: 'admin' }, schema: { body: NameBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const values = nameInput(request.body);
    return nameForm(request, reply, 'space-new', values, async () => {
      const space = await spaces.createSpace(viewer, values);
      return { message: `Space “${space.name}” created.`, anchor: `space-${space.id}` };
    });
  });

  app.post('/admin/spaces/:id', { config: { access: 'admin' }, schema: { params: IdParam, body: NameBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    const values = nameInput(request.body);
    return nameForm(request, reply, `space-${id}`, values, async () => {
      await spaces.changeSpaceDetails(viewer, id, values);
      const space = await spaces.spaceById(viewer, id);
      return { message: `Space “${space.name}” saved.`, anchor: `space-${id}` };
    });
  });

  app.post('/admin/spaces/:id/move', { config: { access: 'admin' }, schema: { params: IdParam, body: MoveBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    await spaces.moveSpace(viewer, id, request.body.direction);
    const space = await spaces.spaceById(viewer, id);
    request.flash('success', `Space “${space.name}” moved ${request.body.direction}.`);
    return reply.redirect(`/admin#space-${id}`, 303);
  });

  app.post('/admin/spaces/:id/archive', { config: { access: 'admin' }, schema: { params: IdParam, body: ArchiveBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    const { archived } = request.body;
    await spaces.setSpaceArchived(viewer, id, archived);
    const space = await spaces.spaceById(viewer, id);
    request.flash(
      'success',
      archived ? `Space “${space.name}” archived: it left the home page and takes no new threads.` : `Space “${space.name}” is active again.`,
    );
    return reply.redirect(`/admin#space-${id}`, 303);
  });

  // Boards

  app.post('/admin/spaces/:id/boards', { config: { access: 'admin' }, schema: { params: IdParam, body: NameBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    const values = nameInput(request.body);
    return nameForm(request, reply, `board-new-${id}`, values, async () => {
      const board = await spaces.createBoard(viewer, id, values);
      return { message: `Board “${board.name}” created.`, anchor: `board-${board.id}` };
    });
  });

  app.post('/admin/boards/:id', { config: { access: 'admin' }, schema: { params: IdParam, body: NameBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    const values = nameInput(request.body);
    return nameForm(request, reply, `board-${id}`, values, async () => {
      await spaces.renameBoard(viewer, id, values);
      const board = await spaces.boardById(viewer, id);
      return { message: `Board “${board.name}” saved.`, anchor: `board-${id}` };
    });
  });

  app.post('/admin/boards/:id/move', { config: { access: 'admin' }, schema: { params: IdParam, body: MoveBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    await spaces.moveBoard(viewer, id, request.body.direction);
    const board = await spaces.boardById(viewer, id);
    request.flash('success', `Board “${board.name}” moved ${request.body.direction}.`);
    return reply.redirect(`/admin#board-${id}`, 303);
  });

  app.post('/admin/boards/:id/archive', { config: { access: 'admin' }, schema: { params: IdParam, body: ArchiveBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { id } = request.params;
    const { archived } = request.body;
    await spaces.setBoardArchived(viewer, id, archived);
    const board = await spaces.boardById(viewer, id);
    request.flash('success', archived ? `Board “${board.name}” archived: it takes no new threads.` : `Board “${board.name}” is active again.`);
    return reply.redirect(`/admin#board-${id}`, 303);
  });
};
