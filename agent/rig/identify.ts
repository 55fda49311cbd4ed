import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { SlotState } from '../../protocol/messages/index.ts';
import type { LinkOptions } from '../link/index.ts';
import { hubInfo, probeHub, type HubInfo } from '../session/index.ts';
import { createTransport, portName, type PortRef } from '../transport/index.ts';

export interface HubIdentityReport extends HubInfo {
  port: string;
  slotState: keyof typeof SlotState;
  lastBootFailed: boolean;
}

/** Connects to the hub on a port and says who it is; the port is closed afterwards. */
export async function identifyHub(port: PortRef, link: LinkOptions = {}): Promise<HubIdentityReport> {
  const transport = createTransport(port);
  try {
    const reply = await probeHub(transport, link);
    return {
      port: portName(port),
      ...hubInfo(reply),
      runningVersion: formatFirmwareVersion(reply.runningVersion),
      slotState: SlotState[reply.slotState] as keyof typeof SlotState,
      lastBootFailed: reply.lastBootFailed,
    };
  } finally {
    await transport.close().catch(() => {});
  }
}
