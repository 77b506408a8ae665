import { Controller } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { mountUnderPrefixes } from './partner-api.module';

@Controller('partners/:partner_code')
class SampleController {}

describe('mountUnderPrefixes', () => {
  it('serves the declared path under every prefix', () => {
    expect(mountUnderPrefixes(SampleController, ['/x', '/xcover/'])).toEqual(['/x/partners/:partner_code', '/xcover/partners/:partner_code']);
    expect(Reflect.getMetadata(PATH_METADATA, SampleController)).toEqual(['/x/partners/:partner_code', '/xcover/partners/:partner_code']);
  });

  it('starts again from the declaration when called twice', () => {
    mountUnderPrefixes(SampleController, ['/x']);
    expect(mountUnderPrefixes(SampleController, ['/api'])).toEqual(['/api/partners/:partner_code']);
  });
});
