import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { BirthCounter } from '../../../agent/daemon/index.ts';
import { tempDir } from './helpers.ts';

it('keeps growing across instances on the same folder, and starts at 0 on a new one', () => {
  const dir = path.join(tempDir(), 'rig-data', 'nested');
  const first = new BirthCounter(dir);
  expect(first.current).toBe(0);
  expect([first.next(), first.next(), first.next()]).toEqual([1, 2, 3]);
  const second = new BirthCounter(dir);
  expect(second.current).toBe(3);
  expect(second.next()).toBe(4);
  expect(new BirthCounter(dir).next()).toBe(5);
  expect(new BirthCounter(tempDir()).current).toBe(0);
});

it('starts again from 0 when the file is not a count, rather than failing to start', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'birth-seq'), 'garbage');
  expect(new BirthCounter(dir).next()).toBe(1);
});
