export { cobsEncode, cobsDecode, cobsMaxEncodedLength } from './cobs.ts';
export { frameCrc } from './crc.ts';
export {
  type Frame,
  encodeFrame,
  packFrame,
  unpackFrame,
  maxWireBytes,
  FRAME_OVERHEAD_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_CRC_BYTES,
  MIN_FRAME_BYTES,
  FRAME_DELIMITER,
} from './frame.ts';
export { FrameDecoder, totalDropped, type DecoderStats, type DropReason, type FrameDecoderOptions } from './decoder.ts';
export { FrameParser } from './FrameParser.ts';
