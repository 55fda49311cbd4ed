import type { DeviceErrorCode, HanVariant, InstallState, MessageType, SlotState } from './types.ts';

// Hashes travel as 32 bytes and are shown as lower-case hex; device IDs as 8 bytes, shown canonical.

export interface ConnectRequest { kind: 'connect'; protocolVersion: number; maxFrame: number }
export interface IdentifyRequest { kind: 'identify' }
export interface StatusRequest { kind: 'status' }
export interface BeginRequest {
  kind: 'begin';
  imageHash: string;
  size: number;
  version: number;
  signature: Uint8Array;
}
export interface WriteRequest { kind: 'write'; offset: number; data: Uint8Array }
export interface VerifyRequest { kind: 'verify' }
export interface ActivateRequest { kind: 'activate' }
export interface ConfirmRequest { kind: 'confirm' }
export interface AbortRequest { kind: 'abort' }

export interface ConnectReply {
  kind: 'connect-reply';
  protocolVersion: number;
  /** The agreed largest frame: the smaller of the host's and the device's. */
  maxFrame: number;
  /** Receive buffers, each one WRITE frame of the agreed size. */
  credits: number;
}
export interface IdentifyReply {
  kind: 'identify-reply';
  protocolVersion: number;
  chfId: string;
  gpfId: string;
  manufacturerCode: number;
  manufacturer: string;
  model: string;
  hardwareVersion: number;
  imageType: number;
  hanVariant: HanVariant;
  runningVersion: number;
  runningHash: string;
  slotState: SlotState;
  installState: InstallState;
  /** The last activation's image failed to boot and the bootloader fell back. */
  lastBootFailed: boolean;
  maxFrame: number;
  credits: number;
}
export interface StatusReply {
  kind: 'status-reply';
  slotState: SlotState;
  stagedHash: string;
  stagedSize: number;
  stagedVersion: number;
  /** The next image offset the device expects (bytes below it are buffered or in flash). */
  receivedOffset: number;
  /** Bytes durable in flash; survives a power cut. */
  committedOffset: number;
  credits: number;
}
export interface BeginReply {
  kind: 'begin-reply';
  /** Where to start writing: the device's received offset for a staged copy of the same image, else 0 (docs/protocol.md). */
  resumeOffset: number;
  credits: number;
}
export interface WriteAck {
  kind: 'write-ack';
  receivedOffset: number;
  committedOffset: number;
  /** Free receive buffers beyond receivedOffset: the host may send up to receivedOffset + credits frames. */
  credits: number;
}
export interface VerifyReply { kind: 'verify-reply'; sha256: string; size: number }
export interface ActivateReply { kind: 'activate-reply'; rebootMs: number }
export interface ConfirmReply { kind: 'confirm-reply'; runningVersion: number; runningHash: string }
export interface AbortReply { kind: 'abort-reply' }
export interface ErrorReply {
  kind: 'error';
  requestType: MessageType;
  code: DeviceErrorCode;
  /** Meaning depends on the code: expected offset, reject reason, retry delay, flash address. */
  arg: number;
  detail: string;
}

export type Request =
  | ConnectRequest
  | IdentifyRequest
  | StatusRequest
  | BeginRequest
  | WriteRequest
  | VerifyRequest
  | ActivateRequest
  | ConfirmRequest
  | AbortRequest;

export type Reply =
  | ConnectReply
  | IdentifyReply
  | StatusReply
  | BeginReply
  | WriteAck
  | VerifyReply
  | ActivateReply
  | ConfirmReply
  | AbortReply
  | ErrorReply;

export type Message = Request | Reply;
export type MessageKind = Message['kind'];
export type MessageOfKind<K extends MessageKind> = Extract<Message, { kind: K }>;
