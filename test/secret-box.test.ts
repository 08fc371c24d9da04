// SecretBox (AES-256-GCM at rest) and the S3 endpoint guard, without HTTP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from '../src/security/secret-box.js';
import { EndpointGuard } from '../src/net/s3-endpoint-guard.js';

function memorySettings() {
  const store = new Map<string, string>();
  return {
    store,
    putIfAbsent: async (k: string, v: string) => {
      if (!store.has(k)) store.set(k, v);
      return store.get(k)!;
    },
  };
}

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and refuses tampering or another key', async () => {
    const box = await SecretBox.load('a configured secret key', memorySettings().putIfAbsent);
    const a = box.seal('s3cr3t');
    const b = box.seal('s3cr3t');
    assert.notEqual(a, b);
    assert.ok(!a.includes('s3cr3t'));
    assert.equal(box.open(a), 's3cr3t');
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    assert.throws(() => box.open(`v1:${raw.toString('base64')}`));
    const other = await SecretBox.load('another key', memorySettings().putIfAbsent);
    assert.throws(() => other.open(a));
  });

  it('without STRATA_SECRET_KEY generates one key, stores it once and shares it', async () => {
    const settings = memorySettings();
    const first = await SecretBox.load(undefined, settings.putIfAbsent);
    const second = await SecretBox.load(undefined, settings.putIfAbsent);
    assert.equal(settings.store.size, 1);
    assert.equal(Buffer.from([...settings.store.values()][0], 'base64').length, 32);
    assert.equal(second.open(first.seal('shared')), 'shared');
  });
});

describe('S3 endpoint guard', () => {
  it('refuses private, loopback, link-local and non-http endpoints, and allows listed ones', async () => {
    const guard = new EndpointGuard([]);
    for (const url of [
      'http://127.0.0.1:9000',
      'http://localhost/',
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://169.254.169.254/',
      'http://[::1]/',
      'http://[fd00::1]/',
      'ftp://8.8.8.8/',
      'http://user:pw@8.8.8.8/',
      'not a url',
    ]) {
      await assert.rejects(guard.check(url), { name: 'OutboundRefusedError' }, url);
    }
    assert.equal((await guard.check('https://8.8.8.8:443')).hostname, '8.8.8.8');
    const allowing = new EndpointGuard(['127.0.0.1', '10.0.0.0/8', 'localhost']);
    await allowing.check('http://127.0.0.1:9000');
    await allowing.check('http://10.20.30.40/');
    await allowing.check('http://localhost:9000/'); // a listed host name (resolved, then allowed whatever its address)
    await assert.rejects(allowing.check('http://minio.internal:9000/'), /could not resolve host/);
    await assert.rejects(allowing.check('http://192.168.1.1/'), { name: 'OutboundRefusedError' });
  });

  it('re-checks the address at connection time (the lookup used by the S3 client agents)', async () => {
    const lookupVia = (guard: EndpointGuard) =>
      new Promise<unknown>((resolve, reject) =>
        guard.lookupFor('localhost')('localhost', { all: true }, (err, addresses) =>
          err ? reject(err) : resolve(addresses),
        ),
      );
    await assert.rejects(lookupVia(new EndpointGuard([])), { name: 'OutboundRefusedError' });
    const ok = (await lookupVia(new EndpointGuard(['127.0.0.1', '::1']))) as Array<{ address: string }>;
    assert.ok(ok.length >= 1);
  });
});

describe('log redaction', () => {
  it('censors S3 secrets wherever the server or worker could log them', async () => {
    const { default: pino } = await import('pino');
    const { Writable } = await import('node:stream');
    const { REDACTED_PATHS } = await import('../src/http/server.js');
    const lines: string[] = [];
    const log = pino(
      { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const secret = 'never-in-a-log-line-42';
    log.info({ req: { body: { s3_secret_key: secret }, headers: { authorization: `Bearer ${secret}` } } }, 'request');
    log.info({ body: { s3_secret_key: secret } }, 'body');
    log.info({ source: { secret_sealed: secret }, client: { credentials: { secretAccessKey: secret } } }, 'job');
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.ok(!l.includes(secret), l);
      assert.ok(l.includes('[redacted]'), l);
    }
  });
});
