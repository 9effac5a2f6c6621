/**
 * What a file's name says its bytes must be: magic bytes at an offset, a trailer near the end, text,
 * and whether its entropy can be judged. Formats that are compressed or encrypted by nature are judged
 * by their header only. The type is taken from the last extension.
 */
export type EntropyPolicy =
  /** Never judged by entropy: compressed or encrypted by nature, or mixed (PDF streams). */
  | 'never'
  /** Text: any sampled block near random is a finding. */
  | 'any-block'
  /** Structured binary: a finding only when every sampled block past the head is near random. */
  | 'all-blocks';

export interface Signature {
  /** What is expected, in words, for the finding's evidence. */
  describe: string;
  /** Hex of the expected bytes, for evidence. */
  hex?: string;
  /** Where the expected bytes are (evidence shows the bytes found there). */
  offset?: number;
  matches(head: Buffer): boolean;
}

export interface FileType {
  name: string;
  extensions: string[];
  /** The head must match one of these (none: no header rule). */
  headers: Signature[];
  /** The tail block must contain this (searched in the last block read). */
  trailer?: { describe: string; bytes: Buffer };
  /** Sampled blocks must look like text. */
  text: boolean;
  entropy: EntropyPolicy;
  /** Decides from the head block whether entropy may be judged (DICOM: only uncompressed pixel data). */
  entropyJudgedWhen?(head: Buffer): boolean;
}

function magic(hex: string, offset = 0, describe?: string): Signature {
  const bytes = Buffer.from(hex.replace(/\s/g, ''), 'hex');
  const ascii = /^[\x20-\x7e]+$/.test(bytes.toString('latin1')) ? `"${bytes.toString('latin1')}"` : `0x${bytes.toString('hex')}`;
  return {
    describe: describe ?? `${ascii} at offset ${offset}`,
    hex: bytes.toString('hex'),
    offset,
    matches: (head) => head.length >= offset + bytes.length && head.subarray(offset, offset + bytes.length).equals(bytes),
  };
}

function text(ascii: string, offset = 0): Signature {
  return magic(Buffer.from(ascii, 'latin1').toString('hex'), offset);
}

/** PDF readers accept the header anywhere in the first 1024 bytes. */
const pdfHeader: Signature = {
  describe: '"%PDF-" within the first 1024 bytes',
  hex: Buffer.from('%PDF-').toString('hex'),
  matches: (head) => head.subarray(0, 1024).includes('%PDF-'),
};

/** An OpenPGP packet starts with a byte whose top bit is set (a weak test, but the only one). */
const openPgpPacket: Signature = {
  describe: 'an OpenPGP packet tag (first byte 0x80 or above) or "-----BEGIN PGP"',
  matches: (head) => head.length > 0 && (head[0]! >= 0x80 || head.subarray(0, 14).toString('latin1') === '-----BEGIN PGP'),
};

/** A plain-format dump (pg_dump -Fp) is SQL text; a custom-format one starts with PGDMP. */
const sqlTextStart: Signature = {
  describe: 'SQL text (a plain-format dump starts with "--", "SET" or "CREATE")',
  matches: (head) => /^(\uFEFF)?\s*(--|\/\*|SET |CREATE |BEGIN|SELECT |INSERT |COPY |\\connect)/i.test(head.subarray(0, 64).toString('utf8')),
};

const UNCOMPRESSED_DICOM = /1\.2\.840\.10008\.1\.2(\.1|\.2)?(\0|(?![.\d]))/;

const TEXT_EXTENSIONS = ['.txt', '.csv', '.tsv', '.log', '.json', '.xml', '.html', '.htm', '.md', '.ini', '.cfg', '.conf', '.yaml', '.yml', '.sql', '.hl7', '.eml', '.svg', '.js', '.css', '.bat', '.ps1', '.sh'];

export const FILE_TYPES: FileType[] = [
  { name: 'pdf', extensions: ['.pdf'], headers: [pdfHeader], trailer: { describe: '"%%EOF" in the last block', bytes: Buffer.from('%%EOF') }, text: false, entropy: 'never' },
  {
    name: 'dicom',
    extensions: ['.dcm', '.dicom'],
    headers: [text('DICM', 128)],
    text: false,
    entropy: 'all-blocks',
    entropyJudgedWhen: (head) => UNCOMPRESSED_DICOM.test(head.toString('latin1')),
  },
  { name: 'png', extensions: ['.png'], headers: [magic('89504e470d0a1a0a')], text: false, entropy: 'never' },
  { name: 'jpeg', extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'], headers: [magic('ffd8ff')], text: false, entropy: 'never' },
  { name: 'gif', extensions: ['.gif'], headers: [text('GIF87a'), text('GIF89a')], text: false, entropy: 'never' },
  { name: 'tiff', extensions: ['.tif', '.tiff'], headers: [magic('49492a00'), magic('4d4d002a')], text: false, entropy: 'never' },
  { name: 'bmp', extensions: ['.bmp'], headers: [text('BM')], text: false, entropy: 'all-blocks' },
  {
    name: 'zip',
    extensions: ['.zip', '.docx', '.xlsx', '.pptx', '.odt', '.ods', '.odp', '.jar', '.epub', '.docm', '.xlsm'],
    headers: [magic('504b0304'), magic('504b0506'), magic('504b0708')],
    trailer: { describe: 'the end-of-central-directory record "PK\\x05\\x06" in the last block', bytes: Buffer.from('504b0506', 'hex') },
    text: false,
    entropy: 'never',
  },
  { name: 'ole2', extensions: ['.doc', '.xls', '.ppt', '.msg'], headers: [magic('d0cf11e0a1b11ae1')], text: false, entropy: 'never' },
  { name: 'sqlite', extensions: ['.sqlite', '.sqlite3', '.db3'], headers: [text('SQLite format 3\0')], text: false, entropy: 'all-blocks' },
  { name: 'pgdump', extensions: ['.dump', '.pgdump'], headers: [text('PGDMP'), sqlTextStart], text: false, entropy: 'never' },
  { name: 'gzip', extensions: ['.gz', '.tgz'], headers: [magic('1f8b')], text: false, entropy: 'never' },
  { name: 'zstd', extensions: ['.zst', '.tzst'], headers: [magic('28b52ffd')], text: false, entropy: 'never' },
  { name: 'xz', extensions: ['.xz', '.txz'], headers: [magic('fd377a585a00')], text: false, entropy: 'never' },
  { name: 'bzip2', extensions: ['.bz2', '.tbz2'], headers: [text('BZh')], text: false, entropy: 'never' },
  { name: '7z', extensions: ['.7z'], headers: [magic('377abcaf271c')], text: false, entropy: 'never' },
  { name: 'lz4', extensions: ['.lz4'], headers: [magic('04224d18')], text: false, entropy: 'never' },
  { name: 'unix-compress', extensions: ['.z'], headers: [magic('1f9d'), magic('1fa0')], text: false, entropy: 'never' },
  // Brotli and raw LZMA have no magic bytes: known, so that "x.js.br" is not judged as text, but not judged.
  { name: 'brotli', extensions: ['.br', '.brotli'], headers: [], text: false, entropy: 'never' },
  { name: 'lzma', extensions: ['.lzma'], headers: [], text: false, entropy: 'never' },
  { name: 'rar', extensions: ['.rar'], headers: [magic('526172211a07')], text: false, entropy: 'never' },
  { name: 'openpgp', extensions: ['.gpg', '.pgp'], headers: [openPgpPacket], text: false, entropy: 'never' },
  { name: 'rtf', extensions: ['.rtf'], headers: [text('{\\rtf')], text: true, entropy: 'any-block' },
  { name: 'text', extensions: TEXT_EXTENSIONS, headers: [], text: true, entropy: 'any-block' },
];

const OWN_ENCRYPTION = new Set(['.enc', '.aes', '.age', '.asc', '.sig', '.p7m']);

const BY_EXTENSION = new Map<string, FileType>(FILE_TYPES.flatMap((t) => t.extensions.map((e) => [e, t] as const)));

/** The type a file name claims by its last extension, or undefined when that is not known. */
export function typeOfName(relative: string): FileType | undefined {
  const parts = nameParts(relative);
  return parts.length < 2 ? undefined : BY_EXTENSION.get(`.${parts[parts.length - 1]}`);
}

/**
 * A known type followed by an extension that is not ("scan 001.pdf.x7k2q9w1b"): what mass renaming
 * by ransomware looks like, and also what many ordinary names look like ("java.sql.jmod"), so it
 * becomes a finding only when many files of several types share the same appended extension.
 */
export function appendedExtension(relative: string): { outer: string; inner: FileType } | undefined {
  const parts = nameParts(relative);
  if (parts.length < 3) return undefined;
  const outer = `.${parts[parts.length - 1]}`;
  // Wrappers that users apply themselves ("x.sql.enc" from openssl, "x.sql.age") are encrypted on purpose.
  if (BY_EXTENSION.has(outer) || OWN_ENCRYPTION.has(outer)) return undefined;
  const inner = BY_EXTENSION.get(`.${parts[parts.length - 2]}`);
  return inner ? { outer, inner } : undefined;
}

function nameParts(relative: string): string[] {
  return relative.slice(relative.lastIndexOf('/') + 1).toLowerCase().split('.');
}
