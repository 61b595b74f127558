function transform(record, ctx) {
  if (record.email) record.email = record.email.toLowerCase();
  return record;
}
