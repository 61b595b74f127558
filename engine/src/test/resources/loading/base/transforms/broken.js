// A transform with a syntax error on line 3.
function transform(record, ctx) {
  record.email = record.email.trim(;
  return record;
}
