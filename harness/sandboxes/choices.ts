export const SANDBOX_CHOICES = ['auto', 'local', 'docker', 'vm'] as const;
export type SandboxChoice = (typeof SANDBOX_CHOICES)[number];
