// The UI's generated API types (ui/src/lib/api-types.gen.ts) match what the server's /openapi.json declares today.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { API_TYPES_FILE, generateApiTypes } from '../scripts/gen-api-types.js';

// One run is enough: the OpenAPI document does not depend on the database (the generator uses a throwaway SQLite one).
describe('UI API types', () => {
  it('the committed file equals a fresh generation from the server', async () => {
    const fresh = await generateApiTypes();
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    assert.ok(
      committed === fresh,
      'ui/src/lib/api-types.gen.ts is stale: a route schema changed. Run `npm run gen:api-types` and commit the file.',
    );
  });
});
