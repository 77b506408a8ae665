import { AuditEntryEntity } from './entities/audit-entry.entity';

export const AUDIT_ENTITIES = [AuditEntryEntity];
export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { scrubSecrets } from './audit-scrub';
export { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from './audit.types';
export type { AuditEntryView, AuditInput, AuditListQuery, AuditPage, ChangeContext } from './audit.types';
