import { ConflictError, ErrorDetails, InvalidError, NotFoundError } from '@app/core';

export class BundleInvalidError extends InvalidError {
  constructor(problems: ErrorDetails) {
    const n = Object.values(problems).reduce((a, p) => a + p.length, 0);
    super('bundle_invalid', `The bundle has ${n} problem${n === 1 ? '' : 's'}; nothing was applied`, problems);
  }
}

export class BundleVersionNotFoundError extends NotFoundError {
  constructor(version: number) {
    super('bundle_version_not_found', `Bundle version ${version} does not exist`);
  }
}

export class BundleConflictError extends ConflictError {
  constructor() {
    super('bundle_conflict', 'Another bundle write for this partner happened at the same time; retry');
  }
}

export class SchemaNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('schema_not_found', `Offer schema ${id} does not exist`);
  }
}

export class OfferConfigNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('offer_config_not_found', `Offer config ${id} does not exist`);
  }
}
