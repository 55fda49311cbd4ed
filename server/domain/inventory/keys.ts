/**
 * The inventory's key layout in the Store. `\x00` separates parts so that a prefix range is
 * exact whatever the values contain (values never contain `\x00`).
 *
 *   h\0{chfId}                      → hub record (hub.ts)
 *   x\0{field}\0{value}\0{chfId}    → '' : secondary index entry
 *   c\0{field}\0{value}             → count of hubs with that value
 *   e\0{chfId}\0{seq}               → history event (history.ts), append-only
 */
export const SEP = '\x00';

export const hubKey = (chfId: string): string => `h${SEP}${chfId}`;
export const HUB_PREFIX = `h${SEP}`;

export const indexPrefix = (field: string, value: string): string => `x${SEP}${field}${SEP}${value}${SEP}`;
export const indexKey = (field: string, value: string, chfId: string): string => indexPrefix(field, value) + chfId;

export const COUNTER_PREFIX = `c${SEP}`;
export const counterKey = (field: string, value: string): string => `${COUNTER_PREFIX}${field}${SEP}${value}`;

export const historyPrefix = (chfId: string): string => `e${SEP}${chfId}${SEP}`;
export const historyKey = (chfId: string, seq: string): string => historyPrefix(chfId) + seq;
