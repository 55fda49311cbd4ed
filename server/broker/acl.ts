import { RIGS_ROOT, RIG_COMMAND_KINDS, RIG_MESSAGE_KINDS, parseRigTopic, rigTopic, type ParsedRigTopic } from '../../protocol/mqtt/index.ts';
import type { Role } from '../config/config.ts';

/** Who is on the other end of an MQTT connection, once authenticated. */
export type Identity = { kind: 'rig'; rigId: string } | { kind: 'operator'; tokenId: string; name: string; role: Role };

/** The username an operator's tool connects with; the password is an API token. */
export const OPERATOR_USERNAME = '$token';
/** Operators' client IDs start with this, so they can never take over a rig's session. */
export const OPERATOR_CLIENT_PREFIX = 'op:';

export type Verdict = { ok: true } | { ok: false; reason: string };
const yes: Verdict = { ok: true };
const no = (reason: string): Verdict => ({ ok: false, reason });

const parsedTopics = new Map<string, ParsedRigTopic | null>();

/** parseRigTopic, remembered: rigs publish on the same few topics all day (bounded: anyone may send any topic). */
export function parseTopic(topic: string): ParsedRigTopic | null {
  let parsed = parsedTopics.get(topic);
  if (parsed === undefined) {
    parsed = parseRigTopic(topic);
    if (parsedTopics.size >= 10_000) parsedTopics.clear();
    parsedTopics.set(topic, parsed);
  }
  return parsed;
}

/**
 * Publishing: a rig only to its own rig → server topics, retaining only its status; an
 * operator's tool never. (The server publishes commands itself, outside these rules.)
 */
export function canPublish(who: Identity, topic: string, retain: boolean): Verdict {
  if (who.kind !== 'rig') return no('operator connections are read-only');
  if (topic.startsWith('$')) return no(`${topic} is reserved`);
  const parsed = parseTopic(topic);
  if (!parsed || parsed.direction !== 'rig') return no(`${topic} is not a rig → server topic`);
  if (parsed.rigId !== who.rigId) return no(`rig ${who.rigId} may not publish as rig ${parsed.rigId}`);
  if (retain && parsed.kind !== 'status') return no(`only status may be retained, not ${parsed.kind}`);
  return yes;
}

/** The will a rig may set: an offline status on its own status topic. */
export function isAllowedWill(who: Identity, topic: string): boolean {
  return who.kind === 'rig' && topic === rigTopic(who.rigId, 'status');
}

/**
 * Subscribing: a rig only to its own command topics; an operator's tool to rig → server topics
 * of any rig (`+` allowed at the rig level only). `$SYS`, `#` across rigs and other rigs' topics
 * are refused.
 */
export function canSubscribe(who: Identity, filter: string): Verdict {
  if (filter.startsWith('$')) return no(`${filter} is reserved`);
  if (!filter.startsWith(`${RIGS_ROOT}/`)) return no(`${filter} is outside ${RIGS_ROOT}/`);
  const [rig, ...rest] = filter.slice(RIGS_ROOT.length + 1).split('/');
  if (who.kind === 'rig') {
    if (rig !== who.rigId) return no(`rig ${who.rigId} may subscribe only under its own prefix`);
    if (rest[0] !== 'cmd' || rest.length !== 2) return no(`rig ${who.rigId} may subscribe only to its cmd/ topics`);
    const kind = rest[1]!;
    return kind === '+' || kind === '#' || (RIG_COMMAND_KINDS as readonly string[]).includes(kind) ? yes : no(`no command topic ${kind}`);
  }
  if (rest.length !== 1) return no('operators may subscribe to rig → server topics only');
  const kind = rest[0]!;
  if (rig === '#' || rig === undefined || rig.includes('#')) return no('# is not allowed across rigs');
  if (rig !== '+' && parseRigTopic(`${RIGS_ROOT}/${rig}/status`) === null) return no(`${rig} is not a rig ID`);
  return kind === '+' || (RIG_MESSAGE_KINDS as readonly string[]).includes(kind) ? yes : no(`no rig topic ${kind}`);
}
