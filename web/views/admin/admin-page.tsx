import { SPACE_LIMITS, type NameInput } from '../../../server/spaces/service.ts';
import type { BoardRow, SpaceRow } from '../../../server/spaces/queries.ts';
import type { PageContext } from '../../context.ts';
import { boardHref, spaceHref } from '../../urls.ts';
import { Badge, CsrfField, ErrorSummary, Field } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { LevelLabel } from '../spaces/space-banner.tsx';

type SpaceWithBoards = SpaceRow & { boards: BoardRow[] };

/** Which form on the page a refused submission came from. */
export type AdminFormKey = 'space-new' | `space-${number}` | `board-new-${number}` | `board-${number}`;

/** A refused form: shown next to the form it came from, with what was typed. */
export interface AdminProblem {
  form: AdminFormKey;
  values: NameInput;
  message: string;
  errors: Record<string, string>;
}

const LEVELS = { public: 'Public', members: 'Members only', confidential: 'Confidential' } as const;

export interface GovernanceRow {
  id: number;
  name: string;
  level: SpaceRow['level'];
  archived: boolean;
  memberCount: number;
}

export function AdminPage({ ctx, directory, governance, problem }: { ctx: PageContext; directory: SpaceWithBoards[]; governance: GovernanceRow[]; problem?: AdminProblem | undefined }) {
  const managed = new Set(directory.map((s) => s.id));
  const hidden = governance.filter((g) => !managed.has(g.id));
  const problemFor = (form: AdminFormKey) => (problem?.form === form ? problem : undefined);
  return (
    <Layout ctx={ctx} title="Admin" noindex>
      <div class="page-head">
        <h1>Spaces and boards</h1>
        <a class="button button-secondary button-small" href="/admin/moderation">
          Moderation settings
        </a>
        <a class="button button-secondary button-small" href="/admin/outbox">
          Outbox
        </a>
      </div>
      <p class="lead">
        Archived spaces and boards leave the home page and take no new posts; what was written stays readable at its address.
      </p>
      <section class="admin-create" aria-labelledby="create-space-heading">
        <h2 id="create-space-heading">Create a space</h2>
        <NameForm ctx={ctx} action="/admin/spaces" idPrefix="space-new" submitLabel="Create space" problem={problemFor('space-new')} />
      </section>
      <section aria-labelledby="spaces-heading">
        <h2 id="spaces-heading">All spaces</h2>
        {directory.length === 0 && <p class="empty">No spaces yet. Create the first one above.</p>}
        {directory.map((space, index) => (
          <SpaceBlock ctx={ctx} space={space} first={index === 0} last={index === directory.length - 1} problemFor={problemFor} />
        ))}
      </section>
      {hidden.length > 0 && (
        <section aria-labelledby="governance-heading" class="settings-section">
          <h2 id="governance-heading">Confidential spaces you are not a member of</h2>
          <p class="hint">For governance you see that they exist, their level and size — never their content. Their owners run them.</p>
          <table class="token-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Level</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {hidden.map((g) => (
                <tr>
                  <td>
                    {g.name}
                    {g.archived && ' (archived)'}
                  </td>
                  <td>
                    <LevelLabel level={g.level} />
                  </td>
                  <td>{g.memberCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Layout>
  );
}

function SpaceBlock(props: {
  ctx: PageContext;
  space: SpaceWithBoards;
  first: boolean;
  last: boolean;
  problemFor: (form: AdminFormKey) => AdminProblem | undefined;
}) {
  const { ctx, space, problemFor } = props;
  const archived = space.archivedAt !== null;
  const rename = problemFor(`space-${space.id}`);
  const addBoard = problemFor(`board-new-${space.id}`);
  return (
    <section class={archived ? 'admin-space archived' : 'admin-space'} id={`space-${space.id}`} aria-labelledby={`space-${space.id}-heading`}>
      <div class="page-head">
        <h3 id={`space-${space.id}-heading`}>
          <a href={spaceHref(space.slug)}>{space.name}</a>
        </h3>
        <Badge kind={`level-${space.level}`}>{LEVELS[space.level]}</Badge>
        {archived && <Badge kind="archived">Archived</Badge>}
      </div>
      {space.description && <p class="hint">{space.description}</p>}
      <div class="admin-actions">
        <MoveButtons ctx={ctx} action={`/admin/spaces/${space.id}/move`} name={space.name} first={props.first} last={props.last} />
        <ActionButton
          ctx={ctx}
          action={`/admin/spaces/${space.id}/archive`}
          fields={{ archived: archived ? 'false' : 'true' }}
          label={archived ? 'Unarchive' : 'Archive'}
          ariaLabel={`${archived ? 'Unarchive' : 'Archive'} space ${space.name}`}
          confirm={archived ? undefined : `Archive “${space.name}”? It leaves the home page and takes no new threads.`}
        />
      </div>
      <details open={rename !== undefined}>
        <summary>Rename space</summary>
        <NameForm ctx={ctx} action={`/admin/spaces/${space.id}`} idPrefix={`space-${space.id}`} submitLabel="Save space" current={space} problem={rename} />
      </details>
      <h4>Boards</h4>
      {space.boards.length === 0 ? (
        <p class="empty">
          {/* Site staff see a confidential space's boards only as its members who accepted its current rules. */}
          {space.level === 'confidential'
            ? 'No boards you can see yet: a confidential space shows its boards to its members once they have accepted its current ground rules.'
            : 'No boards in this space yet.'}
        </p>
      ) : (
        <ul class="admin-boards">
          {space.boards.map((board, index) => (
            <BoardItem ctx={ctx} space={space} board={board} first={index === 0} last={index === space.boards.length - 1} problem={problemFor(`board-${board.id}`)} />
          ))}
        </ul>
      )}
      <details open={addBoard !== undefined}>
        <summary>Add a board to {space.name}</summary>
        <NameForm ctx={ctx} action={`/admin/spaces/${space.id}/boards`} idPrefix={`board-new-${space.id}`} submitLabel="Add board" problem={addBoard} />
      </details>
    </section>
  );
}

function BoardItem(props: { ctx: PageContext; space: SpaceRow; board: BoardRow; first: boolean; last: boolean; problem: AdminProblem | undefined }) {
  const { ctx, space, board, problem } = props;
  const archived = board.archivedAt !== null;
  return (
    <li class={archived ? 'admin-board archived' : 'admin-board'} id={`board-${board.id}`}>
      <div class="admin-board-head">
        <a href={boardHref(space.slug, board.slug)}>{board.name}</a>
        {archived && <Badge kind="archived">Archived</Badge>}
      </div>
      {board.description && <p class="hint">{board.description}</p>}
      <div class="admin-actions">
        <MoveButtons ctx={ctx} action={`/admin/boards/${board.id}/move`} name={board.name} first={props.first} last={props.last} />
        <ActionButton
          ctx={ctx}
          action={`/admin/boards/${board.id}/archive`}
          fields={{ archived: archived ? 'false' : 'true' }}
          label={archived ? 'Unarchive' : 'Archive'}
          ariaLabel={`${archived ? 'Unarchive' : 'Archive'} board ${board.name}`}
          confirm={archived ? undefined : `Archive “${board.name}”? It takes no new threads.`}
        />
      </div>
      <details open={problem !== undefined}>
        <summary>Rename board</summary>
        <NameForm ctx={ctx} action={`/admin/boards/${board.id}`} idPrefix={`board-${board.id}`} submitLabel="Save board" current={board} problem={problem} />
      </details>
    </li>
  );
}

function MoveButtons(props: { ctx: PageContext; action: string; name: string; first: boolean; last: boolean }) {
  return (
    <>
      {!props.first && <ActionButton ctx={props.ctx} action={props.action} fields={{ direction: 'up' }} label="Move up" ariaLabel={`Move up: ${props.name}`} />}
      {!props.last && <ActionButton ctx={props.ctx} action={props.action} fields={{ direction: 'down' }} label="Move down" ariaLabel={`Move down: ${props.name}`} />}
    </>
  );
}

/** A one-button form whose button names its target for screen readers ("Move Cardiology up"). */
function ActionButton(props: { ctx: PageContext; action: string; fields: Record<string, string>; label: string; ariaLabel: string; confirm?: string | undefined }) {
  return (
    <form method="post" action={props.action} class="inline-form" data-confirm={props.confirm}>
      <CsrfField ctx={props.ctx} />
      {Object.entries(props.fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class="button button-small button-secondary" aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

/**
 * Name and description fields. The page holds many of these forms, so ids come from the form's
 * key rather than the field name (the shared Field component derives its id from the name).
 */
function NameForm(props: { ctx: PageContext; action: string; idPrefix: string; submitLabel: string; current?: NameInput; problem: AdminProblem | undefined }) {
  const { problem } = props;
  const values = problem?.values ?? props.current ?? { name: '', description: '' };
  const errors = problem?.errors ?? {};
  return (
    <form method="post" action={props.action} class="admin-form">
      <ErrorSummary message={problem?.message} />
      <CsrfField ctx={props.ctx} />
      <Field id={`${props.idPrefix}-name`} name="name" label="Name" value={values.name} error={errors.name} required maxLength={SPACE_LIMITS.name} />
      <Field id={`${props.idPrefix}-description`} name="description" label="Description" value={values.description} error={errors.description} maxLength={SPACE_LIMITS.description} multiline rows={2} />
      <button type="submit" class="button button-small">
        {props.submitLabel}
      </button>
    </form>
  );
}
