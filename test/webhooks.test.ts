// Webhooks end to end on every dialect: a real receiver on 127.0.0.1, both signatures, retries in order, replay, SSRF, auto-disable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOutboundAllowed, forbiddenRange, OutboundRefusedError } from '../src/net/outbound-guard.js';
import {
  pythonJsonDumps,
  verifyPromptLayerSignature,
  verifyStandardWebhook,
  WebhookVerificationError,
} from '../src/webhooks/signatures.js';
import { DIALECTS } from './support/dialects.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';
import { createGroup } from './support/factories.js';

const FAST = {
  STRATA_OUTBOUND_ALLOWLIST: '127.0.0.1',
  STRATA_WEBHOOK_BACKOFF_BASE_MS: '20',
  STRATA_WEBHOOK_BACKOFF_MAX_MS: '100',
  STRATA_WEBHOOK_TIMEOUT_MS: '2000',
};

async function register(t: TestApp, body: Record<string, unknown>) {
  const res = await t.request({ method: 'POST', url: '/api/public/v2/webhooks', body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ webhook: { id: number; events: string[]; enabled: boolean }; secret: string }>();
}

const acked = (r: Receiver) => r.received.filter((x) => x.status >= 200 && x.status < 300);

describe('python-style JSON (PromptLayer signature input)', () => {
  it('matches json.dumps(sort_keys=True) byte for byte', () => {
    // Expected output produced by CPython 3: json.dumps({...}, sort_keys=True)
    const expected =
      '{"Z": true, "a": null, "b": [1, "\\u00e9\\ud83d\\ude00\\"\\\\\\n\\u007f\\u0001"], "\\u00e4": {"x": "\\u00fc", "y": 2}}';
    assert.equal(pythonJsonDumps({ b: [1, 'é😀"\\\n\x7f\x01'], a: null, Z: true, ä: { y: 2, x: 'ü' } }), expected);
  });
});

describe('outbound guard', () => {
  it('refuses loopback, private, link-local, metadata, unspecified, multicast and v4-mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '100.64.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd00:ec2::254',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
    ]) {
      assert.notEqual(forbiddenRange(a), null, a);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) assert.equal(forbiddenRange(a), null, a);
  });

  it('checks every resolved address, and honours hosts, IPs and CIDRs in the allowlist', async () => {
    const resolveTo =
      (...addresses: string[]) =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
    await assert.rejects(
      assertOutboundAllowed('https://hooks.example.com/x', [], { resolve: resolveTo('93.184.216.34', '10.0.0.5') }),
      OutboundRefusedError,
    );
    await assert.rejects(
      assertOutboundAllowed('https://meta.example.com/', [], { resolve: resolveTo('169.254.169.254') }),
      /linkLocal/,
    );
    const ok = await assertOutboundAllowed('https://hooks.example.com/x', [], { resolve: resolveTo('93.184.216.34') });
    assert.deepEqual(ok.addresses, [{ address: '93.184.216.34', family: 4 }]);
    await assertOutboundAllowed('https://internal.example/x', ['internal.example'], { resolve: resolveTo('10.0.0.5') });
    await assertOutboundAllowed('https://svc.corp.example/x', ['*.corp.example'], {
      resolve: resolveTo('192.168.0.9'),
    });
    await assertOutboundAllowed('http://10.9.8.7:9000/', ['10.0.0.0/8'], {});
    await assertOutboundAllowed('http://[::ffff:10.9.8.7]/', ['10.0.0.0/8'], {});
    await assert.rejects(assertOutboundAllowed('http://10.9.8.7/', ['10.0.0.0/16'], {}), OutboundRefusedError);
    await assert.rejects(assertOutboundAllowed('http://2130706433/', [], {}), /loopback/);
    await assert.rejects(assertOutboundAllowed('ftp://example.com/', [], {}), /scheme/);
    await assert.rejects(assertOutboundAllowed('not a url', [], {}), /not a valid URL/);
  });
});

for (const dialect of DIALECTS) {
  describe(`webhooks [${dialect}]`, () => {
    let t: TestApp;
    let rx: Receiver;
    before(async () => {
      t = await startTestApp(dialect, FAST);
      rx = await startReceiver();
    });
    after(async () => {
      await t.close();
      await rx.close();
    });

    it('manages endpoints: secret shown once, list, get, patch, validation', async () => {
      const created = await register(t, { url: `${rx.url}/crud`, description: 'crud' });
      assert.match(created.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      assert.deepEqual(created.webhook.events, []);
      const got = (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${created.webhook.id}` })).json();
      assert.equal(got.webhook.url, `${rx.url}/crud`);
      assert.equal(JSON.stringify(got).includes(created.secret), false, 'the secret is never shown again');
      const list = (await t.request({ method: 'GET', url: '/api/public/v2/webhooks' })).json();
      assert.ok(list.webhooks.some((w: { id: number }) => w.id === created.webhook.id));
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/public/v2/webhooks/${created.webhook.id}`,
        body: { events: ['dataset_version_deleted'], enabled: false },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().webhook.events, ['dataset_version_deleted']);
      assert.equal(patched.json().webhook.enabled, false);
      for (const body of [{ events: ['nope'] }, {}, { url: 'http://10.0.0.1/x' }, { enabled: 'yes' }]) {
        const bad = await t.request({ method: 'PATCH', url: `/api/public/v2/webhooks/${created.webhook.id}`, body });
        assert.equal(bad.statusCode, 400, JSON.stringify(body));
      }
      const del = await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${created.webhook.id}` });
      assert.equal(del.statusCode, 200);
      assert.equal(
        (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${created.webhook.id}` })).statusCode,
        404,
      );
    });

    it('delivers events with both signatures, the PromptLayer envelope and event filters', async () => {
      const all = await register(t, { url: `${rx.url}/all` });
      const onlyDeleted = await register(t, { url: `${rx.url}/deleted`, events: ['dataset_version_deleted'] });
      const groupId = (await createGroup(t, 'wh-signed')).dataset_group.id;
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: groupId, file_name: 'a.csv', file_content_base64: b64('q,a\nhé,1\n') },
      });
      assert.equal(up.statusCode, 201, up.body);
      const datasetId = up.json().dataset_id;
      await waitFor(
        async () => acked(rx).filter((x) => x.path === '/all').length >= 2 || undefined,
        20_000,
        'two events',
      );
      const del = await t.request({ method: 'DELETE', url: `/api/public/v2/datasets/${datasetId}` });
      assert.equal(del.statusCode, 200, del.body);
      await waitFor(async () => acked(rx).some((x) => x.path === '/deleted') || undefined, 20_000, 'deleted event');
      await waitFor(
        async () => acked(rx).filter((x) => x.path === '/all').length >= 3 || undefined,
        20_000,
        'three events',
      );

      const toAll = acked(rx).filter((x) => x.path === '/all');
      const payloads = toAll.map((x) => {
        const standard = verifyStandardWebhook(all.secret, x.headers, x.body) as Record<string, unknown>;
        const pl = verifyPromptLayerSignature(all.secret, x.body, x.headers['x-promptlayer-signature'] as string);
        assert.deepEqual(pl, standard);
        assert.equal(x.headers['webhook-id'], standard.event_id);
        assert.equal(x.headers['content-type'], 'application/json');
        return standard;
      });
      assert.deepEqual(
        payloads.map((p) => p.event_type),
        ['dataset_group_created', 'dataset_version_created_by_file', 'dataset_version_deleted'],
      );
      assert.deepEqual(payloads[0].details, { dataset_group_id: groupId, name: 'wh-signed' });
      assert.deepEqual(payloads[1].details, { dataset_id: datasetId, dataset_version_number: 1 });
      for (const p of payloads) {
        assert.equal(p.workspace_id, 1);
        assert.match(String(p.timestamp), /^\d{4}-\d\d-\d\dT/);
      }
      assert.equal(new Set(payloads.map((p) => p.event_id)).size, 3, 'every event has its own id');
      const toDeleted = acked(rx).filter((x) => x.path === '/deleted');
      assert.equal(toDeleted.length, 1);
      assert.equal(
        (verifyStandardWebhook(onlyDeleted.secret, toDeleted[0].headers, toDeleted[0].body) as { event_type: string })
          .event_type,
        'dataset_version_deleted',
      );
      // A signature made with another endpoint's secret does not verify.
      assert.throws(
        () => verifyStandardWebhook(onlyDeleted.secret, toAll[0].headers, toAll[0].body),
        WebhookVerificationError,
      );
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${all.webhook.id}` });
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${onlyDeleted.webhook.id}` });
    });

    it('rejects replayed, re-timed and tampered deliveries; rotate-secret switches keys', async () => {
      const hook = await register(t, { url: `${rx.url}/replay` });
      await createGroup(t, 'wh-replay');
      const got = await waitFor(async () => acked(rx).find((x) => x.path === '/replay'), 20_000, 'delivery');
      const ts = Number(got.headers['webhook-timestamp']);
      assert.ok(verifyStandardWebhook(hook.secret, got.headers, got.body, { nowSeconds: ts + 60 }));
      // The same request replayed ten minutes later is refused.
      assert.throws(
        () => verifyStandardWebhook(hook.secret, got.headers, got.body, { nowSeconds: ts + 600 }),
        /replay/,
      );
      // Moving the timestamp forward to look fresh breaks the signature.
      assert.throws(
        () =>
          verifyStandardWebhook(hook.secret, { ...got.headers, 'webhook-timestamp': String(ts + 600) }, got.body, {
            nowSeconds: ts + 600,
          }),
        /does not match/,
      );
      assert.throws(
        () => verifyStandardWebhook(hook.secret, got.headers, got.body.replace('wh-replay', 'wh-evil')),
        /does not match/,
      );
      assert.throws(
        () =>
          verifyPromptLayerSignature(
            hook.secret,
            got.body.replace('wh-replay', 'wh-evil'),
            got.headers['x-promptlayer-signature'] as string,
          ),
        /does not match/,
      );

      const rotated = await t.request({
        method: 'POST',
        url: `/api/public/v2/webhooks/${hook.webhook.id}/rotate-secret`,
      });
      assert.equal(rotated.statusCode, 200);
      const newSecret = rotated.json().secret as string;
      assert.notEqual(newSecret, hook.secret);
      const before = acked(rx).filter((x) => x.path === '/replay').length;
      await createGroup(t, 'wh-replay-2');
      const second = await waitFor(
        async () => acked(rx).filter((x) => x.path === '/replay')[before],
        20_000,
        'second delivery',
      );
      assert.ok(verifyStandardWebhook(newSecret, second.headers, second.body));
      assert.throws(() => verifyStandardWebhook(hook.secret, second.headers, second.body), /does not match/);
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${hook.webhook.id}` });
    });

    it('retries a failing receiver with backoff and delivers every event once it recovers, in order', async () => {
      const hook = await register(t, { url: `${rx.url}/flaky`, events: ['dataset_group_created'] });
      let down = true;
      rx.respond = ({ path }) => (path === '/flaky' && down ? 503 : 200);
      const names = ['flaky-1', 'flaky-2', 'flaky-3', 'flaky-4', 'flaky-5'];
      for (const n of names) await createGroup(t, n);
      await waitFor(
        async () => rx.received.filter((x) => x.path === '/flaky').length >= 4 || undefined,
        20_000,
        'failed attempts',
      );
      const during = (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${hook.webhook.id}` })).json()
        .webhook;
      assert.ok(during.consecutive_failures >= 1, 'failures are visible');
      // Only the oldest delivery is attempted while the receiver is down (later ones wait their turn).
      const firstIds = new Set(rx.received.filter((x) => x.path === '/flaky').map((x) => x.headers['webhook-id']));
      assert.equal(firstIds.size, 1);
      down = false;
      await waitFor(
        async () => acked(rx).filter((x) => x.path === '/flaky').length >= 5 || undefined,
        30_000,
        'recovery',
      );
      rx.respond = () => 200;

      const ok = acked(rx).filter((x) => x.path === '/flaky');
      const ids = ok.map((x) => x.headers['webhook-id']);
      assert.equal(new Set(ids).size, ids.length, 'each delivery id acknowledged exactly once');
      const bodies = ok.map(
        (x) => verifyStandardWebhook(hook.secret, x.headers, x.body) as { event_id: string; details: { name: string } },
      );
      assert.deepEqual(
        bodies.map((b) => b.details.name),
        names,
        'in order',
      );
      const retried = rx.received.filter((x) => x.path === '/flaky' && x.headers['webhook-id'] === ids[0]);
      assert.ok(retried.length >= 2, 'the first event was retried');
      assert.ok(
        retried.every((x) => x.body === retried[0].body),
        'retries send the same body',
      );

      // The receiver has answered 200 before the dispatcher records the success: wait for the records.
      const deliveries = await waitFor(
        async () => {
          const d = (
            await t.request({
              method: 'GET',
              url: `/api/public/v2/webhooks/${hook.webhook.id}/deliveries?per_page=100`,
            })
          ).json<{
            total: number;
            deliveries: Array<{ status: string; event_id: string; attempts: number; last_status_code: number }>;
          }>();
          return d.deliveries.every((x) => x.status === 'succeeded') ? d : undefined;
        },
        20_000,
        'every delivery recorded as succeeded',
      );
      assert.equal(deliveries.total, 5);
      const first = deliveries.deliveries.find((d) => d.event_id === ids[0]);
      assert.ok(first, "the first event's delivery is listed");
      assert.ok(first.attempts >= 2);
      assert.equal(first.last_status_code, 200);
      const after = (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${hook.webhook.id}` })).json()
        .webhook;
      assert.equal(after.consecutive_failures, 0);
      assert.equal(after.enabled, true);
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${hook.webhook.id}` });
    });

    it('announces a saved draft as dataset_version_created_from_draft', async () => {
      const hook = await register(t, { url: `${rx.url}/drafts`, events: ['dataset_version_created_from_draft'] });
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'wh-draft' } })
      ).json();
      await t.request({
        method: 'POST',
        url: `/api/public/v2/datasets/${g.dataset.id}/rows`,
        body: { rows: [{ q: 'x' }] },
      });
      const save = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/save-draft',
        body: { dataset_group_id: g.dataset_group.id },
      });
      assert.equal(save.statusCode, 202, save.body);
      const got = await waitFor(async () => acked(rx).find((x) => x.path === '/drafts'), 20_000, 'draft event');
      const body = verifyStandardWebhook(hook.secret, got.headers, got.body) as {
        event_type: string;
        details: unknown;
      };
      assert.equal(body.event_type, 'dataset_version_created_from_draft');
      assert.deepEqual(body.details, { dataset_id: g.dataset.id, dataset_version_number: 1 });
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${hook.webhook.id}` });
    });

    it('refuses private addresses again at delivery time (DNS or allowlist may have changed)', async () => {
      // Simulates a URL that passed registration but now points inside: written straight to the table.
      const now = Date.now();
      const row = await t.app.dbh.db
        .insertInto('webhook_endpoints')
        .values({
          workspace_id: 1,
          url: 'http://10.255.255.1:9/hook',
          description: null,
          events: '["dataset_group_created"]',
          secret: 'whsec_AAAA',
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await createGroup(t, 'ssrf-delivery');
      const d = await waitFor(
        async () => {
          const r = (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${row.id}/deliveries` })).json();
          return r.deliveries[0]?.attempts >= 1 ? r.deliveries[0] : undefined;
        },
        20_000,
        'refused attempt',
      );
      assert.equal(d.status, 'pending');
      assert.equal(d.last_status_code, null);
      assert.match(d.last_error, /refused: .*10\.255\.255\.1 \(private\)/);
      await t.request({ method: 'DELETE', url: `/api/public/v2/webhooks/${row.id}` });
    });
  });

  describe(`webhooks: SSRF guard at registration [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('refuses loopback, private, link-local and metadata URLs without an allowlist', async () => {
      for (const url of [
        'http://127.0.0.1:8080/x',
        'http://localhost/x',
        'http://10.0.0.1/x',
        'http://192.168.1.10/',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]/x',
        'http://[::ffff:127.0.0.1]/x',
        'http://0.0.0.0/',
        'ftp://example.com/x',
        'nonsense',
      ]) {
        const res = await t.request({ method: 'POST', url: '/api/public/v2/webhooks', body: { url } });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().success, false);
      }
      const list = (await t.request({ method: 'GET', url: '/api/public/v2/webhooks' })).json();
      assert.equal(list.webhooks.length, 0);
    });
  });

  describe(`webhooks: redirects, timeouts and auto-disable [${dialect}]`, () => {
    let t: TestApp;
    let rx: Receiver;
    before(async () => {
      t = await startTestApp(dialect, {
        ...FAST,
        STRATA_WEBHOOK_TIMEOUT_MS: '300',
        STRATA_WEBHOOK_RETRY_WINDOW_MS: '400',
      });
      rx = await startReceiver();
    });
    after(async () => {
      await t.close();
      await rx.close();
    });

    it('does not follow redirects, times out, disables the endpoint after a run of failures, and resumes when re-enabled', async () => {
      let mode: 'redirect' | 'hang' | 'ok' = 'redirect';
      rx.respond = ({ path }) =>
        path === '/target'
          ? 200
          : mode === 'redirect'
            ? { status: 307, location: `${rx.url}/target` }
            : mode === 'hang'
              ? 'hang'
              : 200;
      const hook = await register(t, { url: `${rx.url}/hook` });
      await createGroup(t, 'dis-1');
      await waitFor(
        async () => rx.received.filter((x) => x.path === '/hook').length >= 2 || undefined,
        20_000,
        'redirect attempts',
      );
      mode = 'hang';
      const disabled = await waitFor(
        async () => {
          const w = (await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${hook.webhook.id}` })).json()
            .webhook;
          return w.enabled ? undefined : w;
        },
        20_000,
        'auto-disable',
      );
      assert.match(disabled.disabled_reason, /consecutive failed attempts/);
      assert.ok(disabled.consecutive_failures >= 2);
      assert.equal(rx.received.filter((x) => x.path === '/target').length, 0, 'the redirect target was never called');
      const ds = (
        await t.request({ method: 'GET', url: `/api/public/v2/webhooks/${hook.webhook.id}/deliveries` })
      ).json().deliveries;
      assert.equal(ds[0].status, 'failed');
      const errors = rx.received.filter((x) => x.path === '/hook').map((x) => x.status);
      assert.ok(errors.includes(307));
      assert.match(ds[0].last_error, /timed out|redirect/);

      // Disabled endpoints get no new deliveries; re-enabling resumes with the next events.
      await createGroup(t, 'dis-2');
      mode = 'ok';
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/public/v2/webhooks/${hook.webhook.id}`,
        body: { enabled: true },
      });
      assert.equal(patched.json().webhook.enabled, true);
      assert.equal(patched.json().webhook.disabled_reason, null);
      await createGroup(t, 'dis-3');
      const got = await waitFor(
        async () => acked(rx).find((x) => x.path === '/hook'),
        20_000,
        'delivery after re-enable',
      );
      assert.equal(
        (verifyStandardWebhook(hook.secret, got.headers, got.body) as { details: { name: string } }).details.name,
        'dis-3',
      );
    });
  });
}
