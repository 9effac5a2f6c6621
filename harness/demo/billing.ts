/**
 * The billing demo (医事会計): a synthetic billing database (patients, visits, claims; thousands of
 * rows, no real person in it) dumped with pg_dump in custom format and backed up with restic, made
 * inside a restore-drill/postgres sandbox. Also writes the expected rows the drill compares with.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { makeInSandbox } from './work-sandbox.ts';

export interface BillingLayout {
  root: string;
  repository: string;
  passwordFile: string;
  departments: string;
  /** Path of the dump inside the snapshot. */
  dump: string;
  patients: number;
  visits: number;
  claims: number;
}

export const BILLING_DEPARTMENTS: [string, string][] = [
  ['IM', '内科'],
  ['SU', '外科'],
  ['OP', '眼科'],
  ['PE', '小児科'],
  ['RA', '放射線科'],
];

export function billingLayout(root: string, size: { patients?: number } = {}): BillingLayout {
  const patients = size.patients ?? 2000;
  return {
    root,
    repository: path.join(root, 'repo'),
    passwordFile: path.join(root, 'restic-password.txt'),
    departments: path.join(root, 'expected', 'departments.tsv'),
    dump: 'srv/billing/billing.dump',
    patients,
    visits: patients * 3,
    claims: patients * 2,
  };
}

/** Makes the billing backup; `snapshotTime` is the snapshot's (and the canary row's) time. */
export async function generateBilling(driver: SandboxDriver, root: string, options: { snapshotTime: Date; patients?: number; password?: string }): Promise<BillingLayout> {
  const layout = billingLayout(root, options);
  const password = options.password ?? 'demo-billing-restic-password';
  await mkdir(path.dirname(layout.departments), { recursive: true });
  await writeFile(layout.passwordFile, password + '\n');
  await chmod(layout.passwordFile, 0o600);
  await writeFile(layout.departments, BILLING_DEPARTMENTS.map((row) => row.join('\t')).join('\n') + '\n');
  const canary = options.snapshotTime.toISOString();
  const sql = billingSql(layout, canary);
  await makeInSandbox(
    driver,
    'restore-drill/postgres:latest',
    [
      { run: 'start-postgres' },
      { run: 'createdb -U postgres billing' },
      { run: `psql -X -q -v ON_ERROR_STOP=1 -U postgres -d billing <<'SQL'\n${sql}\nSQL` },
      { run: `mkdir -p work/srv/billing && pg_dump -U postgres -Fc --no-owner -f work/${layout.dump} billing` },
      {
        run: `restic init -q -r out/repo && cd work && restic -q -r ../out/repo backup --host billing-db01 --time "${formatResticTime(options.snapshotTime)}" srv/billing`,
        env: { RESTIC_PASSWORD: password },
      },
    ],
    root,
    'billing',
  );
  return layout;
}

function billingSql(layout: BillingLayout, canary: string): string {
  const departments = BILLING_DEPARTMENTS.map(([code, name]) => `('${code}', '${name}')`).join(', ');
  return `
create table departments (code text primary key, name text not null);
insert into departments values ${departments};
create table patients (id serial primary key, card_no text unique not null, kana text not null, born date not null);
insert into patients (card_no, kana, born)
  select 'P' || lpad(g::text, 6, '0'), 'カンジャ' || g, date '1940-01-01' + (g * 37 % 25000)
  from generate_series(1, ${layout.patients}) g;
create table visits (id serial primary key, patient_id int not null references patients, department text not null references departments, visited_on date not null);
insert into visits (patient_id, department, visited_on)
  select 1 + (g * 7919 % ${layout.patients}), (array['IM','SU','OP','PE','RA'])[1 + g % 5], date '2026-10-01' + (g % 55)
  from generate_series(1, ${layout.visits}) g;
create table claims (id serial primary key, visit_id int not null references visits, points int not null, status text not null);
insert into claims (visit_id, points, status)
  select g, 100 + (g * 31 % 2400), case when g % 10 = 0 then 'returned' else 'submitted' end
  from generate_series(1, ${layout.claims}) g;
-- The canary: a row the night job writes every day, so that a drill proves the data is fresh.
create table drill_canary (written_at timestamptz not null);
insert into drill_canary values ('${canary}');
`;
}

/** restic --time wants "2006-01-02 15:04:05" in the local time zone of where restic runs (UTC in the images). */
function formatResticTime(time: Date): string {
  return time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}
