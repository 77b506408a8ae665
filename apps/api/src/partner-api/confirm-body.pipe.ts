import { Injectable, PipeTransform, ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BookingValidationError } from '@app/offers';
import { ConfirmOfferDto } from './dto/confirm.dto';

/** class-validator errors → JSON-pointer paths (`/policyholder/email`, `/quotes/0/id`). */
export function validationErrorsToPointers(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = `${parent}/${e.property}`;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children && e.children.length > 0) Object.assign(out, validationErrorsToPointers(e.children, path));
  }
  return out;
}

/**
 * The confirm body's own validation, so that its errors carry the spec's code
 * `booking_validation_error` (§3.2). The route's parameter is typed with an interface, so the
 * global ValidationPipe (code `validation_error`) leaves it alone.
 */
@Injectable()
export class ConfirmBodyPipe implements PipeTransform<unknown, ConfirmOfferDto> {
  transform(value: unknown): ConfirmOfferDto {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BookingValidationError({ '': ['must be a JSON object'] });
    }
    const dto = plainToInstance(ConfirmOfferDto, value);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length > 0) throw new BookingValidationError(validationErrorsToPointers(errors));
    return dto;
  }
}
