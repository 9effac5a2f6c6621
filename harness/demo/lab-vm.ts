/**
 * The lab system demo (検査システム) as a whole machine: a Debian guest (systemd, the QEMU guest agent,
 * a small web service that renders the lab's status page from its own data) made by code from the
 * restore-drill/vm-guest image (`docker export`, then `mke2fs -d` into a raw disk image), its kernel
 * and initrd beside the image for a direct boot, backed up with restic. And a damaged copy, a folder
 * backup of the same machine with its init deleted, built to FAIL at boot.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../sandboxes/process.ts';

export const LAB_GUEST_IMAGE = 'restore-drill/vm-guest:latest';

export interface LabVmLayout {
  root: string;
  repository: string;
  passwordFile: string;
  /** A folder backup (one point) of the damaged machine. */
  damaged: string;
}

export function labVmLayout(root: string): LabVmLayout {
  return { root, repository: path.join(root, 'repo'), passwordFile: path.join(root, 'restic-password.txt'), damaged: path.join(root, 'damaged') };
}

const SERVE_PY = `import csv, html, http.server
def page():
    with open('/var/lib/lab/results.csv', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    done = sum(1 for r in rows if r['status'] == 'reported')
    items = ''.join(f"<li>{html.escape(r['order'])} {html.escape(r['test'])}: {html.escape(r['status'])}</li>" for r in rows)
    return f"<html><head><meta charset='utf-8'><title>検査システム</title></head><body><h1>検査システム 稼働中</h1><p>検査依頼 {len(rows)} 件 / 報告済 {done} 件</p><ul>{items}</ul></body></html>"
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = page().encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(('0.0.0.0', 8080), Handler).serve_forever()
`;

const UNIT = `[Unit]
Description=Lab status page (検査システム)
After=network.target
[Service]
ExecStart=/usr/bin/python3 /opt/lab/serve.py
Restart=always
[Install]
WantedBy=multi-user.target
`;

const RESULTS = ['order,test,status', 'L-0001,CBC,reported', 'L-0002,HbA1c,reported', 'L-0003,CRP,reported', 'L-0004,AST/ALT,in progress', 'L-0005,Na/K/Cl,reported'].join('\n') + '\n';

/** Makes the guest's disk image and its backups under root; needs docker, mke2fs and restic on this host. */
export async function generateLabVm(root: string, options: { snapshotTime: Date; password?: string }): Promise<LabVmLayout> {
  const layout = labVmLayout(root);
  const password = options.password ?? 'demo-lab-restic-password';
  await rm(root, { recursive: true, force: true });
  const work = path.join(root, 'work');
  const tree = path.join(work, 'rootfs');
  const machine = path.join(work, 'machine');
  await mkdir(machine, { recursive: true });
  await mkdir(tree);
  await writeLabTree(tree);
  await sh(`cp "$1"/boot/vmlinuz-* "$2/vmlinuz" && cp "$1"/boot/initrd.img-* "$2/initrd.img"`, [tree, machine]);
  await makeDisk(tree, path.join(machine, 'kensa01.raw'));
  await writeFile(layout.passwordFile, password + '\n');
  await chmod(layout.passwordFile, 0o600);
  const time = options.snapshotTime.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  await sh(`restic init -q -r "$1" && cd "$2" && restic -q -r "$1" backup --host kensa01 --time "$3" kensa01.raw vmlinuz initrd.img`, [layout.repository, machine, time], { RESTIC_PASSWORD: password });
  // The damaged machine: the same system with its init deleted, kept as a folder backup.
  await sh(`rm -f "$1/sbin/init" "$1/lib/systemd/systemd" "$1/usr/lib/systemd/systemd"`, [tree]);
  const damagedPoint = path.join(layout.damaged, 'kensa01-20261124');
  await mkdir(damagedPoint, { recursive: true });
  await sh(`cp "$1/vmlinuz" "$1/initrd.img" "$2/"`, [machine, damagedPoint]);
  await makeDisk(tree, path.join(damagedPoint, 'kensa01.raw'));
  await rm(work, { recursive: true, force: true });
  return layout;
}

/** The lab machine's root file system in the (empty) folder tree: the guest image exported, and the lab's service. */
export async function writeLabTree(tree: string): Promise<void> {
  await sh(`c=$(docker create ${LAB_GUEST_IMAGE}) && docker export "$c" | tar -x -C "$1" --numeric-owner; rc=$?; docker rm "$c" >/dev/null; exit $rc`, [tree]);
  await writeLabService(tree);
}

async function writeLabService(tree: string): Promise<void> {
  await mkdir(path.join(tree, 'opt/lab'), { recursive: true });
  await mkdir(path.join(tree, 'var/lib/lab'), { recursive: true });
  await writeFile(path.join(tree, 'opt/lab/serve.py'), SERVE_PY);
  await writeFile(path.join(tree, 'var/lib/lab/results.csv'), RESULTS);
  await writeFile(path.join(tree, 'etc/systemd/system/lab-status.service'), UNIT);
  await writeFile(path.join(tree, 'etc/hostname'), 'kensa01\n');
  // The forwarded port needs the guest's network up: systemd-networkd with DHCP from QEMU's user network.
  await mkdir(path.join(tree, 'etc/systemd/network'), { recursive: true });
  await writeFile(path.join(tree, 'etc/systemd/network/20-wired.network'), '[Match]\nName=en* eth*\n[Network]\nDHCP=ipv4\n');
  const wants = 'etc/systemd/system/multi-user.target.wants';
  await sh(
    `mkdir -p "$1/${wants}" && ln -sf /etc/systemd/system/lab-status.service "$1/${wants}/lab-status.service" && ln -sf /lib/systemd/system/systemd-networkd.service "$1/${wants}/systemd-networkd.service"`,
    [tree],
  );
}

async function makeDisk(tree: string, file: string): Promise<void> {
  await sh(`truncate -s 1200M "$2" && mke2fs -q -F -t ext4 -L root -d "$1" "$2"`, [tree, file]);
}

async function sh(script: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await runProcess('/bin/sh', ['-c', script, 'sh', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeoutMs: 10 * 60_000 });
  if (result.exitCode !== 0) throw new Error(`${script.split(' ')[0]} ... failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
}
