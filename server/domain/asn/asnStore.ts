import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { prefixRange, readRange, type BatchOp, type Store } from '../../storage/Store.ts';
import { ASN_PREFIX, asnContentsKey, asnKey, orderAsnPrefix } from '../orders/keys.ts';
import { summarise, type Asn, type AsnPallet, type AsnSummary } from './model.ts';

/** ASNs in the Store: the summary (rewritten as the status changes) apart from the contents (written once). */

export async function findAsnSummary(store: Store, asnId: string): Promise<AsnSummary | undefined> {
  const text = await store.get(asnKey(asnId));
  return text === undefined ? undefined : (JSON.parse(text) as AsnSummary);
}

export async function findAsn(store: Store, asnId: string): Promise<Asn | undefined> {
  const [summary, contents] = await store.getMany([asnKey(asnId), asnContentsKey(asnId)]);
  if (summary === undefined) return undefined;
  return { ...(JSON.parse(summary) as AsnSummary), pallets: contents === undefined ? [] : (JSON.parse(contents) as AsnPallet[]) };
}

export async function requireAsn(store: Store, asnId: string): Promise<Asn> {
  const asn = await findAsn(store, asnId);
  if (!asn) throw new HubflashError(ErrorCode.AsnNotFound, `No ASN ${asnId}: list them with hubflash asn list`, { asnId });
  return asn;
}

export async function listAsns(store: Store, filter: { orderId?: string } = {}): Promise<AsnSummary[]> {
  if (filter.orderId !== undefined) {
    const prefix = orderAsnPrefix(filter.orderId);
    const ids = (await readRange(store, prefixRange(prefix))).map(([k]) => k.slice(prefix.length));
    const texts = await store.getMany(ids.map(asnKey));
    return texts.filter((t): t is string => t !== undefined).map((t) => JSON.parse(t) as AsnSummary);
  }
  return (await readRange(store, prefixRange(ASN_PREFIX))).map(([, v]) => JSON.parse(v) as AsnSummary);
}

export function putAsnSummary(summary: AsnSummary): BatchOp {
  // Callers may pass a whole ASN; its hubs are stored apart (putAsnContents).
  return { type: 'put', key: asnKey(summary.asnId), value: JSON.stringify(summarise(summary as Asn)) };
}

export function putAsnContents(asn: Asn): BatchOp {
  return { type: 'put', key: asnContentsKey(asn.asnId), value: JSON.stringify(asn.pallets) };
}
