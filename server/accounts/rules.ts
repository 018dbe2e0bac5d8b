export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9_-]{2,29}$/i;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Handles that would impersonate the site or collide with paths people expect.
const RESERVED = new Set(['admin', 'administrator', 'moderator', 'mod', 'mods', 'staff', 'system', 'rounds', 'support', 'api', 'root', 'everyone', 'here', 'anonymous']);

export const LIMITS = {
  displayName: 80,
  email: 254,
  title: 100,
  specialty: 100,
  institution: 150,
  bio: 5000,
  tokenName: 80,
} as const;

export interface ProfileInput {
  displayName: string;
  title: string;
  specialty: string;
  institution: string;
  bio: string;
}


export function checkHandle(handle: string, fields: Record<string, string>): void {
  if (!HANDLE_PATTERN.test(handle)) {
    fields.handle = 'Use 3–30 letters, digits, hyphens or underscores, starting with a letter or digit.';
  } else if (RESERVED.has(handle.toLowerCase())) {
    fields.handle = 'That handle is reserved; choose another.';
  }
}

export function checkEmail(email: string, fields: Record<string, string>): void {
  if (email.length > LIMITS.email || !EMAIL_PATTERN.test(email)) fields.email = 'Enter a valid e-mail address.';
}

export function checkProfile(input: ProfileInput): Record<string, string> {
  const fields: Record<string, string> = {};
  if (input.displayName.length === 0) fields.displayName = 'Enter the name other members will see.';
  const max = { displayName: LIMITS.displayName, title: LIMITS.title, specialty: LIMITS.specialty, institution: LIMITS.institution, bio: LIMITS.bio };
  for (const [key, limit] of Object.entries(max) as [keyof ProfileInput, number][]) {
    if (input[key].length > limit) fields[key] = `Use at most ${limit} characters.`;
  }
  return fields;
}
