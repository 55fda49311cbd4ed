/**
 * Consistent Overhead Byte Stuffing: removes every 0x00 from a frame so 0x00 can delimit frames
 * on the wire, at a cost of at most one byte per 254. A receiver that joins mid-stream, or loses
 * bytes, resyncs at the next 0x00.
 */

/** Worst-case encoded length for n input bytes (without delimiters). */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

/** Encodes src into dst at dstOffset; returns the number of bytes written. */
export function cobsEncodeInto(src: Uint8Array, dst: Uint8Array, dstOffset: number): number {
  let codeAt = dstOffset;
  let out = dstOffset + 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
      continue;
    }
    dst[out++] = b;
    code++;
    if (code === 0xff) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
    }
  }
  dst[codeAt] = code;
  return out - dstOffset;
}

export function cobsEncode(src: Uint8Array): Buffer {
  const dst = Buffer.allocUnsafe(cobsMaxEncodedLength(src.length));
  return dst.subarray(0, cobsEncodeInto(src, dst, 0));
}

/**
 * Decodes one COBS block (no delimiters). Returns undefined if the block is not valid COBS
 * (a zero byte inside, or a code that runs past the end): the caller counts it as dropped.
 */
export function cobsDecode(src: Uint8Array): Buffer | undefined {
  const dst = Buffer.allocUnsafe(src.length);
  let out = 0;
  let i = 0;
  while (i < src.length) {
    const code = src[i]!;
    if (code === 0 || i + code > src.length) return undefined;
    i++;
    for (let k = 1; k < code; k++) {
      const b = src[i++]!;
      if (b === 0) return undefined;
      dst[out++] = b;
    }
    if (code !== 0xff && i < src.length) dst[out++] = 0;
  }
  return dst.subarray(0, out);
}
