/** The inventory's vocabularies, in the spellings of the SMI and DUIS (see the domain brief). */

export const SMI_STATUSES = [
  'Pending',
  'Whitelisted',
  'InstalledNotCommissioned',
  'Commissioned',
  'Decommissioned',
  'Withdrawn',
  'Suspended',
  'Recovery',
  'Recovered',
  'NotApplicable',
] as const;
export type SmiStatus = (typeof SMI_STATUSES)[number];

/** Installed hubs are never flashed: a result for one is a reconciliation exception. */
export const INSTALLED_STATUSES: readonly SmiStatus[] = ['InstalledNotCommissioned', 'Commissioned'];

export const REGIONS = ['North', 'Central', 'South'] as const;
export type Region = (typeof REGIONS)[number];

export const CONNECTIVITY = ['2G/3G', '4G'] as const;
export type Connectivity = (typeof CONNECTIVITY)[number];

export { HAN_VARIANTS, type HanVariant } from '../../../protocol/mqtt/index.ts';

export const CUSTODY_STATES = ['with-user', 'in-transit-to-csp', 'at-csp', 'on-rig', 'in-transit-to-user', 'delivered'] as const;
export type Custody = (typeof CUSTODY_STATES)[number];
