/**
 * The editor's screens, in the order the navigation shows them. Each id names the module
 * ./screens/<id>.js, whose default export is {id, title, minRole?, mount(root, ctx)}. Only ids
 * listed here can be opened, so a hash cannot load an arbitrary module. minRole hides the entry
 * from lower roles (the screen checks again, and the API refuses anyway).
 */
export const screens = [
  { id: 'overview', title: 'Overview' },
  { id: 'mastership', title: 'Mastership' },
  { id: 'tables', title: 'Decision tables' },
  { id: 'try', title: 'Scenarios and preview', minRole: 'author' },
  { id: 'flows', title: 'Flows' },
  { id: 'drl', title: 'DRL', minRole: 'developer' },
  { id: 'runs', title: 'Runs' },
  { id: 'errors', title: 'Errors' },
  { id: 'systems', title: 'Systems' },
];
