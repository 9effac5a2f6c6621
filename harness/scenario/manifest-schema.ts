/** expect.files.manifest: where the expected state of the files comes from (checks/expected-manifest.ts). */
import path from 'node:path';
import { z } from 'zod';
import { templateProblem } from '../manifest/manifest-template.ts';

/** A file on this host (relative to the scenario), or a template of them: manifests/{id}.sha256. */
const onHost = z
  .string()
  .min(1, 'expected the path of a sha256sum-format manifest')
  .superRefine((file, ctx) => {
    const problem = file.includes('{') || file.includes('}') ? templateProblem(file) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A manifest the backup job wrote into the data: a path relative to the restore root. */
const inside = z.strictObject({
  inside: z
    .string()
    .min(1)
    .refine((p) => !path.posix.isAbsolute(p) && !path.posix.normalize(p).split('/').includes('..') && path.posix.normalize(p) !== '.', 'expected a file path relative to the restore root, like share/.restore-drill.sha256 (no leading / and no ..)'),
});

export const manifestFormSchema = z.union([onHost, inside], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected the path of a manifest on this host (may hold {id} or {time:YYYY-MM-DD}), or { inside: <path in the backup> }' : undefined),
});

export type ManifestForm = z.infer<typeof manifestFormSchema>;
