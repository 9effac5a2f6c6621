export const SANDBOX_CHOICES = ['auto', 'local', 'docker'] as const;
export type SandboxChoice = (typeof SANDBOX_CHOICES)[number];
