/*
 * Incremental SHA-256 (FIPS 180-4) for the offline player's Verify: WebCrypto's
 * digest() takes the whole input at once, so files too large to read into
 * memory are hashed here in slices. Plain ES2017, no dependencies; tested
 * against Node's crypto (main/engine/export/player-sha256.test.ts).
 *
 *   var h = GatehouseSha256.create(); h.update(u8); ...; GatehouseSha256.hex(h.digest())
 */
var GatehouseSha256 = (function () {
  'use strict';
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  function Hasher() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Uint32Array(64);
    this.block = new Uint8Array(64);
    this.fill = 0;
    this.bytes = 0; // total length (a double: exact up to 2^53 bytes)
    this.done = false;
  }

  Hasher.prototype.compress = function (p, off) {
    var w = this.w;
    var h = this.h;
    for (var i = 0; i < 16; i++) {
      var j = off + i * 4;
      w[i] = ((p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3]) >>> 0;
    }
    for (i = 16; i < 64; i++) {
      var x = w[i - 15];
      var y = w[i - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var ch = (e & f) ^ (~e & g);
      var t1 = (k + S1 + ch + K[i] + w[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var maj = (a & b) ^ (a & c) ^ (b & c);
      var t2 = (S0 + maj) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
    h[5] = (h[5] + f) >>> 0;
    h[6] = (h[6] + g) >>> 0;
    h[7] = (h[7] + k) >>> 0;
  };

  /** Feed bytes (a Uint8Array, any length). */
  Hasher.prototype.update = function (data) {
    if (this.done) throw new Error('sha256: update after digest');
    var i = 0;
    var n = data.length;
    this.bytes += n;
    if (this.fill) {
      while (this.fill < 64 && i < n) this.block[this.fill++] = data[i++];
      if (this.fill < 64) return this;
      this.compress(this.block, 0);
      this.fill = 0;
    }
    for (; i + 64 <= n; i += 64) this.compress(data, i);
    while (i < n) this.block[this.fill++] = data[i++];
    return this;
  };

  /** The 32-byte digest (the hasher cannot be fed afterwards). */
  Hasher.prototype.digest = function () {
    if (this.done) throw new Error('sha256: digest twice');
    var bits = this.bytes * 8;
    var pad = new Uint8Array((this.fill < 56 ? 56 : 120) - this.fill + 8);
    pad[0] = 0x80;
    var hi = Math.floor(bits / 4294967296);
    var lo = bits >>> 0;
    var L = pad.length;
    pad[L - 8] = hi >>> 24;
    pad[L - 7] = (hi >>> 16) & 255;
    pad[L - 6] = (hi >>> 8) & 255;
    pad[L - 5] = hi & 255;
    pad[L - 4] = lo >>> 24;
    pad[L - 3] = (lo >>> 16) & 255;
    pad[L - 2] = (lo >>> 8) & 255;
    pad[L - 1] = lo & 255;
    var total = this.bytes;
    this.update(pad);
    this.bytes = total;
    this.done = true;
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      out[i * 4] = this.h[i] >>> 24;
      out[i * 4 + 1] = (this.h[i] >>> 16) & 255;
      out[i * 4 + 2] = (this.h[i] >>> 8) & 255;
      out[i * 4 + 3] = this.h[i] & 255;
    }
    return out;
  };

  function hex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }

  return {
    create: function () {
      return new Hasher();
    },
    hex: hex,
  };
})();
