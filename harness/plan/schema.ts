/**
 * The recovery plan schema: the order a hospital restores its systems in. Groups are priorities
 * (earlier first), each system names its scenario file, the systems it waits for (after) and the
 * milestone it belongs to; targets.milestones says by when each milestone must be reached.
 */
import { z } from 'zod';
import { duration } from '../scenario/values.ts';

const systemName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a short name of lower-case letters, digits, dot, dash or underscore');

export const planSystemSchema = z.strictObject({
  name: systemName,
  /** The scenario file, relative to the plan file. */
  scenario: z.string().min(1, 'expected the path of a scenario file'),
  /** Systems that must be restored (PASS or LATE) before this one is started. */
  after: z.array(systemName).default([]),
  /**
   * Systems of its after list whose sandboxes this one reaches, by their system name as host name, on an
   * internal network made for the plan run (docker sandbox): the EHR application reaching its restored
   * database. Each stays up until the systems that reach it have finished.
   */
  reach: z.array(systemName).default([]),
  /** The milestone this system is part of, e.g. 最低限の診療再開 (minimum care resumed). */
  milestone: z.string().min(1).optional(),
});

export const planGroupSchema = z.strictObject({
  name: z.string().min(1).optional(),
  systems: z.array(planSystemSchema).min(1, 'a group needs at least one system'),
});

export const planSchema = z.strictObject({
  name: systemName.describe('names the results folder'),
  description: z.string().optional(),
  groups: z.array(planGroupSchema).min(1, 'a plan needs at least one group of systems'),
  targets: z
    .strictObject({
      /** Milestone name → the time from the plan's start by which its last system must be ready. */
      milestones: z.record(z.string().min(1), duration).default({}),
    })
    .default({ milestones: {} }),
});

export type PlanSpec = z.infer<typeof planSchema>;
export type PlanSystemSpec = z.infer<typeof planSystemSchema>;
