/**
 * The Store keys of orders, jobs, ASNs, charges, custody observations and SMI changes. All
 * start with `~` so they never meet the inventory's and catalogue's single-letter prefixes;
 * `\x00` separates parts (no part contains it).
 *
 *   ~n\0{name}                       → counter (order, asn, sscc-serial)
 *   ~o\0{orderId}                    → order header (model.ts)
 *   ~r\0{partyId}\0{reference}       → orderId: one order per party reference
 *   ~l\0{orderId}\0{chfId}           → order line: the hub's progress on the order
 *   ~v\0{chfId}                      → orderId: the hub is on this live order
 *   ~s\0{sscc}                       → where an SSCC was used (inbound order or outbound ASN)
 *   ~a\0{asnId}                      → ASN summary (asn/model.ts), rewritten as its status changes
 *   ~p\0{asnId}                      → the ASN's pallets, cartons and hubs, written once
 *   ~b\0{orderId}\0{asnId}           → '' : the ASNs of an order
 *   ~h\0{chfId}                      → asnId: the hub is on this live ASN
 *   ~c\0{partyId}\0{at}\0{orderId}\0{chfId} → charge line
 *   ~k\0{orderId}\0{chfId}           → the charge line's key (one charge per hub per order)
 *   ~m\0{at}\0{chfId}\0{resultId}    → SMI change record
 *   ~w\0{chfId}                      → the latest reading of the hub by a rig
 *   ~d\0{resultId}                   → written by earlier builds (a result applied to orders);
 *                                      no longer read: the core applies each result once
 *   ~t\0{year}                       → an admin's tariff for a Regulatory Year
 */
export const SEP = '\x00';

export const counterKey = (name: string): string => `~n${SEP}${name}`;
export const orderKey = (orderId: string): string => `~o${SEP}${orderId}`;
export const ORDER_PREFIX = `~o${SEP}`;
export const referenceKey = (partyId: string, reference: string): string => `~r${SEP}${partyId}${SEP}${reference}`;
export const linePrefix = (orderId: string): string => `~l${SEP}${orderId}${SEP}`;
export const lineKey = (orderId: string, chfId: string): string => linePrefix(orderId) + chfId;
export const LIVE_ORDER_PREFIX = `~v${SEP}`;
export const liveOrderKey = (chfId: string): string => LIVE_ORDER_PREFIX + chfId;
export const ssccKey = (sscc: string): string => `~s${SEP}${sscc}`;
export const ASN_PREFIX = `~a${SEP}`;
export const asnKey = (asnId: string): string => ASN_PREFIX + asnId;
export const asnContentsKey = (asnId: string): string => `~p${SEP}${asnId}`;
export const orderAsnPrefix = (orderId: string): string => `~b${SEP}${orderId}${SEP}`;
export const orderAsnKey = (orderId: string, asnId: string): string => orderAsnPrefix(orderId) + asnId;
export const LIVE_ASN_PREFIX = `~h${SEP}`;
export const liveAsnKey = (chfId: string): string => LIVE_ASN_PREFIX + chfId;
export const CHARGE_PREFIX = `~c${SEP}`;
export const chargePartyPrefix = (partyId: string): string => `${CHARGE_PREFIX}${partyId}${SEP}`;
export const chargeKey = (partyId: string, at: string, orderId: string, chfId: string): string =>
  `${chargePartyPrefix(partyId)}${at}${SEP}${orderId}${SEP}${chfId}`;
export const chargeMarkerKey = (orderId: string, chfId: string): string => `~k${SEP}${orderId}${SEP}${chfId}`;
export const SMI_CHANGE_PREFIX = `~m${SEP}`;
export const smiChangeKey = (at: string, chfId: string, resultId: string): string => `${SMI_CHANGE_PREFIX}${at}${SEP}${chfId}${SEP}${resultId}`;
export const READING_PREFIX = `~w${SEP}`;
export const readingKey = (chfId: string): string => READING_PREFIX + chfId;
export const tariffKey = (yearLabel: string): string => `~t${SEP}${yearLabel}`;
