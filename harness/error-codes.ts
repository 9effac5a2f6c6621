/**
 * The one table that classifies every error a drill can end with. Its kind decides the verdict:
 *  - backup: the backup itself did not come back (FAIL),
 *  - infrastructure: the host, the sandbox, a tool or the engine failed, not the backup (ERROR),
 *  - input: the scenario, a file it names, or the command line is wrong (exit 64/65, or ERROR when
 *    found mid-drill),
 *  - harness: restore-drill itself went wrong, a bug to report (ERROR).
 * A new error gets a row here; the typed error classes accept only the codes of their kind.
 */
export type ErrorKind = 'backup' | 'infrastructure' | 'input' | 'harness';

export const ERROR_CODES = {
  // The backup did not restore.
  AMBIGUOUS_TIME: 'backup',
  ARCHIVE_EMPTY: 'backup',
  ARCHIVE_ENTRY_OUTSIDE_ROOT: 'backup',
  ARCHIVE_ENTRY_THROUGH_LINK: 'backup',
  ARCHIVE_ENTRY_UNRESTORABLE: 'backup',
  ARCHIVE_ENTRY_UNSUPPORTED: 'backup',
  ARCHIVE_UNREADABLE: 'backup',
  BACKUP_NOT_FOUND: 'backup',
  CANARY_OUTSIDE: 'backup',
  DUMP_NOT_IN_BACKUP: 'backup',
  DUMP_RESTORE_FAILED: 'backup',
  MANIFEST_DUPLICATE: 'input',
  MANIFEST_INVALID: 'input',
  // Sorted for longer than the look-ahead, then out of order: it can no longer be sorted in memory.
  MANIFEST_UNSORTED: 'input',
  MANIFEST_FILE_UNREADABLE: 'backup',
  // The point drilled has no manifest: the one its backup job writes into the data ({ inside }), or the
  // template's file for it on the host ({id}, {time:...}).
  MANIFEST_NOT_FOR_POINT: 'backup',
  MANIFEST_NOT_IN_POINT: 'backup',
  NO_CLEAN_POINT: 'backup',
  // random-within:<duration> found no point taken within the window: the backups may have stopped.
  NO_POINT_IN_WINDOW: 'backup',
  // A path the scenario checks leads out of the restore through a link the backup holds.
  PATH_OUTSIDE_RESTORE: 'backup',
  NO_RESTORE_POINT: 'backup',
  // init found a point with no file to verify (the backup job backs up nothing, or the wrong folder).
  POINT_EMPTY: 'backup',
  REPOSITORY_NOT_FOUND: 'backup',
  REPOSITORY_UNREADABLE: 'backup',
  RESTORE_POINT_NOT_FOUND: 'backup',
  RESTORE_STEP_FAILED: 'backup',
  // A restore that does not finish within the time the scenario gives it did not come back, whoever restores.
  RESTORE_STEP_TIMEOUT: 'backup',
  RESTORE_TIMEOUT: 'backup',
  // Past sandbox.restore_size: the backup is larger than declared, or a bomb.
  RESTORE_TOO_LARGE: 'backup',
  SAMPLE_PATH_MISSING: 'backup',
  SNAPSHOT_LINK_OUTSIDE_ROOT: 'backup',
  SNAPSHOT_UNREADABLE: 'backup',
  // The backup tool crashed reading the repository (a Go panic): the repository may be damaged.
  TOOL_CRASHED: 'backup',
  // The disk image of a whole-machine drill: not an image, one reading other host files, or a guest that did not come up.
  DISK_IMAGE_INVALID: 'backup',
  DISK_IMAGE_MISSING: 'backup',
  DISK_IMAGE_REFUSED: 'backup',
  // The host, the sandbox or a tool failed.
  // The drill changed the backup (a sandbox without protection wrote to it): no verdict of it holds.
  BACKUP_CHANGED: 'infrastructure',
  VM_OVERLAY_FAILED: 'infrastructure',
  VM_SANDBOX_FAILED: 'infrastructure',
  VM_START_FAILED: 'infrastructure',
  VM_TOOL_MISSING: 'infrastructure',
  // screen.text: tesseract (OCR) missing, without its language data, or failing on a screenshot.
  OCR_FAILED: 'infrastructure',
  OCR_TOOL_MISSING: 'infrastructure',
  BACKUP_NOT_MOUNTED: 'infrastructure',
  // An access step (a host command the scenario's author wrote to reach an offline copy) failed or timed out.
  ACCESS_STEP_FAILED: 'infrastructure',
  ACCESS_STEP_TIMEOUT: 'infrastructure',
  // A plan's system not drilled: a system it waits for (after) did not PASS or come back LATE.
  DEPENDENCY_FAILED: 'infrastructure',
  DATABASE_COMMAND_FAILED: 'infrastructure',
  DATABASE_SERVER_FAILED: 'infrastructure',
  DATABASE_SERVER_MISSING: 'infrastructure',
  DATABASE_UNREACHABLE: 'infrastructure',
  DOCKER_EXEC_FAILED: 'infrastructure',
  DOCKER_FAILED: 'infrastructure',
  DOCKER_IMAGE_MISSING: 'infrastructure',
  DOCKER_PERMISSION: 'infrastructure',
  DOCKER_REFUSED: 'infrastructure',
  DOCKER_SANDBOX_FAILED: 'infrastructure',
  DOCKER_TEARDOWN_FAILED: 'infrastructure',
  DOCKER_TIMEOUT: 'infrastructure',
  DOCKER_UNREACHABLE: 'infrastructure',
  FIXTURE_FAILED: 'infrastructure',
  HTTP_CLIENT_MISSING: 'infrastructure',
  IMAGE_BUILD_FAILED: 'infrastructure',
  IMAGE_CAPABILITY_REFUSED: 'infrastructure',
  IMAGE_LABEL_INVALID: 'infrastructure',
  INTERRUPTED: 'infrastructure',
  // A rotating sample's folder lists more entries than the host keeps of a tool's output.
  LISTING_TOO_LARGE: 'infrastructure',
  LOCAL_SANDBOX_FAILED: 'infrastructure',
  LOCAL_SANDBOX_UNAVAILABLE: 'infrastructure',
  METRICS_UNREADABLE: 'infrastructure',
  METRICS_UNWRITABLE: 'infrastructure',
  REPOSITORY_PASSWORD_WRONG: 'infrastructure',
  // Past the default margin of free disk (no restore_size): this host lacks room.
  RESTORE_DISK_FULL: 'infrastructure',
  SCHEDULE_UNWRITABLE: 'infrastructure',
  SECRET_MISSING: 'infrastructure',
  SECRET_TOO_SHORT: 'infrastructure',
  SQL_CLIENT_MISSING: 'infrastructure',
  TEARDOWN_FAILED: 'infrastructure',
  TOOL_MISSING: 'infrastructure',
  TOOL_TIMEOUT: 'infrastructure',
  ZSTD_UNSUPPORTED: 'infrastructure',
  // The evidence key, its anchor log or their configuration (like a missing secret: ERROR, exit 3).
  ANCHOR_IN_RESULTS: 'infrastructure',
  ANCHOR_LOCKED: 'infrastructure',
  ANCHOR_UNREADABLE: 'infrastructure',
  ANCHOR_UNWRITABLE: 'infrastructure',
  CONFIG_INVALID: 'infrastructure',
  CONFIG_UNREADABLE: 'infrastructure',
  KEY_INVALID: 'infrastructure',
  KEY_IN_RESULTS: 'infrastructure',
  KEY_NOT_ED25519: 'infrastructure',
  KEY_PERMISSIONS: 'infrastructure',
  KEY_UNREADABLE: 'infrastructure',
  KEY_UNWRITABLE: 'infrastructure',
  // The scenario, a file it names, or the command line.
  // A check that passed on an empty restore: the scenario's check proves nothing, so the scenario is to fix.
  CHECK_VACUOUS: 'input',
  EXPECTED_FILE_MISSING: 'input',
  EXPECTED_ROWS_MISSING: 'input',
  INDICATORS_INVALID: 'input',
  INDICATORS_MISSING: 'input',
  MANIFEST_MISSING: 'input',
  PASSWORD_NOT_NAMED: 'input',
  SCENARIO_INVALID: 'input',
  // A scenario of kind vm drilled by a container driver, or the other way round.
  SANDBOX_KIND_MISMATCH: 'input',
  USAGE: 'input',
  // restore-drill itself.
  UNEXPECTED: 'harness',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of one kind: what each typed error class accepts. */
export type CodeOf<K extends ErrorKind> = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends K ? C : never }[ErrorCode];

export function kindOf(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code];
}
