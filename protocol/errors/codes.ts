/**
 * Every error hubflash can report, with a stable number. Numbers never change meaning once
 * published; retired codes stay reserved. Ranges:
 *   1xx  framing and link            (protocol/framing, agent link)
 *   2xx  manufacturer images         (protocol/image)
 *   3xx  device replies and sessions (protocol/messages, agent session)
 *   4xx  identifiers and messages    (protocol/ids, protocol/mqtt)
 *   5xx  rig: discovery, journal, outbox, transports
 *   6xx  server: broker, ingest, storage, inventory, catalogue, API
 *   7xx  server: orders, reconciliation, ASNs, charges, custody
 *   8xx  simulators                  (simulated hubs, their links and state)
 *   9xx  configuration and command line
 * docs/errors.md explains each code and what a person should do about it.
 */
export enum ErrorCode {
  // 1xx framing and link
  FrameTooLarge = 100,
  FrameMalformed = 101,
  LinkClosed = 102,
  LinkTimeout = 103,
  LinkWriteFailed = 104,

  // 2xx manufacturer images
  ImageTruncated = 200,
  ImageOversized = 201,
  ImageWrongIdentifier = 202,
  ImageInconsistentSizes = 203,
  ImageBadSignature = 204,
  ImageWrongKey = 205,
  ImageBadKey = 206,
  ImageUnsupportedHeader = 207,
  ImageBadField = 208,
  ImageFileUnreadable = 209,
  ImageFileUnwritable = 210,

  // 3xx device replies and sessions
  DeviceBadCrc = 300,
  DeviceWrongOffset = 301,
  DeviceBusy = 302,
  DeviceImageRejected = 303,
  DeviceFlashFailure = 304,
  DeviceBadState = 305,
  DeviceBadRequest = 306,
  DeviceUnsupported = 307,
  DeviceProtocolMismatch = 308,
  DeviceUnexpectedReply = 309,
  DeviceNoReply = 310,
  // session
  HubWrongManufacturer = 311,
  HubWrongImageType = 312,
  HubHardwareOutOfRange = 313,
  HubDowngrade = 314,
  HubNotUpgradeableFrom = 315,
  HubInstalled = 316,
  HubIdentityInvalid = 317,
  VerifyHashMismatch = 318,
  HubBootFailed = 319,
  ConfirmMismatch = 320,
  HubChanged = 321,
  TransferNoProgress = 322,
  SessionAborted = 323,

  // 4xx identifiers and messages
  InvalidDeviceId = 400,
  InvalidSscc = 401,
  InvalidFirmwareVersion = 402,
  InvalidMessage = 403,
  InvalidFirmwareHash = 404,

  // 5xx rig: discovery, journal, outbox, transports
  PortOpenFailed = 500,
  UsbUnavailable = 501,
  UsbTransferFailed = 502,
  JournalUnavailable = 503,
  JournalCorrupt = 504,
  JournalDisagrees = 505,
  HubLost = 506,
  RigOptionInvalid = 507,
  SerialListUnavailable = 508,
  ImageDownloadFailed = 509,
  ImageDownloadMismatch = 510,
  OutboxUnavailable = 511,

  // 6xx server: broker, ingest, storage, inventory, catalogue, API
  ServerConfigInvalid = 600,
  StorageUnavailable = 601,
  StorageCorrupt = 602,
  Unauthenticated = 603,
  Forbidden = 604,
  InvalidRequest = 605,
  DeviceNotFound = 606,
  FirmwareNotFound = 607,
  RigNotFound = 608,
  ResultNotFound = 609,
  ImportUnreadable = 610,
  ImportRowInvalid = 611,
  FirmwareNotApproved = 612,
  NoTrustedKeys = 613,
  RangeNotSatisfiable = 614,
  PayloadTooLarge = 615,
  RigAlreadyExists = 616,
  InvalidRigId = 617,
  TokenNotFound = 618,
  AuditChainBroken = 619,
  DataDirLocked = 620,
  ServerUnreachable = 621,
  ServerListenFailed = 622,
  ResultUnknownImage = 623,
  ResultHubInstalled = 624,
  ServerInternal = 625,

  // 7xx server: orders, reconciliation, ASNs, charges, custody
  OrderDuplicate = 700,
  OrderNotFound = 701,
  SsccDuplicate = 702,
  OrderSsccInvalid = 703,
  HubUnknown = 704,
  HubOnLiveOrder = 705,
  IneligibleInstalled = 706,
  IneligibleNoApprovedImage = 707,
  IneligibleHardware = 708,
  IneligibleUpgradePath = 709,
  IneligiblePastInstallationEnd = 710,
  HubDuplicateInOrder = 711,
  HubReadingMismatch = 712,
  AsnNothingEligible = 713,
  AsnNotFound = 714,
  AsnNotLive = 715,
  OrderNotLive = 716,
  NoJobForHub = 717,
  TariffInvalid = 718,
  SsccSerialExhausted = 719,
  ReportRangeInvalid = 720,
  NoTargetForModel = 721,
  HubNotOnOrder = 722,
  CustodyTransitionInvalid = 723,
  OrderInvalid = 724,
  OrderHasLiveAsn = 725,
  ResultNotAtTarget = 726,

  // 8xx simulators
  SimFaultSpecInvalid = 800,
  SimStateCorrupt = 801,
  SimStateUnwritable = 802,
  SimPtyUnavailable = 803,
  SimInvalidOption = 804,

  // 9xx configuration and command line
  ConfigInvalid = 900,
  DaemonStopped = 901,
  DemoIncomplete = 902,
  DemoDataDirInUse = 903,
  CliOptionInvalid = 904,
}

/** `HF0301` style: what logs, JSON results and the docs print. */
export function formatErrorCode(code: ErrorCode): string {
  return `HF${String(code).padStart(4, '0')}`;
}
