import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration from the environment', () => {
  test('with nothing set, it runs on the embedded database in ./data on localhost:3000', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.secureCookies).toBe(false);
  });

  test('production refuses to start without a real session secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short' })).toThrow(/at least 32/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) });
    expect(config.secureCookies).toBe(true);
    expect(config.host).toBe('0.0.0.0');
  });

  test('bad values get a clear message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be a whole number, got "eighty"');
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be between/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must start with postgres/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
  });

  test('e-mail goes to the development outbox unless SMTP_URL names a server; From has a safe default', () => {
    const plain = loadConfig({});
    expect(plain.mail.smtpUrl).toBeUndefined();
    expect(plain.mail.from).toBe('Rounds <no-reply@localhost>');
    const smtp = loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.org:465', MAIL_FROM: 'Rounds <rounds@example.org>' });
    expect(smtp.mail.smtpUrl).toBe('smtps://user:pass@mail.example.org:465');
    expect(smtp.mail.from).toBe('Rounds <rounds@example.org>');
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.org' })).toThrow(/SMTP_URL must start with smtp/);
    expect(() => loadConfig({ MAIL_FROM: 'Rounds <a@b>\r\nBcc: x@y' })).toThrow(/MAIL_FROM must be one line/);
    expect(loadConfig({ JOBS_WORK: '0' }).jobs.work).toBe(false);
  });

  test('DATABASE_URL selects PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });
});
