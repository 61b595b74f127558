// Run once in every new context, before any user script: after it, nothing a call does to the
// shared world (the global object, the builtins and their prototypes) can be seen by a later
// call, because none of it can be changed. A user's own state lives in the function scope that
// each call makes afresh (see ScriptPool).
(function () {
  'use strict';
  const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf } = Object;
  const ownKeys = Reflect.ownKeys;

  // RegExp.$1, RegExp.lastMatch...: the last match of the previous call, readable by the next
  // its callbacks run whenever the collector gets to them, which may be in the middle of a later call
  delete globalThis.FinalizationRegistry;

  for (const name of ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_', 'lastMatch', '$&',
    'lastParen', '$+', 'leftContext', '$`', 'rightContext', "$'"]) {
    delete RegExp[name];
  }

  // With the prototypes frozen, `obj.toString = f` on an ordinary object would fail, because an
  // inherited read-only property cannot be shadowed by assignment. These names are assigned in
  // everyday code (a record field called "constructor", an error's name): an accessor keeps
  // the builtin's value and gives the assigning object its own property instead.
  function shadowable(owner, names) {
    for (const name of names) {
      const found = getOwnPropertyDescriptor(owner, name);
      if (!found || !('value' in found)) {
        continue;
      }
      const value = found.value;
      defineProperty(owner, name, {
        get() { return value; },
        set(assigned) {
          if (this === owner) {
            throw new TypeError('Cannot assign to read only property \'' + String(name) + '\' of a builtin');
          }
          defineProperty(this, name, { value: assigned, writable: true, enumerable: true, configurable: true });
        },
        enumerable: found.enumerable,
        configurable: false
      });
    }
  }
  shadowable(Object.prototype, ['constructor', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty',
    'isPrototypeOf', 'propertyIsEnumerable']);
  shadowable(Function.prototype, ['constructor', 'toString']);
  for (const error of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
    typeof AggregateError === 'function' ? AggregateError : Error]) {
    shadowable(error.prototype, ['constructor', 'name', 'message', 'toString']);
  }

  // Builtins that no global names: reach them through an instance of each.
  const seeds = [globalThis, function* () {}, async function () {}, async function* () {}, async () => {},
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ''[Symbol.iterator](),
    /a/[Symbol.matchAll](''), (function* () {})(), (async function* () {})(), (function () { return arguments; })()];
  try {
    seeds.push([].values().map(x => x), Iterator.from({ next() { return { done: true }; } }));
  } catch (notThere) {
    // no iterator helpers in this version
  }
  try {
    seeds.push(new Intl.Segmenter().segment('')[Symbol.iterator]());
  } catch (notThere) {
    // no Intl.Segmenter
  }

  const reached = new Set();
  const pending = seeds.slice();
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || reached.has(value)) {
      continue;
    }
    reached.add(value);
    pending.push(getPrototypeOf(value));
    const keys = ownKeys(value);
    // a builtin method: its name and length are a string and a number, nothing to walk into
    if (typeof value === 'function' && keys.length === 2 && keys[0] === 'length' && keys[1] === 'name') {
      continue;
    }
    for (const key of keys) {
      const property = getOwnPropertyDescriptor(value, key);
      if (property === undefined) {
        continue;
      }
      if ('value' in property) {
        pending.push(property.value);
      } else {
        pending.push(property.get, property.set);
      }
    }
  }
  for (const value of reached) {
    freeze(value);
  }
})()
