/** Public API of the domain core: pure rules and data, no I/O. */

export * from './errors.ts';
export * from './dates.ts';
export * from './regions.ts';
export * from './idNumber.ts';
export * from './phone.ts';
export * from './personName.ts';
export * from './categories.ts';
export * from './quasiDriving.ts';
export * from './certificate.ts';
export * from './creditAssessment.ts';
export * from './businessKeys.ts';
export * from './catalog.ts';
export * from './stateMachine.ts';
export * from './calendar.ts';
export * from './deadlines.ts';
