// Minimal private-address guard for user-given S3 endpoints (SSRF). To be unified with src/net/outbound-guard.ts (webhooks).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export class BlockedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

/**
 * Allowlist entries (STRATA_OUTBOUND_ALLOWLIST) are host names, IP addresses or CIDR ranges; a listed host or address
 * is reachable even when private. Everything else must resolve to public unicast addresses only.
 */
export class EndpointGuard {
  private readonly hosts = new Set<string>();
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];

  constructor(allowlist: readonly string[]) {
    for (const entry of allowlist) {
      const e = entry.trim().toLowerCase();
      if (e.includes('/')) {
        try {
          this.ranges.push(ipaddr.parseCIDR(e));
          continue;
        } catch {
          // not a CIDR: treat as a host name
        }
      }
      if (ipaddr.isValid(e)) this.ranges.push([ipaddr.process(e), ipaddr.process(e).kind() === 'ipv4' ? 32 : 128]);
      else this.hosts.add(e);
    }
  }

  private addressAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    if (this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match([net, bits] as never))) return true;
    return ip.range() === 'unicast';
  }

  /** Checks the URL's scheme and every address its host resolves to; throws BlockedAddressError with a readable reason. */
  async check(url: string): Promise<URL> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new BlockedAddressError(`"${url}" is not a valid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BlockedAddressError(`only http and https endpoints are allowed, not ${u.protocol}`);
    if (u.username || u.password) throw new BlockedAddressError('the endpoint URL must not carry credentials');
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.hosts.has(host)) return u;
    const addresses = ipaddr.isValid(host) ? [host] : (await dns.promises.lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new BlockedAddressError(`cannot resolve host ${host}`);
    for (const a of addresses) {
      if (!this.addressAllowed(a)) throw new BlockedAddressError(`${host} resolves to ${a}, a private or reserved address (add it to STRATA_OUTBOUND_ALLOWLIST to allow it)`);
    }
    return u;
  }

  /** A DNS lookup for http(s) agents that re-checks the address actually connected to (defeats DNS rebinding). */
  lookupFor(host: string): LookupFunction {
    const allowedHost = this.hosts.has(host.toLowerCase());
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 4);
        const list = addresses as dns.LookupAddress[];
        const bad = allowedHost ? undefined : list.find((a) => !this.addressAllowed(a.address));
        if (bad) return callback(new BlockedAddressError(`${hostname} resolves to ${bad.address}, a private or reserved address`), '', 4);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        return callback(null, list[0].address, list[0].family);
      });
    };
  }

  /** Agents whose connections pass the guard, for the AWS SDK's request handler. */
  agentsFor(url: URL): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    const lookup = this.lookupFor(url.hostname.replace(/^\[|\]$/g, ''));
    return { httpAgent: new http.Agent({ lookup }), httpsAgent: new https.Agent({ lookup }) };
  }
}
