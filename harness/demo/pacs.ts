/**
 * The PACS demo (画像サーバ): DICOM studies made with dcmtk's dump2dcm (synthetic patients, small
 * secondary-capture images), backed up with restic, all inside a restore-drill/pacs sandbox.
 * A drill restores the archive, starts Orthanc and sends the images to it (storescu), then asks
 * Orthanc's REST API how many studies and instances it holds.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { makeInSandbox } from './work-sandbox.ts';

export interface PacsLayout {
  root: string;
  repository: string;
  passwordFile: string;
  studies: number;
  instancesPerStudy: number;
  /** Path of the DICOM archive inside the snapshot, and of one study in it (the sample). */
  archive: string;
  sampleStudy: string;
}

export interface PacsOptions {
  snapshotTime: Date;
  studies?: number;
  instancesPerStudy?: number;
  /** Image side in pixels (8-bit): the bytes per instance are side * side. */
  side?: number;
  password?: string;
}

const UID_ROOT = '1.2.826.0.1.3680043.10.543';

export function pacsLayout(root: string, options: { studies?: number; instancesPerStudy?: number } = {}): PacsLayout {
  return {
    root,
    repository: path.join(root, 'repo'),
    passwordFile: path.join(root, 'restic-password.txt'),
    studies: options.studies ?? 4,
    instancesPerStudy: options.instancesPerStudy ?? 5,
    archive: 'archive/dicom',
    sampleStudy: 'archive/dicom/study-01',
  };
}

export async function generatePacs(driver: SandboxDriver, root: string, options: PacsOptions): Promise<PacsLayout> {
  const layout = pacsLayout(root, options);
  const password = options.password ?? 'demo-pacs-restic-password';
  const side = options.side ?? 256;
  await mkdir(root, { recursive: true });
  await writeFile(layout.passwordFile, password + '\n');
  await chmod(layout.passwordFile, 0o600);
  await makeInSandbox(
    driver,
    'restore-drill/pacs:latest',
    [
      { run: makeStudiesScript(layout, side) },
      {
        run: `restic init -q -r out/repo && cd work && restic -q -r ../out/repo backup --host pacs01 --time "${options.snapshotTime.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')}" ${layout.archive}`,
        env: { RESTIC_PASSWORD: password },
      },
    ],
    root,
    'pacs',
  );
  return layout;
}

/** A shell script that writes the studies with dump2dcm: one series per study, deterministic pixels. */
function makeStudiesScript(layout: PacsLayout, side: number): string {
  return `set -e
pixels=$(awk -v n=${side * side} 'BEGIN { for (i = 0; i < n; i++) printf "%s%02x", (i ? "\\\\" : ""), (i * 7) % 256 }')
for s in $(seq 1 ${layout.studies}); do
  study=$(printf 'study-%02d' "$s")
  mkdir -p work/${layout.archive}/$study
  for i in $(seq 1 ${layout.instancesPerStudy}); do
    cat > /tmp/instance.dump <<EOF
(0008,0016) UI =SecondaryCaptureImageStorage
(0008,0018) UI [${UID_ROOT}.$s.1.$i]
(0008,0020) DA [202611$(printf '%02d' "$s")]
(0008,0060) CS [OT]
(0010,0010) PN [DEMO^PATIENT$s]
(0010,0020) LO [P$(printf '%06d' "$s")]
(0020,000d) UI [${UID_ROOT}.$s]
(0020,000e) UI [${UID_ROOT}.$s.1]
(0020,0013) IS [$i]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US ${side}
(0028,0011) US ${side}
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB $pixels
EOF
    # dump2dcm exits 0 even when it wrote nothing: test that the file is there.
    file=work/${layout.archive}/$study/$(printf 'IM%04d.dcm' "$i")
    dump2dcm --write-xfer-little +l ${side * side * 3 + 100} /tmp/instance.dump "$file"
    test -s "$file"
  done
done`;
}
