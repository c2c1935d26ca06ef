import '@testing-library/jest-dom';

// better-sqlite3 and scrypt run in this environment; jsdom lacks a few browser APIs the windows touch.
if (!('scrollTo' in Element.prototype)) {
  Object.defineProperty(Element.prototype, 'scrollTo', { value: () => undefined, writable: true });
}
