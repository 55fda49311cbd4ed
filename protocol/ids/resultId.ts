import { v7 } from 'uuid';

/**
 * A new result ID: a UUIDv7 (RFC 9562), whose leading 48 bits are the creation time in
 * milliseconds. The server stores each result under its ID in LevelDB; time-ordered IDs land
 * beside the last ones written instead of all over the key space, which leaves LevelDB's
 * compaction less to merge. Monotonic within a process; unique across rigs (74 random bits).
 */
export const newResultId = (): string => v7();
