// The `strata` command line: serve, migrate, api-keys create, users create. Same configuration as the server.
import readline from 'node:readline';
import { Command } from 'commander';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createApp } from '../app.js';
import { openDatabase, migrateToLatest } from '../db/database.js';
import { AuthRepository } from '../auth/auth.repository.js';
import { AuthService } from '../auth/auth.service.js';
import { AppError } from '../errors.js';

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** Auth service on a migrated database, for the commands that manage keys and users. */
async function withAuth<T>(fn: (auth: AuthService) => Promise<T>): Promise<T> {
  const cfg = config();
  const dbh = openDatabase(cfg.database, { poolSize: 2 });
  try {
    await migrateToLatest(dbh.db);
    const auth = new AuthService(new AuthRepository(dbh.db), {
      jwtSecret: cfg.jwtSecret,
      jwtTtlSeconds: cfg.jwtTtlSeconds,
    });
    await auth.init();
    return await fn(auth);
  } finally {
    await dbh.close();
  }
}

async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    // Piped: read the first line.
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    return '';
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write('Password: ');
  out._writeToOutput = () => undefined; // do not echo what is typed
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

/** What a newcomer reads after `npm start`: where to go and which credential gets them in. */
function startBanner(url: string, newKey: string | null | undefined): string {
  const lines = ['', `Strata is serving on ${url}  (web UI at /, API docs at /docs)`, ''];
  if (newKey) {
    lines.push('Workspace "default" was created. Its API key (shown once, keep it safe):', '', `  ${newKey}`, '');
    lines.push(
      `Open ${url}/ and sign in with this key (the "API key" tab), or use it as X-API-KEY / PROMPTLAYER_API_KEY.`,
    );
  } else {
    lines.push(`Open ${url}/ and sign in with an API key of your workspace (a new one: npx strata api-keys create)`);
    lines.push('or with a user made by: npx strata users create --email you@example.com');
  }
  return `${lines.join('\n')}\n`;
}

const program = new Command();
program.name('strata').description('Strata: datasets for LLM teams');

program
  .command('serve')
  .description('run the server (roles from STRATA_ROLES: api, worker or both)')
  .action(async () => {
    const cfg = config();
    const app = await createApp(cfg);
    const newKey = await app.bootstrap();
    const address = await app.start();
    app.log.info(
      { address, roles: cfg.roles, database: cfg.database.kind, storage: cfg.storage.kind },
      'strata started',
    );
    if (address) console.log(startBanner(address.replace('0.0.0.0', 'localhost'), newKey));
    else if (newKey)
      console.log(`\nWorkspace "default" created. Its API key (shown once, keep it safe):\n\n  ${newKey}\n`);
    const shutdown = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const cfg = config();
    const dbh = openDatabase(cfg.database, { poolSize: 2 });
    try {
      const applied = await migrateToLatest(dbh.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await dbh.close();
    }
  });

const apiKeys = program.command('api-keys').description('manage API keys');
apiKeys
  .command('create')
  .description('create an API key (creating the workspace if needed); the key is printed alone on the last line')
  .option('--workspace <name>', 'workspace name (created if needed)', 'default')
  .option('--name <name>', 'a label for the key', 'cli')
  .action(async (opts: { workspace: string; name: string }) => {
    const key = await withAuth(async (auth) => (await auth.createApiKeyInWorkspace(opts.workspace, opts.name)).key);
    console.log(`API key for workspace "${opts.workspace}" (shown once):`);
    console.log(key);
  });

const users = program.command('users').description('manage users');
users
  .command('create')
  .description('create a user in a workspace (prompts for the password when --password is not given)')
  .requiredOption('--email <email>', 'sign-in email')
  .option('--workspace <name>', 'workspace name (created if needed)', 'default')
  .option('--password <password>', 'password (at least 8 characters)')
  .action(async (opts: { email: string; workspace: string; password?: string }) => {
    const password = opts.password ?? (await promptPassword());
    const r = await withAuth((auth) => auth.createUser(opts.email, password, opts.workspace));
    console.log(
      r.created
        ? `created user ${opts.email} in workspace "${opts.workspace}"`
        : `user ${opts.email} added to workspace "${opts.workspace}"`,
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof AppError || err instanceof ConfigError ? `error: ${err.message}` : err);
  process.exit(1);
});
