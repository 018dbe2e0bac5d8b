import { Choice } from '../components.tsx';

/** How people join a space: asked when it is created, and changeable by its owners. */
export function JoinPolicyChoice({ value, error }: { value: string; error?: string | undefined }) {
  return (
    <Choice
      name="joinPolicy"
      legend="How people join"
      value={value}
      error={error}
      options={[
        { value: 'invite', label: 'By invitation', hint: 'Owners and moderators invite members by handle or a single-use link.' },
        { value: 'request', label: 'By request', hint: 'Members ask to join; owners or moderators approve (not for confidential spaces: nobody outside can see them).' },
        { value: 'open', label: 'Open', hint: 'Anyone who can see the space may join (not for confidential spaces).' },
      ]}
    />
  );
}
