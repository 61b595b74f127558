// Run once in every new context, before any user script: after it, nothing a call does to the
// shared world (the global object, the builtins and their prototypes) can be seen by a later
// call, because none of it can be changed, but for RegExp.prototype, which the function this
// returns puts back as it was before each call. A user's own state lives in the function scope
// that each call makes afresh (see ScriptPool).
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
  // GraalJS takes its fast paths for replace, match, split and test only while RegExp.prototype
  // has the shape it was built with, and a frozen one costs a transform about half its speed
  // again. So it stays as built (its methods, accessors and their prototypes are frozen like the
  // rest), and reset() below restores it before every call.
  const regExpPrototype = RegExp.prototype;
  const objectPrototype = Object.prototype;
  for (const value of reached) {
    if (value !== regExpPrototype) {
      freeze(value);
    }
  }

  const { defineProperties, getOwnPropertyDescriptors, getOwnPropertyNames, getOwnPropertySymbols, isExtensible } = Object;
  const built = getOwnPropertyDescriptors(regExpPrototype);
  for (const key of ownKeys(built)) {
    freeze(built[key]);
  }
  freeze(built);
  const names = getOwnPropertyNames(regExpPrototype);
  const joinedNames = names.join();
  const symbols = freeze(getOwnPropertySymbols(regExpPrototype));

  /**
   * Puts every property of RegExp.prototype back as built (value, accessors and attributes) and
   * answers whether it now is exactly as built: no other property, the same order, the same
   * prototype, still extensible. False when that cannot be done (a property made
   * non-configurable, an added one, a changed prototype...): the caller then throws the context
   * away. No user code runs here: RegExp.prototype is an ordinary object and the descriptors
   * are this function's own, frozen, inheriting from a frozen Object.prototype.
   */
  return function reset() {
    try {
      defineProperties(regExpPrototype, built);
    } catch (cannot) {
      return false;
    }
    if (getPrototypeOf(regExpPrototype) !== objectPrototype || !isExtensible(regExpPrototype)) {
      return false;
    }
    const nowNames = getOwnPropertyNames(regExpPrototype);
    if (nowNames.length !== names.length || nowNames.join() !== joinedNames) {
      return false;
    }
    const nowSymbols = getOwnPropertySymbols(regExpPrototype);
    if (nowSymbols.length !== symbols.length) {
      return false;
    }
    for (let i = 0; i < symbols.length; i++) {
      if (nowSymbols[i] !== symbols[i]) {
        return false;
      }
    }
    return true;
  };
})()
