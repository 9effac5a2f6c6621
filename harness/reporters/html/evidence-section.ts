/** The evidence section of report.html, for a drill and for a plan: what became of evidence.json. */
import type { EvidenceStatus } from '../../evidence/status.ts';
import { html, type Html } from './html.ts';
import { STRINGS } from './i18n.ts';
import type { Lang } from './lang.ts';

/** What differs between a drill's page and a plan's: the chain's wording and the digest's label. */
export interface EvidenceWords {
  chainFirst: string;
  chainAfter(sequence: number, previous: string): string;
  digestLabel: string;
}

export function evidenceSection(status: EvidenceStatus, lang: Lang, words: EvidenceWords): Html {
  const t = STRINGS[lang];
  if (status.state === 'none') return html`<p class="note" id="evidence-status" data-state="none">${t.evidenceNone}</p>`;
  if (status.state === 'failed') {
    return html`<div class="note" id="evidence-status" data-state="failed"><p class="bad">${t.evidenceBroken}</p><ul>${status.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
  }
  return html`<table id="evidence-status" data-state="verified">
<tr><th scope="row">${t.status}</th><td><span class="ok">✔ ${t.evidenceVerified}</span> (evidence.json, in-toto / DSSE, Ed25519)</td></tr>
<tr><th scope="row">${t.keyId}</th><td><code>${status.keyid}</code></td></tr>
<tr><th scope="row">${t.chainLink}</th><td>${status.previous ? words.chainAfter(status.sequence, status.previous) : words.chainFirst}</td></tr>
<tr><th scope="row">${words.digestLabel}</th><td><code>${status.resultSha256}</code></td></tr>
<tr><th scope="row">${t.howToVerify}</th><td><code>restore-drill evidence verify --key PUBLIC_KEY.pem RESULTS_DIR</code></td></tr>
</table>`;
}
