import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode } from '../../../protocol/errors/index.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import type { OrderInput } from '../../../server/domain/orders/model.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, type Harness } from './harness.ts';

const code = (c: ErrorCode): string => formatErrorCode(c);

/** Each eligibility rule of docs/orders.md on its own: every other fact about the hub fits. */
describe('order eligibility, rule by rule', () => {
  let h: Harness;
  let n = 0;
  beforeEach(async () => {
    h = await openHarness();
    await h.addImage(); // 02000100, manufacturer 0x121D, image type 0, hardware 0x1111-0x1211, over 01260300 only
  });
  afterEach(() => h.close());

  /** Takes hub i (as given) on a new order; the reason's code, or 'eligible' with the line's target hash. */
  async function take(hub: HubRecord, targets: OrderInput['targets'] = [{ model: 'EDMI-CH2', firmwareVersion: '2.0.1' }]): Promise<string> {
    await h.addHubs([hub]);
    const r = await h.desk.take(orderInput({ reference: `PO-E${++n}`, hubs: [hub.chfId], targets }), OPERATOR);
    expect(r.rejected).toEqual([]);
    if (r.ineligible.length > 0) return r.ineligible[0]!.reason.code;
    const [line] = await h.desk.lines(r.order.orderId);
    return `eligible ${line!.target!.hash}`;
  }

  describe('at job time, the rig reading must agree with the inventory', () => {
    beforeEach(async () => {
      await h.addHubs([hubRecord(0)]);
      await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
    });

    const refused = async (over: Parameters<typeof jobRequestFor>[1]): Promise<[string | false, string]> => {
      const answer = await h.desk.answerJob(jobRequestFor(0, over));
      return answer.outcome === 'refused' ? [answer.error.code, answer.error.message] : [false, ''];
    };

    it('a GPF ID the inventory does not have is refused, on its own', async () => {
      const [c, message] = await refused({ gpfId: chf(40, true) });
      expect(c).toBe(code(ErrorCode.HubReadingMismatch));
      expect(message).toContain(`GPF ID ${chf(40, true)} where the inventory has ${chf(0, true)}`);
    });

    it('another HAN variant is refused, on its own', async () => {
      const [c, message] = await refused({ hanVariant: 'SingleBand' });
      expect(c).toBe(code(ErrorCode.HubReadingMismatch));
      expect(message).toContain('HAN variant SingleBand where the inventory has DualBand');
    });

    it('another manufacturer code is refused, on its own', async () => {
      const [c, message] = await refused({ manufacturerCode: 0x1234 });
      expect(c).toBe(code(ErrorCode.HubReadingMismatch));
      expect(message).toContain('manufacturer code');
    });

    it('another hardware version is refused, on its own', async () => {
      const [c, message] = await refused({ hardwareVersion: 0x1112 });
      expect(c).toBe(code(ErrorCode.HubReadingMismatch));
      expect(message).toContain('hardware version');
    });

    it("an image type other than the image's does not fit; the image's own type gets the job", async () => {
      expect((await refused({ imageType: 1 }))[0]).toBe(code(ErrorCode.IneligibleHardware));
      expect((await h.desk.answerJob(jobRequestFor(0, { imageType: 0 }))).outcome).toBe('job');
    });
  });

  it("a hub of another manufacturer than the image's does not fit it", async () => {
    expect(await take(hubRecord(1, { manufacturerCode: 0x1234 }))).toBe(code(ErrorCode.IneligibleHardware));
    expect(await take(hubRecord(2))).toMatch(/^eligible /);
  });

  it("the image's hardware range is inclusive at both ends", async () => {
    const image = (await h.catalogue.list())[0]!;
    expect(await take(hubRecord(1, { hardwareVersion: 0x1111 }))).toBe(`eligible ${image.sha256}`);
    expect(await take(hubRecord(2, { hardwareVersion: 0x1211 }))).toBe(`eligible ${image.sha256}`);
    expect(await take(hubRecord(3, { hardwareVersion: 0x1110 }))).toBe(code(ErrorCode.IneligibleHardware));
    expect(await take(hubRecord(4, { hardwareVersion: 0x1212 }))).toBe(code(ErrorCode.IneligibleHardware));
  });

  it('several approved images of the target version that fit the hub: refused until the order names one by hash', async () => {
    const second = await h.addImage({ payload: new Uint8Array(300).fill(7) });
    expect(await take(hubRecord(2))).toBe(code(ErrorCode.IneligibleNoApprovedImage));
    expect(await take(hubRecord(3), [{ model: 'EDMI-CH2', imageHash: second.sha256 }])).toBe(`eligible ${second.sha256}`);
  });

  it('several approved images of the version, only one of which fits the hub: that one is chosen', async () => {
    await h.addImage({ manufacturerCode: 0x1234, payload: new Uint8Array(300).fill(7) });
    const image = (await h.catalogue.list()).find((i) => i.manufacturerCode === 0x121d)!;
    expect(await take(hubRecord(1))).toBe(`eligible ${image.sha256}`);
  });

  it('refuses a downgrade even when the image has no upgradeable-from list; any older version may upgrade then', async () => {
    await h.addImage({ fileVersion: 0x02100000, upgradeableFrom: undefined });
    const target = [{ model: 'EDMI-CH2', firmwareVersion: '02100000' }];
    expect(await take(hubRecord(1, { firmwareVersion: '02200000' }), target)).toBe(code(ErrorCode.IneligibleUpgradePath));
    expect(await take(hubRecord(2, { firmwareVersion: '01000000' }), target)).toMatch(/^eligible /);
  });

  it('an image is eligible on its installation end date itself, and not the day after (UK date)', async () => {
    await h.addImage({ fileVersion: 0x02300000, upgradeableFrom: undefined }, { installationEndDate: '2026-11-28' });
    const target = [{ model: 'EDMI-CH2', firmwareVersion: '02300000' }];
    h.clock.t = Date.parse('2026-11-28T23:59:00.000Z'); // 23:59 GMT: still the 28th
    expect(await take(hubRecord(1), target)).toMatch(/^eligible /);
    h.clock.t = Date.parse('2026-11-29T00:00:00.000Z');
    expect(await take(hubRecord(2), target)).toBe(code(ErrorCode.IneligiblePastInstallationEnd));
  });

  it('the installation end date is a UK date: 23:30 UTC in summer is already the next day', async () => {
    await h.addImage({ fileVersion: 0x02300000, upgradeableFrom: undefined }, { installationEndDate: '2026-06-30' });
    const target = [{ model: 'EDMI-CH2', firmwareVersion: '02300000' }];
    h.clock.t = Date.parse('2026-06-30T22:59:00.000Z'); // 23:59 BST on the 30th
    expect(await take(hubRecord(1), target)).toMatch(/^eligible /);
    h.clock.t = Date.parse('2026-06-30T23:30:00.000Z'); // 00:30 BST on 1 July
    expect(await take(hubRecord(2), target)).toBe(code(ErrorCode.IneligiblePastInstallationEnd));
  });
});
