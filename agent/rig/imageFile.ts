import { readFileSync } from 'node:fs';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { prepareImage, type FlashImage } from '../session/index.ts';

/**
 * Reads an image file and the trusted manufacturer public keys (PEM files), and verifies the
 * image against them: nothing goes to a hub from an image that does not verify.
 */
export function loadFlashImage(imagePath: string, trustedKeyPaths: readonly string[]): FlashImage {
  if (trustedKeyPaths.length === 0) {
    throw new HubflashError(ErrorCode.ImageWrongKey, 'No trusted manufacturer key was given: an image is verified before it is flashed (use --trusted-key FILE)');
  }
  const keys = trustedKeyPaths.map((p) => read(p, 'trusted key').toString('utf8'));
  return prepareImage(read(imagePath, 'image'), keys);
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HubflashError(ErrorCode.ImageFileUnreadable, `Cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
}
