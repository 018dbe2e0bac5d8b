import { describe, expect, test } from 'vitest';
import { composeEmail } from '../../server/mail/compose.ts';
import { activityDigestItem, activityNotification, confidentialNotification } from '../../server/mail/notification-content.ts';
import { unsubscribeToken, userIdFromUnsubscribeToken } from '../../server/mail/signed-links.ts';

describe('composing an e-mail', () => {
  test('every caller string is escaped in the HTML body, and the subject is one line', () => {
    const email = composeEmail({
      subject: 'Line one\r\nBcc: someone@evil.example',
      paragraphs: ['<img src=x onerror=alert(1)> & "quotes"'],
      action: { label: 'Open <it>', url: 'https://rounds.example.org/t/1?a=1&b="2"' },
      footer: ['Stop: https://rounds.example.org/unsubscribe/abc'],
    });
    expect(email.subject).toBe('Line one Bcc: someone@evil.example');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(email.html).toContain('href="https://rounds.example.org/t/1?a=1&amp;b=&quot;2&quot;"');
    expect(email.html).toContain('Open &lt;it&gt;');
    expect(email.html).toContain('<a href="https://rounds.example.org/unsubscribe/abc">');
    expect(email.text).toContain('<img src=x onerror=alert(1)> & "quotes"');
    expect(email.text).toContain('https://rounds.example.org/t/1?a=1&b="2"');
  });
});

describe('the confidential composer', () => {
  const secret = { space: 'Balint circle', board: 'Cases', title: 'Night shift on ward 7', body: 'The patient in bed 4 said', author: 'Dr Quiet Person' };
  const activity = {
    space: { level: 'confidential' as const, name: secret.space },
    headline: `${secret.author} replied to “${secret.title}” in ${secret.board}`,
    excerpt: secret.body,
    url: '/t/12/night-shift-on-ward-7#p3',
    target: { postId: 99 },
  };

  test('the subject and both bodies carry no name, title, text or author from the space', () => {
    const content = activityNotification(activity);
    const email = composeEmail({ subject: content.subject, paragraphs: [content.text], action: { label: 'Open it', url: `https://x.example${content.url}` } });
    for (const part of [email.subject, email.text, email.html]) {
      for (const value of Object.values(secret)) expect(part).not.toContain(value);
      // Not even the slug of the thread's address.
      expect(part).not.toContain('night-shift');
    }
    expect(email.subject).toBe('New activity in a confidential space');
    expect(content.url).toBe('/p/99');
  });

  test('a digest line about a confidential space is the same bare line', () => {
    const item = activityDigestItem({ ...activity, target: { threadId: 12 } });
    expect(item).toEqual({ title: 'New activity in a confidential space', url: '/t/12' });
    expect(confidentialNotification(null).url).toBe('/');
  });
});

describe('unsubscribe tokens', () => {
  test('a token names its member and is refused when altered or signed with another secret', () => {
    const token = unsubscribeToken('s'.repeat(40), 'user123');
    expect(userIdFromUnsubscribeToken('s'.repeat(40), token)).toBe('user123');
    expect(userIdFromUnsubscribeToken('t'.repeat(40), token)).toBeNull();
    const [id, mac] = token.split('.');
    expect(userIdFromUnsubscribeToken('s'.repeat(40), `${Buffer.from('user124').toString('base64url')}.${mac}`)).toBeNull();
    expect(userIdFromUnsubscribeToken('s'.repeat(40), `${id}.${mac}x`)).toBeNull();
    expect(userIdFromUnsubscribeToken('s'.repeat(40), 'nonsense')).toBeNull();
  });
});
