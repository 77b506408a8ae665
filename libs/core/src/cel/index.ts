export * from './cel-environment';
export * from './cel-schema';
export * from './expression-evaluation-error';
export * from './evaluate';
