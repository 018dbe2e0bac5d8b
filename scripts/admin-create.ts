import { createAccountsService } from '../server/accounts/service.ts';
import { REMEMBER_NOTHING } from '../server/events/member-cache.ts';
import { createSessionManager } from '../server/accounts/sessions.ts';
import { CommandError, describeDatabase, openDatabase, readConfig, runCommand } from './operator-command.ts';

/*
 * `npm run admin:create -- <handle> <email> [display name]`: makes an administrator (or promotes
 * an existing member) and prints a one-time sign-in link. There is never a default password.
 */

const USAGE = `usage: npm run admin:create -- <handle> <email> [display name]
  e.g. npm run admin:create -- dr_okafor a.okafor@example.org "Adaeze Okafor"`;

runCommand(async () => {
  const [handle, email, ...nameParts] = process.argv.slice(2);
  if (!handle || !email || handle.startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const displayName = nameParts.join(' ').trim();
  const config = readConfig();
  const database = await openDatabase(config);
  try {
    await database.migrate();
    const sessions = createSessionManager(database.db, { ...config.session, secureCookies: config.secureCookies });
    const accounts = createAccountsService(database.db, sessions, REMEMBER_NOTHING, config.rateLimits);
    const existing = await accounts.findUserByHandle(handle);
    if (existing && existing.email.toLowerCase() !== email.toLowerCase()) {
      throw new CommandError(
        `@${existing.handle} already exists with another e-mail address; give that address to promote it, or choose another handle.`,
      );
    }
    const { user, url } = await accounts.createAdminWithSignInLink(handle, email, displayName, config.publicUrl);
    const what = !existing ? 'created' : existing.role === 'admin' ? 'already' : 'promoted';
    if (what === 'already') console.log(`@${user.handle} is already an administrator; here is a new sign-in link.`);
    else console.log(what === 'promoted' ? `Promoted @${user.handle} to administrator.` : `Created administrator @${user.handle} <${user.email}> in ${describeDatabase(config)}.`);
    console.log('');
    console.log('One-time sign-in link (valid for 1 hour, works once):');
    console.log(`  ${url}`);
    console.log('');
    console.log('Start the server if it is not running, open the link, then go to Settings and set a password.');
    if (!config.databaseUrl) console.log('(The link needs the server running on this same data directory.)');
  } finally {
    await database.close();
  }
});
