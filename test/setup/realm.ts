/**
 * jsdom gives the test realm its own `Uint8Array`/`ArrayBuffer`, while Node's WebCrypto checks
 * `instanceof` against Node's. Digests of jsdom-realm buffers then fail (vitest #3976), so the
 * jsdom environment gets Node's constructors back. `Buffer` is always Node's, which is how we
 * reach them from inside the jsdom realm.
 */
if (typeof window !== 'undefined') {
  const NodeUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor;
  const NodeArrayBuffer = Buffer.alloc(0).buffer.constructor as ArrayBufferConstructor;
  Object.assign(globalThis, { Uint8Array: NodeUint8Array, ArrayBuffer: NodeArrayBuffer });
}
