/** The pages' one stylesheet, inline (no network): screen and A4 print. */
export const STYLES = `
:root { --pass:#1b7f3b; --fail:#b3261e; --late:#9a6700; --error:#6b3fa0; --ink:#1d1d1f; --muted:#5f6368; --line:#d0d4d9; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic", "IPAGothic", "Noto Sans CJK JP", sans-serif; color: var(--ink); margin: 0; background: var(--bg); line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.sub { color: var(--muted); margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: var(--bg); font-weight: 600; }
th[scope=row] { width: 14rem; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; overflow-wrap: anywhere; }
.verdict { border-radius: .5rem; padding: 1rem 1.25rem; color: #fff; margin: 1rem 0; }
.verdict .word { font-size: 2rem; font-weight: 700; letter-spacing: .05em; }
.verdict p { margin: .25rem 0 0; }
.v-PASS { background: var(--pass); } .v-FAIL { background: var(--fail); } .v-LATE { background: var(--late); } .v-ERROR { background: var(--error); }
.badge { display: inline-block; white-space: nowrap; border-radius: .25rem; padding: 0 .4rem; color: #fff; font-weight: 600; font-size: .8rem; }
.ok { color: var(--pass); font-weight: 600; } .bad { color: var(--fail); font-weight: 600; } .muted { color: var(--muted); }
.overdue { background: #fdecea; }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: .25rem; padding: 0 .3rem; font-size: .75rem; color: var(--muted); }
ul.limits li { margin: .2rem 0; }
.note { background: #fff8e1; border-left: 4px solid var(--late); padding: .5rem .75rem; }
svg.plot { display: block; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  tr, .verdict, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
