import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { InstallState } from '../../../protocol/messages/index.ts';
import { faultsForHub, parseFaultSpec } from '../../../simulators/index.ts';

function refused(spec: string): unknown {
  try {
    parseFaultSpec(spec);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('fault spec: the grammar of docs/simulator.md, at its edges', () => {
  it('takes "*" as every hub, and "hub" in any case (ABNF strings are case-insensitive)', () => {
    expect(parseFaultSpec('*:boot-fail').get('*')).toEqual({ bootFail: Infinity });
    const map = parseFaultSpec('HUB2:installed;Hub3:commissioned');
    expect(map.get(2)).toEqual({ installState: InstallState.InstalledNotCommissioned });
    expect(map.get(3)).toEqual({ installState: InstallState.Commissioned });
  });

  it('accepts the whole probability range: a rate of 0 and a rate of 1', () => {
    expect(parseFaultSpec('drop=0').get('*')).toEqual({ toHub: { drop: 0 }, toHost: { drop: 0 } });
    expect(parseFaultSpec('bitflip=1@dir=to-hub').get('*')).toEqual({ toHub: { bitflip: 1 } });
  });

  it.each([
    ['boot-fail=0', /at least 1/],
    ['power-loss@=5', /not @key=value/],
    ['bitflip=0.1@=to-hub', /not @key=value/],
  ])('refuses %s', (spec, message) => {
    const err = refused(spec);
    expect(isHubflashError(err, ErrorCode.SimFaultSpecInvalid), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it("merges every hub's faults with one hub's: trigger lists joined, the hub's own settings win", () => {
    const map = parseFaultSpec('power-loss@offset=100,power-on-delay=50,boot-fail=3,stall=10@after=5;hub1:power-loss@step=begin,power-on-delay=7,disconnect@offset=9,stall=20@offset=4');
    expect(faultsForHub(map, 1)).toMatchObject({
      powerLoss: [{ offset: 100 }, { step: 'begin' }],
      powerOnDelayMs: 7,
      bootFail: 3,
      disconnect: [{ offset: 9 }],
      stall: [{ ms: 10, at: { afterMs: 5 } }, { ms: 20, at: { offset: 4 } }],
    });
    expect(faultsForHub(map, 0)).toMatchObject({ powerLoss: [{ offset: 100 }], powerOnDelayMs: 50, bootFail: 3, stall: [{ ms: 10, at: { afterMs: 5 } }] });
    expect(faultsForHub(map, 0).disconnect).toBeUndefined();
  });
});
