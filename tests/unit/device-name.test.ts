import { describe, expect, test } from 'vitest';
import { deviceName } from '../../web/views/accounts/device-name.ts';

describe('the settings page names a session by its browser and system, not its user-agent string', () => {
  test.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0', 'Microsoft Edge on Windows'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox on Linux'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari on iOS (phone)'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36', 'Chrome on Android (phone)'],
  ])('%s', (ua, name) => {
    expect(deviceName(ua)).toBe(name);
  });

  test('a string no browser sent is shown as it came, shortened; none at all says so', () => {
    expect(deviceName('curl/8.5.0')).toBe('curl/8.5.0');
    expect(deviceName('Integration test runner '.repeat(5))).toHaveLength(60);
    expect(deviceName('  ')).toBe('Unknown browser');
  });
});
