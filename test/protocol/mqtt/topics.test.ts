import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { parseRigTopic, rigCommandFilter, rigCommandTopic, rigTopic } from '../../../protocol/mqtt/index.ts';

describe('MQTT topics', () => {
  it('builds versioned per-rig topics', () => {
    expect(rigTopic('RIG-01', 'results')).toBe('hubflash/v1/rigs/RIG-01/results');
    expect(rigCommandTopic('RIG-01', 'ack')).toBe('hubflash/v1/rigs/RIG-01/cmd/ack');
    expect(rigCommandTopic('RIG-01', 'job')).toBe('hubflash/v1/rigs/RIG-01/cmd/job');
    expect(rigCommandFilter('RIG-01')).toBe('hubflash/v1/rigs/RIG-01/cmd/+');
  });

  it('parses what it builds and nothing else', () => {
    expect(parseRigTopic('hubflash/v1/rigs/RIG-01/status')).toEqual({ direction: 'rig', rigId: 'RIG-01', kind: 'status' });
    expect(parseRigTopic('hubflash/v1/rigs/RIG-01/cmd/ack')).toEqual({ direction: 'command', rigId: 'RIG-01', kind: 'ack' });
    for (const t of ['hubflash/v1/rigs/+/status', 'hubflash/v1/rigs/RIG-01/status/x', 'hubflash/v2/rigs/R/status', 'hubflash/v1/rigs/RIG-01/cmd/other', 'hubflash/v1/rigs/RIG-01/cmd/ack/x', '$SYS/x']) {
      expect(parseRigTopic(t)).toBeNull();
    }
  });

  it('refuses a rig ID that would span or wildcard topic levels', () => {
    for (const bad of ['a/b', '+', '#', '', '$x', 'a:b']) {
      try {
        rigTopic(bad, 'status');
        expect.unreachable(`accepted ${bad}`);
      } catch (err) {
        expect(isHubflashError(err, ErrorCode.InvalidMessage)).toBe(true);
      }
    }
  });
});
