// The outbound (SSRF) guard applied to clients Strata does not drive itself (the AWS SDK for S3 imports):
// the URL is vetted by src/net/outbound-guard.ts, and every connection re-checks the address it resolves to.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { assertOutboundAllowed, forbiddenRange, OutboundAllowlist, OutboundRefusedError } from './outbound-guard.js';

export { OutboundRefusedError as BlockedAddressError };

export class EndpointGuard {
  private readonly list: OutboundAllowlist;

  constructor(allowlist: readonly string[]) {
    this.list = new OutboundAllowlist(allowlist);
  }

  /** Checks the URL's scheme and every address its host resolves to; throws BlockedAddressError with a readable reason. */
  async check(url: string): Promise<URL> {
    const target = await assertOutboundAllowed(url, this.list);
    if (target.url.username || target.url.password)
      throw new OutboundRefusedError('the endpoint URL must not carry credentials');
    return target.url;
  }

  private addressAllowed(address: string): boolean {
    return forbiddenRange(address) === null || this.list.permitsAddress(address);
  }

  /** A DNS lookup for http(s) agents that re-checks the address actually connected to (defeats DNS rebinding). */
  lookupFor(host: string): LookupFunction {
    const allowedHost = this.list.permitsHost(host);
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 4);
        const list = addresses;
        const bad = allowedHost ? undefined : list.find((a) => !this.addressAllowed(a.address));
        if (bad)
          return callback(
            new OutboundRefusedError(`${hostname} resolves to ${bad.address}, a private or reserved address`),
            '',
            4,
          );
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
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
