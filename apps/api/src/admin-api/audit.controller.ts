import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditService } from '@app/audit';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { AdminRoute } from './admin-route.decorator';
import { AuditPageResponseDto, AuditQueryDto, toAuditListQuery, toAuditPageResponse } from './dto/audit.dto';

@ApiTags('admin: audit')
@AdminRoute()
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The admin change log, newest first (paged with `before`)' })
  @ApiOkResponse({ type: AuditPageResponseDto })
  @ApiUnprocessableEntityResponse({ description: '`validation_error` or `invalid_cursor`', type: ErrorEnvelopeDto })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageResponseDto> {
    return toAuditPageResponse(await this.audit.list(toAuditListQuery(query)));
  }
}
