import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { InstallState } from '../../../protocol/messages/index.ts';
import { faultsForHub, parseFaultSpec } from '../../../simulators/index.ts';

describe('fault spec', () => {
  it('reads the brief example: per-hub faults and one for every hub', () => {
    const map = parseFaultSpec(
      'hub2:bitflip=1e-4;hub5:power-loss@offset=65536;hub7:boot-fail;hub3:commissioned;hub4:nonsense-identity;hub6:disconnect@offset=200000;hub8:stall=2000@offset=100000;drop=1e-5',
    );
    expect(map.get(2)).toEqual({ toHub: { bitflip: 1e-4 }, toHost: { bitflip: 1e-4 } });
    expect(map.get(5)).toEqual({ powerLoss: [{ offset: 65536 }] });
    expect(map.get(7)).toEqual({ bootFail: Infinity });
    expect(map.get(3)).toEqual({ installState: InstallState.Commissioned });
    expect(map.get(4)).toEqual({ nonsenseIdentity: true });
    expect(map.get(6)).toEqual({ disconnect: [{ offset: 200000 }] });
    expect(map.get(8)).toEqual({ stall: [{ ms: 2000, at: { offset: 100000 } }] });
    expect(map.get('*')).toEqual({ toHub: { drop: 1e-5 }, toHost: { drop: 1e-5 } });
    expect(faultsForHub(map, 2)).toEqual({ toHub: { bitflip: 1e-4, drop: 1e-5 }, toHost: { bitflip: 1e-4, drop: 1e-5 } });
    expect(faultsForHub(map, 1)).toEqual({ toHub: { drop: 1e-5 }, toHost: { drop: 1e-5 } });
  });

  it('reads steps, flash operations, times, directions, counts and several faults per clause', () => {
    const map = parseFaultSpec(
      ' 1 : power-loss@step=activate, power-loss@op=17 , power-on-delay=250 ; hub1:power-loss@after=5000;0:dup=0.001@dir=to-host,bitflip=1e-6@dir=to-hub,boot-fail=2,installed,reenumerate=300,disconnect@step=reboot',
    );
    expect(map.get(1)).toEqual({ powerLoss: [{ step: 'activate' }, { op: 17 }, { afterMs: 5000 }], powerOnDelayMs: 250 });
    expect(map.get(0)).toEqual({
      toHost: { duplicate: 0.001 },
      toHub: { bitflip: 1e-6 },
      bootFail: 2,
      installState: InstallState.InstalledNotCommissioned,
      reenumerateMs: 300,
      disconnect: [{ step: 'reboot' }],
    });
    expect(parseFaultSpec('')).toEqual(new Map());
  });

  it.each([
    ['hubX:drop=0.1', /hub "hubX"/],
    ['drop=2', /rate from 0 to 1/],
    ['drop', /needs =RATE/],
    ['power-loss', /exactly one of/],
    ['power-loss@offset=1@step=begin', /exactly one of/],
    ['power-loss@step=flash', /step must be one of/],
    ['stall@offset=10', /needs =MS/],
    ['fire', /unknown fault/],
    ['hub1:', /empty fault/],
    ['bitflip=1e-3@dir=sideways', /dir must be/],
    ['power-loss@op=0', /at least 1/],
    ['power-loss@when=now', /not a trigger/],
  ])('refuses %s with SimFaultSpecInvalid', (spec, message) => {
    let caught: unknown;
    try {
      parseFaultSpec(spec);
    } catch (err) {
      caught = err;
    }
    expect(isHubflashError(caught, ErrorCode.SimFaultSpecInvalid), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
