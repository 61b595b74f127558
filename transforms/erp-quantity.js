// The ERP sends stock counts as numbers from some screens and as decimal text ("17.000") from
// others; the CRM keeps whole units. A count that is not a number ends the event as a dead
// letter with this script's message, instead of writing nonsense to the CRM.
function transform(record, ctx) {
  if (typeof record.inventoryQty === 'string') {
    const qty = Number(record.inventoryQty.trim());
    if (!Number.isFinite(qty)) {
      throw new Error('inventoryQty of ' + ctx.key + ' is not a number: ' + record.inventoryQty);
    }
    record.inventoryQty = Math.round(qty);
  }
  return record;
}
