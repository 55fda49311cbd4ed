import { EventEmitter } from 'node:events';
import type { InstallState } from '../../protocol/messages/index.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import { FAULT_DEFAULTS, type ProtocolStep } from '../faults/types.ts';
import type { FlashOp, HubFlash } from '../flash/hubFlash.ts';
import { deriveSeed, Random } from '../random.ts';
import { bootHub, type BootResult } from './bootloader.ts';
import type { FlashJob } from './flashWorker.ts';
import type { HubBody } from './hubBody.ts';
import { nonsenseIdentity, type HubIdentity } from './identity.ts';
import { resolveHubOptions, type ResolvedHubOptions, type SimulatedHubOptions } from './options.ts';
import { HubRuntime } from './runtime.ts';
import { snapshotOf, type HubSnapshot } from './snapshot.ts';
import { loadOrCreateIdentity, loadOrProvisionFlash } from './state.ts';
import { StateSaver } from './stateSaver.ts';
import { FaultTriggers, type FaultAction } from './triggers.ts';

/** The hub's end of a transport: bytes from the host go in with `receive`. */
export interface HubPort {
  receive(bytes: Uint8Array): void;
  detach(): void;
}

type Phase = 'off' | 'booting' | 'up';

/**
 * A simulated Communications Hub: identity, two flash slots and a settings page, a bootloader, and
 * the maintenance protocol on one port. Transports attach to it; it knows nothing of them.
 * Events: 'power-cut', 'power-on', 'booted', 'committed' (offset), 'activated', 'confirmed',
 * 'boot-failed', and for transports 'stall' (ms) and 'disconnect' (reenumerateMs).
 */
export class SimulatedHub extends EventEmitter implements HubBody {
  readonly opts: ResolvedHubOptions;
  readonly clock: Clock;
  readonly flash: HubFlash;
  readonly identity: HubIdentity;
  private phase: Phase = 'off';
  private runtime: HubRuntime | undefined;
  private lastBoot: BootResult | undefined;
  private readonly triggers: FaultTriggers;
  private bootFailsLeft: number;
  private port: ((bytes: Uint8Array) => void) | undefined;
  private readonly timers = new Set<Timer>();
  /** The pending end of a boot's silence (or an injected cut's power-on): cancelled by a cut. */
  private bootTimer: Timer | undefined;
  private readonly saver: StateSaver;
  private closed = false;

  constructor(options: SimulatedHubOptions) {
    super();
    this.opts = resolveHubOptions(options);
    this.clock = this.opts.clock;
    this.identity = loadOrCreateIdentity(this.opts.stateDir, this.opts.identity);
    this.flash = loadOrProvisionFlash(this.opts, new Random(deriveSeed(this.opts.seed, 1)));
    this.saver = new StateSaver(this.opts.stateDir, this.flash, (err) => this.emit('save-failed', err));
    const faults = this.opts.faults;
    for (const t of faults.powerLoss ?? []) if ('op' in t) this.flash.cutAtOps.add(t.op);
    this.bootFailsLeft = faults.bootFail ?? 0;
    this.triggers = new FaultTriggers(faults);
    for (const t of this.triggers.timed()) this.schedule(t.afterMs, () => this.apply(t.fire()));
    this.changed();
    this.boot(0, 'initial');
  }

  get installState(): InstallState {
    return this.opts.faults.installState ?? this.identity.installState;
  }

  get powered(): boolean {
    return this.phase !== 'off';
  }

  reportedIdentity(): HubIdentity {
    return this.opts.faults.nonsenseIdentity ? nonsenseIdentity() : { ...this.identity, installState: this.installState };
  }

  /** Connects a transport; a hub has one maintenance port, so a new one replaces the old. */
  attach(sink: (bytes: Uint8Array) => void): HubPort {
    this.port = sink;
    return {
      receive: (bytes) => {
        if (this.port === sink) this.runtime?.receive(bytes);
      },
      detach: () => {
        if (this.port === sink) this.port = undefined;
      },
    };
  }

  send(bytes: Uint8Array): void {
    this.port?.(bytes);
  }

  /** Cuts power now; the hub stays off until powerOn(). */
  powerCut(): void {
    this.cut(false);
  }

  /** Powers on (a no-op if on); resolves once booted and answering. */
  powerOn(): Promise<void> {
    const up = new Promise<void>((resolve) => {
      if (this.phase === 'up') return resolve();
      this.once('booted', () => resolve());
    });
    if (this.phase === 'off' && !this.closed) this.boot(this.opts.rebootMs, 'power-on');
    return up;
  }

  snapshot(): HubSnapshot {
    return snapshotOf(this.flash, this.runtime, this.lastBoot, this.powered);
  }

  /** Stops timers and saves the state folder; the hub is inert afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.runtime?.kill();
    this.runtime = undefined;
    this.phase = 'off';
    this.port = undefined;
    this.saver.close();
  }

  startingFlashJob(job: FlashJob): boolean {
    if (!this.flash.start(job.op)) {
      this.cut(true);
      return false;
    }
    return job.step === undefined || this.reach(job.step, job.op);
  }

  reach(step: ProtocolStep, interrupting?: FlashOp): boolean {
    const actions = this.triggers.atStep(step);
    if (interrupting && actions.some((a) => a.kind === 'power-loss')) this.flash.interrupt(interrupting);
    return this.apply(actions);
  }

  reachOffset(offset: number): boolean {
    return this.apply(this.triggers.atOffset(offset));
  }

  reboot(): void {
    this.runtime?.kill();
    this.runtime = undefined;
    this.boot(this.opts.rebootMs, 'reboot');
  }

  changed(): void {
    this.saver.soon();
  }

  /** The bootloader runs at once; the hub answers after `silenceMs`. */
  private boot(silenceMs: number, why: 'initial' | 'power-on' | 'reboot'): void {
    this.cancelBootTimer();
    this.phase = 'booting';
    const result = bootHub(
      this.flash,
      (record) => this.countedSettingsWrite(record),
      () => this.bootFailsLeft-- > 0,
    );
    if (result === undefined) return;
    this.changed();
    if (result.bootFailed) this.emit('boot-failed', { version: result.version, hash: result.hash });
    if (why === 'reboot' && !this.reach('reboot')) return;
    const up = (): void => {
      this.bootTimer = undefined;
      this.phase = 'up';
      this.lastBoot = result;
      this.runtime = new HubRuntime(this, result);
      this.emit('booted', { slot: result.slot, version: result.version, hash: result.hash, trial: result.trial, valid: result.valid });
      if (why === 'power-on') this.emit('power-on');
    };
    if (silenceMs <= 0) up();
    else this.bootTimer = this.schedule(silenceMs, up);
  }

  private countedSettingsWrite(record: BootResult['settings']): boolean {
    const op: FlashOp = { kind: 'settings', record };
    if (!this.flash.start(op)) {
      this.cut(true);
      return false;
    }
    this.flash.finish(op);
    return true;
  }

  private cut(injected: boolean): void {
    if (this.phase === 'off' || this.closed) return;
    this.runtime?.kill();
    this.runtime = undefined;
    this.cancelBootTimer();
    this.phase = 'off';
    this.saver.now();
    this.emit('power-cut', { injected });
    if (injected) {
      this.bootTimer = this.schedule(this.opts.faults.powerOnDelayMs ?? FAULT_DEFAULTS.powerOnDelayMs, () => {
        if (this.phase === 'off') this.boot(this.opts.rebootMs, 'power-on');
      });
    }
  }

  /** Applies fired faults; false when one of them cut power. */
  private apply(actions: FaultAction[]): boolean {
    for (const a of actions) {
      if (a.kind === 'stall') this.emit('stall', a.ms);
      else if (a.kind === 'disconnect') this.emit('disconnect', this.opts.faults.reenumerateMs ?? FAULT_DEFAULTS.reenumerateMs);
      else {
        this.cut(true);
        return false;
      }
    }
    return true;
  }

  private cancelBootTimer(): void {
    if (this.bootTimer === undefined) return;
    this.bootTimer.cancel();
    this.timers.delete(this.bootTimer);
    this.bootTimer = undefined;
  }

  private schedule(ms: number, fn: () => void): Timer {
    const timer = this.clock.at(this.clock.now() + ms, () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
    return timer;
  }
}
