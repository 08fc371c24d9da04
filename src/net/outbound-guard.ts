// Server-side request forgery guard for every outbound call Strata makes to a user-given URL (webhooks, S3 endpoints).
// A URL passes only when every address its host resolves to is public unicast, or the allowlist permits it.
import dns from 'node:dns';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all of its addresses (dns.lookup by default; tests inject their own). */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (host) => {
  const all = await dns.promises.lookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** The URL is refused: renders as a 400 where a user gave it, and as the attempt's error at delivery time. */
export class OutboundRefusedError extends ValidationError {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

export interface OutboundTarget {
  url: URL;
  /** The host without IPv6 brackets. */
  host: string;
  /** The vetted addresses: connect to these only, so a DNS answer cannot change between check and use. */
  addresses: ResolvedAddress[];
}

type IpAddr = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed STRATA_OUTBOUND_ALLOWLIST: host names (exact, or `*.example.com`), IPs and CIDRs. */
export class OutboundAllowlist {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: Array<[IpAddr, number]> = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      if (entry === '') continue;
      if (entry.includes('/')) {
        try {
          const [addr, bits] = ipaddr.parseCIDR(entry);
          this.ranges.push([
            normalise(addr),
            addr.kind() === 'ipv6' && normalise(addr).kind() === 'ipv4' ? Math.max(0, bits - 96) : bits,
          ]);
          continue;
        } catch {
          throw new Error(`STRATA_OUTBOUND_ALLOWLIST: "${raw}" is not a valid CIDR`);
        }
      }
      if (ipaddr.isValid(entry)) {
        const addr = normalise(ipaddr.parse(entry));
        this.ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1));
      } else {
        this.hosts.add(entry.replace(/\.$/, ''));
      }
    }
  }

  permitsHost(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.hosts.has(h) || this.suffixes.some((s) => h.endsWith(s));
  }

  permitsAddress(address: string): boolean {
    const addr = normalise(ipaddr.parse(address));
    return this.ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function normalise(addr: IpAddr): IpAddr {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

/**
 * Why an address may not be contacted (loopback, private, link-local/metadata, unspecified, multicast, reserved...),
 * or null for public unicast. ipaddr.js names the special ranges; anything but `unicast` is refused.
 */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const addr = normalise(ipaddr.parse(address));
  const range = addr.range();
  if (range !== 'unicast') return range;
  if (addr.kind() === 'ipv6') {
    // ipaddr.js classes these as plain unicast, yet they carry (or translate to) an IPv4 address: `[::127.0.0.1]`,
    // `[::a9fe:a9fe]` reach loopback and the metadata service on stacks that still route them. Refused outright.
    for (const [net, bits, name] of EMBEDDED_IPV4_RANGES) if (addr.match(net, bits)) return name;
  }
  return null;
}

/** IPv6 prefixes that embed an IPv4 address: IPv4-compatible (::/96, deprecated), NAT64 (RFC 6052 and RFC 8215). */
const EMBEDDED_IPV4_RANGES: Array<[ipaddr.IPv6, number, string]> = [
  [ipaddr.IPv6.parse('::'), 96, 'ipv4Compatible'],
  [ipaddr.IPv6.parse('64:ff9b::'), 96, 'nat64'],
  [ipaddr.IPv6.parse('64:ff9b:1::'), 48, 'nat64'],
];

/**
 * Checks that `url` may be called: http(s) only, and every address its host resolves to is public or allowlisted.
 * Call it when a URL is registered and again right before each request. Throws OutboundRefusedError.
 */
export async function assertOutboundAllowed(
  url: string | URL,
  allowlist: readonly string[] | OutboundAllowlist,
  opts: { resolve?: HostResolver; protocols?: readonly string[] } = {},
): Promise<OutboundTarget> {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new OutboundRefusedError(`"${String(url)}" is not a valid URL`);
  }
  const protocols = opts.protocols ?? ['http:', 'https:'];
  if (!protocols.includes(parsed.protocol))
    throw new OutboundRefusedError(`URL scheme ${parsed.protocol} is not allowed (use ${protocols.join(' or ')})`);
  const list = allowlist instanceof OutboundAllowlist ? allowlist : new OutboundAllowlist(allowlist);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new OutboundRefusedError('URL has no host');
  const hostAllowed = list.permitsHost(host);

  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await (opts.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new OutboundRefusedError(
        `could not resolve host ${host}: ${(err as { code?: string }).code ?? String(err)}`,
      );
    }
    if (addresses.length === 0) throw new OutboundRefusedError(`host ${host} has no addresses`);
  }
  if (!hostAllowed) {
    for (const a of addresses) {
      const why = forbiddenRange(a.address);
      if (why !== null && !list.permitsAddress(a.address)) {
        throw new OutboundRefusedError(
          `${host} resolves to ${a.address} (${why}); outbound requests to non-public addresses are refused unless STRATA_OUTBOUND_ALLOWLIST permits them`,
        );
      }
    }
  }
  return { url: parsed, host, addresses };
}
