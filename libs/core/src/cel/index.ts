export * from './cel-environment';
export * from './cel-schema';
export * from './cel-values';
export * from './expression-evaluation-error';
export * from './placeholders';
