import type { SpaceRow } from '../../../server/spaces/queries.ts';
import { Badge } from '../components.tsx';

const LABELS = { public: 'Public', members: 'Members only', confidential: 'Confidential' } as const;
const MEANING = {
  public: 'Anyone can read this space, and search engines may index it.',
  members: 'Only signed-in members of Rounds can read this space. It is never indexed or in public feeds.',
  confidential: 'Only the members of this space can read it. What is said here stays here.',
} as const;

export function LevelLabel({ level }: { level: SpaceRow['level'] }) {
  return <Badge kind={`level-${level}`}>{LABELS[level]}</Badge>;
}

export interface PendingLowering {
  toLevel: SpaceRow['level'];
  effectiveAt: Date | null;
}

/**
 * Shown on every page of a space: its confidentiality in words (never colour alone), and the
 * notice of a coming change of level so no member is surprised by it.
 */
export function SpaceBanner({ space, pending }: { space: Pick<SpaceRow, 'level' | 'name'>; pending?: PendingLowering | null }) {
  if (space.level === 'public' && !pending) return null;
  return (
    <div class={`space-banner space-banner-${space.level}`} role="note" aria-label="Confidentiality of this space">
      <p>
        <LevelLabel level={space.level} /> <span>{MEANING[space.level]}</span>
      </p>
      {pending && (
        <p class="space-banner-change">
          {pending.effectiveAt ? (
            <>
              Notice: on <time datetime={pending.effectiveAt.toISOString()}>{pending.effectiveAt.toISOString().slice(0, 10)}</time> this space becomes <strong>{LABELS[pending.toLevel]}</strong>. Everything already posted will then be readable at that level. Leave or remove your posts before then if that was not your understanding.
            </>
          ) : (
            <>The owners are considering making this space {LABELS[pending.toLevel]}. Members will get a week's notice before any change.</>
          )}
        </p>
      )}
    </div>
  );
}
