import { CHANGE_ID_PATTERN, newChangeId } from './change-id';

describe('newChangeId', () => {
  it('draws three groups of five letters and digits, upper and lower case, then the suffix', () => {
    const ids = Array.from({ length: 200 }, () => newChangeId('CCL'));
    for (const id of ids) expect(id).toMatch(CHANGE_ID_PATTERN);
    expect(new Set(ids).size).toBe(200);
    const letters = ids.join('').replace(/-(CCL)/g, '');
    expect(letters).toMatch(/[a-z]/);
    expect(letters).toMatch(/[A-Z]/);
    expect(letters).toMatch(/[0-9]/);
    expect(newChangeId('UPD')).toMatch(/-UPD$/);
  });

  it('takes each character from the random source', () => {
    expect(newChangeId('CCL', () => 0)).toBe('AAAAA-AAAAA-AAAAA-CCL');
    expect(newChangeId('UPD', (max) => max - 1)).toBe('99999-99999-99999-UPD');
  });
});
