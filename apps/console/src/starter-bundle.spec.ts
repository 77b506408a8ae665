import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import bundleSchema from '../../../libs/bundles/src/validation/bundle.schema.json';
import { starterBundle } from './starter-bundle';

describe('starterBundle', () => {
  it('has the structure of a bundle, for the partner being created', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(bundleSchema);
    const bundle = starterBundle('NEWCO');
    expect(validate(bundle) ? [] : validate.errors).toEqual([]);
    expect(bundle.partner).toMatchObject({ code: 'NEWCO', default_schema: 'purchase:v1' });
  });
});
