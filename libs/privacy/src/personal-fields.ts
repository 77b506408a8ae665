/**
 * What an erasure treats as personal, as data: the one place to change it.
 *
 * PERSONAL_FIELDS are paths of field names. A path matches a field when the field's name, and the
 * names of the objects it sits in, end with it (array positions are not part of a path): `email`
 * is every field named `email` at any depth; `customer.name` a `name` directly in a `customer`;
 * `insured.name` a `name` in an element of an `insured` list. A matched field is replaced by
 * "[erased]" whatever it held (a string, a number, a whole object), or removed where the format
 * of the document forbids that text (see request-schema.ts). A null stays null.
 *
 * They were chosen from what is stored: the create-offer requests (`customer` with e-mail, IP
 * address, postcode; `partner.customer_id`; travellers in `context`), the confirm body's
 * policyholder and insured persons (names, e-mail, phone, birth date, company, address), and what
 * is derived from them (booking responses, events, priced changes, webhook payloads).
 */
export const PERSONAL_FIELDS: readonly string[] = [
  // names
  'first_name',
  'last_name',
  'middle_name',
  'full_name',
  'customer.name',
  'policyholder.name',
  'insured.name',
  'travellers.name',
  'traveller.name',
  'passengers.name',
  // contact
  'email',
  'phone',
  'mobile',
  // address
  'address',
  'address1',
  'address2',
  'address_line1',
  'address_line2',
  'street',
  'city',
  'postcode',
  'postal_code',
  'zip',
  'policyholder.region',
  'policyholder.company',
  // birth
  'birth_date',
  'date_of_birth',
  // network
  'ip',
  'ip_address',
  // the partner's own id of the person
  'customer_id',
];

/**
 * Fields kept as they are, even when their text contains a personal value (see
 * personalValuePattern): ids, codes, statuses, product names and document URLs, so accounting
 * and analytics still add up and a booking still reads as the same booking. A field whose name
 * ends with `_formatted`, `_date` or `_at` (amounts and dates) is kept too. A path in
 * PERSONAL_FIELDS always wins (`customer.name` is erased, a product's `name` kept).
 */
export const KEPT_FIELDS: readonly string[] = [
  'id',
  'offer_id',
  'booking_id',
  'quote_id',
  'product_ids',
  'partner_transaction_id',
  'policy_number',
  'offer_config_id',
  'offer_schema',
  'code',
  'name',
  'status',
  'currency',
  'type',
  'slug',
  'pds_url',
  'url',
  'cancellation_id',
  'update_id',
];

export const KEPT_FIELD_SUFFIXES: readonly string[] = ['_formatted', '_date', '_at'];
