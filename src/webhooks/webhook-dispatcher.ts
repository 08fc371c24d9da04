// Sends the delivery outbox in worker processes: per endpoint, oldest first, one at a time (order), with backoff
// retries for the retry window (about a day), then the delivery fails and the endpoint is disabled.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle } from '../db/database.js';
import type { WebhookEndpointRow } from '../db/schema.js';
import {
  assertOutboundAllowed,
  OutboundAllowlist,
  OutboundRefusedError,
  type HostResolver,
} from '../net/outbound-guard.js';
import { postJson, type SendResult } from './http-sender.js';
import { signedHeaders } from './signatures.js';
import type { WebhookRepository } from './webhook.repository.js';

export interface DispatcherOptions {
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retryWindowMs: number;
  concurrency: number;
  allowlist: readonly string[];
  resolve?: HostResolver;
}

/** Deliveries sent per endpoint lease before giving other endpoints a turn. */
const BATCH = 50;

/** Delay after the n-th failed attempt (1-based): base, 2·base, 4·base ... capped, with ±20% jitter so endpoints do not retry in lockstep. */
export function webhookBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(baseMs * 2 ** Math.min(attempt - 1, 40), maxMs);
  return Math.max(1, Math.round(raw * (0.8 + Math.random() * 0.4)));
}

export class WebhookDispatcher {
  readonly id = `${os.hostname()}:${process.pid}:wh:${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<number, Promise<void>>();
  private readonly allowlist: OutboundAllowlist;
  private readonly leaseMs: number;
  private stopped = false;
  private ticking = false;

  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: WebhookRepository,
    private readonly log: FastifyBaseLogger,
    private readonly opts: DispatcherOptions,
  ) {
    this.allowlist = new OutboundAllowlist(opts.allowlist);
    // Long enough for one attempt plus bookkeeping; renewed before each attempt.
    this.leaseMs = opts.timeoutMs + 30_000;
  }

  /** Claims endpoints with due deliveries up to the concurrency limit; call it periodically and after events. */
  async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      while (!this.stopped && this.active.size < this.opts.concurrency) {
        const endpoint = await this.repo.claimEndpoint(this.id, this.leaseMs, [...this.active.keys()]);
        if (!endpoint) break;
        const p = this.drain(endpoint)
          .catch((err) => this.log.error({ err, endpointId: endpoint.id }, 'webhook dispatch failed'))
          .finally(() => this.active.delete(endpoint.id));
        this.active.set(endpoint.id, p);
      }
    } catch (err) {
      if (!this.stopped) this.log.error({ err }, 'webhook dispatcher could not claim an endpoint');
    } finally {
      this.ticking = false;
    }
  }

  /** Stops claiming and waits for attempts in flight (each is bounded by the per-attempt timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.active.values()]);
  }

  private async drain(claimed: WebhookEndpointRow): Promise<void> {
    try {
      for (let n = 0; n < BATCH && !this.stopped; n++) {
        const endpoint = await this.repo.renewLease(claimed.id, this.id, this.leaseMs);
        if (!endpoint || !endpoint.enabled) return;
        const head = await this.repo.headDelivery(endpoint.id);
        if (!head) return;
        const started = Date.now();
        const result = await this.attempt(endpoint, head.event_id, head.payload);
        const ok = await this.dbh.transaction(async (trx) => {
          // Another dispatcher took over (our lease expired): it will send again; record nothing.
          if (!(await this.repo.holdsLease(trx, endpoint.id, this.id))) return false;
          const attempts = head.attempts + 1;
          const firstAt = head.first_attempt_at ?? started;
          const common = {
            attempts,
            first_attempt_at: firstAt,
            last_attempt_at: started,
            last_status_code: result.statusCode,
            last_error: result.error,
          };
          if (result.ok) {
            await this.repo.updateDelivery(trx, head.id, {
              ...common,
              status: 'succeeded',
              delivered_at: Date.now(),
              next_attempt_at: null,
            });
            if (endpoint.consecutive_failures !== 0 || endpoint.retry_at !== null)
              await this.repo.updateEndpoint(endpoint.id, { consecutive_failures: 0, retry_at: null }, trx);
            return true;
          }
          const failures = endpoint.consecutive_failures + 1;
          if (Date.now() - firstAt >= this.opts.retryWindowMs) {
            await this.repo.updateDelivery(trx, head.id, { ...common, status: 'failed', next_attempt_at: null });
            await this.repo.updateEndpoint(
              endpoint.id,
              {
                enabled: 0,
                disabled_at: Date.now(),
                retry_at: null,
                consecutive_failures: failures,
                disabled_reason: `disabled after ${failures} consecutive failed attempts: delivery ${head.event_id} kept failing for the whole retry window (last error: ${result.error ?? 'unknown'})`,
              },
              trx,
            );
            this.log.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled after a run of failures');
            return false;
          }
          const retryAt = Date.now() + webhookBackoffMs(attempts, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
          await this.repo.updateDelivery(trx, head.id, { ...common, next_attempt_at: retryAt });
          await this.repo.updateEndpoint(endpoint.id, { consecutive_failures: failures, retry_at: retryAt }, trx);
          return false;
        });
        // A failure blocks the endpoint's later deliveries until the retry: that is what keeps them in order.
        if (!ok) return;
      }
    } finally {
      await this.repo.releaseLease(claimed.id, this.id).catch(() => undefined);
    }
  }

  /** Checks the URL again (DNS may have changed since registration), signs and sends. */
  private async attempt(endpoint: WebhookEndpointRow, eventId: string, body: string): Promise<SendResult> {
    let target;
    try {
      target = await assertOutboundAllowed(endpoint.url, this.allowlist, { resolve: this.opts.resolve });
    } catch (err) {
      if (err instanceof OutboundRefusedError) return { ok: false, statusCode: null, error: `refused: ${err.message}` };
      throw err;
    }
    const headers = signedHeaders(endpoint.secret, eventId, Math.floor(Date.now() / 1000), body);
    return postJson(target, body, headers, this.opts.timeoutMs);
  }
}
