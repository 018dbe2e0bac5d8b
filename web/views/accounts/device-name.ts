import Bowser from 'bowser';

/**
 * What a member recognises a session by: "Firefox on Linux", "Safari on iPhone/iOS (phone)".
 * User-agent strings are parsed by bowser, whose rules follow the browsers' own changes; a
 * string it cannot read (a script, curl) is shown as it came, shortened.
 */
export function deviceName(userAgent: string): string {
  const raw = userAgent.trim();
  if (raw === '') return 'Unknown browser';
  const { browser, os, platform } = Bowser.parse(raw);
  if (!browser.name) return raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
  const system = os.name ? ` on ${os.name}` : '';
  const kind = platform.type === 'mobile' ? ' (phone)' : platform.type === 'tablet' ? ' (tablet)' : '';
  return `${browser.name}${system}${kind}`;
}
