/**
 * npm run bench:ransomware — false alarms and misses of the ransomware indicators on a corpus made by
 * code (clean points, then the same share after each simulated attack). Exits 1 on any false alarm
 * or missed attack, so it can gate CI as well as inform.
 */
import { evaluateCorpus, formatEvaluation } from '../test/helpers/corpus-eval.ts';

const evaluation = await evaluateCorpus();
process.stdout.write(formatEvaluation(evaluation) + '\n');
process.exitCode = evaluation.falseAlarmRate === 0 && evaluation.cleanPointsFlagged === 0 && evaluation.missRate === 0 ? 0 : 1;
