// Generates the web UI's API types (ui/src/lib/api-types.gen.ts) from the OpenAPI document the server serves.
// The Fastify app is built in-process on a throwaway SQLite database: `app.swagger()` is exactly what /openapi.json
// returns, so the UI type-checks against the routes' real zod schemas instead of hand-written guesses.
// Usage: node --import tsx scripts/gen-api-types.ts            (writes the file)
//        node --import tsx scripts/gen-api-types.ts --check    (exits 1 when the file on disk is stale)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import prettier from 'prettier';
import ts from 'typescript';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const API_TYPES_FILE = path.join(ROOT, 'ui/src/lib/api-types.gen.ts');

/** The document /openapi.json serves, from an app on a fresh SQLite database in a temporary data dir. */
export async function serverOpenApiDocument(): Promise<OpenAPI3> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-openapi-'));
  try {
    // Only what building the routes needs: no worker, no bootstrap, nothing read from this machine's environment.
    const config = loadConfig({
      STRATA_DATA_DIR: dataDir,
      STRATA_ROLES: 'api',
      STRATA_LOG_LEVEL: 'silent',
      STRATA_JWT_SECRET: 'openapi-generation-only-secret-0123456789',
    });
    const app = await createApp(config);
    try {
      await app.server!.ready();
      // A JSON round trip drops undefined members and gives openapi-typescript a plain object.
      return JSON.parse(JSON.stringify(app.server!.swagger())) as OpenAPI3;
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * True for an enumValues list of a reply's field (`paths…Responses200…Values`): the UI reads those, it never offers them
 * as choices, and openapi-typescript 7 mistypes the ones nested in arrays of arrays (rows' `type`), failing to compile.
 */
function isResponseEnumValues(node: ts.Node): boolean {
  if (!ts.isVariableStatement(node)) return false;
  return node.declarationList.declarations.some(
    (d) => ts.isIdentifier(d.name) && /^paths\w*Responses\d{3}\w*Values$/.test(d.name.text),
  );
}

/** The generated module's text, formatted with the repository's Prettier settings (so format:check holds). */
export async function generateApiTypes(): Promise<string> {
  const doc = await serverOpenApiDocument();
  // enumValues: the lists a UI offers (export formats, webhook events) come from the server's enums at run time too.
  const ast = (await openapiTS(doc, { silent: true, alphabetize: true, enumValues: true })).filter(
    (node) => !isResponseEnumValues(node),
  );
  const header =
    COMMENT_HEADER +
    '// Regenerate with `npm run gen:api-types` (build:ui and test:ui do it) after changing a route.\n';
  const text = header + astToString(ast);
  const options = (await prettier.resolveConfig(API_TYPES_FILE)) ?? {};
  return prettier.format(text, { ...options, filepath: API_TYPES_FILE });
}

async function main(): Promise<void> {
  const fresh = await generateApiTypes();
  const current = fs.existsSync(API_TYPES_FILE) ? fs.readFileSync(API_TYPES_FILE, 'utf8') : null;
  const rel = path.relative(ROOT, API_TYPES_FILE);
  if (process.argv.includes('--check')) {
    if (current === fresh) return;
    console.error(`${rel} is stale: run \`npm run gen:api-types\` and commit the result.`);
    process.exitCode = 1;
    return;
  }
  if (current !== fresh) {
    fs.writeFileSync(API_TYPES_FILE, fresh);
    console.log(`wrote ${rel}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
