export const DEFAULT_SCENARIOS = 'scenarios/**/*.y{a,}ml';
