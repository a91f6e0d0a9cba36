/*
 * The offline player's "Verify": the same checks as `gatehouse export verify`,
 * in the browser, on the files the user picked (a folder through
 * <input webkitdirectory>, or dropped): the Ed25519 signature of manifest.json
 * with WebCrypto, public-key.pem against the fingerprint the manifest names,
 * then every listed file's size and SHA-256 (WebCrypto for files up to 256 MiB,
 * the incremental GatehouseSha256 in 8 MiB slices beyond), and no extra files.
 * Nothing here reads from the network or the page's own embedded data.
 */
/* global GatehouseSha256 */
var GatehouseVerify = (function () {
  'use strict';
  // files up to oneShot bytes are hashed by one WebCrypto digest, larger ones in slices (tests lower both)
  var limits = { oneShot: 256 * 1024 * 1024, slice: 8 * 1024 * 1024 };
  var HARMLESS = { '.DS_Store': 1, 'Thumbs.db': 1, 'desktop.ini': 1 };

  function hex(buf) {
    return GatehouseSha256.hex(new Uint8Array(buf));
  }

  /** Picked files (with webkitRelativePath or a path from a drop) → Map of bundle path → File. */
  function collect(list) {
    var all = [];
    for (var i = 0; i < list.length; i++) {
      var f = list[i].file || list[i];
      var p = list[i].path || f.webkitRelativePath || f.name;
      all.push({ path: p.replace(/^\/+/, ''), file: f });
    }
    // the bundle root: the folder that holds manifest.json, nearest to the top
    var root = null;
    all.forEach(function (e) {
      var parts = e.path.split('/');
      if (parts[parts.length - 1] !== 'manifest.json') return;
      var prefix = parts.slice(0, -1).join('/');
      if (root === null || prefix.length < root.length) root = prefix;
    });
    if (root === null) {
      // no manifest: take the common first folder away if every path has one
      var firsts = {};
      all.forEach(function (e) {
        firsts[e.path.indexOf('/') > 0 ? e.path.split('/')[0] : ''] = 1;
      });
      var keys = Object.keys(firsts);
      root = keys.length === 1 && keys[0] ? keys[0] : '';
    }
    var files = new Map();
    all.forEach(function (e) {
      if (root && e.path.indexOf(root + '/') !== 0) return;
      files.set(root ? e.path.slice(root.length + 1) : e.path, e.file);
    });
    return { root: root, files: files };
  }

  /** Files of a drop (folders walked), as [{path, file}]. */
  function fromDrop(items) {
    var out = [];
    function walk(entry, prefix) {
      return new Promise(function (resolve, reject) {
        if (entry.isFile) {
          entry.file(function (f) {
            out.push({ path: prefix + entry.name, file: f });
            resolve();
          }, reject);
        } else if (entry.isDirectory) {
          var reader = entry.createReader();
          var kids = [];
          var next = function () {
            reader.readEntries(function (batch) {
              if (!batch.length) {
                Promise.all(
                  kids.map(function (k) {
                    return walk(k, prefix + entry.name + '/');
                  }),
                ).then(function () {
                  resolve();
                }, reject);
                return;
              }
              kids.push.apply(kids, batch);
              next();
            }, reject);
          };
          next();
        } else resolve();
      });
    }
    var entries = [];
    for (var i = 0; i < items.length; i++) {
      var en = items[i].webkitGetAsEntry && items[i].webkitGetAsEntry();
      if (en) entries.push(en);
    }
    return Promise.all(
      entries.map(function (e) {
        return walk(e, '');
      }),
    ).then(function () {
      return out;
    });
  }

  function readBytes(file) {
    return file.arrayBuffer().then(function (b) {
      return new Uint8Array(b);
    });
  }

  /** SHA-256 hex of a File: one WebCrypto digest when it fits in memory, else slice by slice. */
  function hashFile(file, onBytes) {
    if (file.size <= limits.oneShot) {
      return file.arrayBuffer().then(function (b) {
        return crypto.subtle.digest('SHA-256', b).then(function (d) {
          onBytes(file.size);
          return hex(d);
        });
      });
    }
    var h = GatehouseSha256.create();
    var pos = 0;
    function step() {
      if (pos >= file.size) return Promise.resolve(GatehouseSha256.hex(h.digest()));
      var end = Math.min(file.size, pos + limits.slice);
      return file
        .slice(pos, end)
        .arrayBuffer()
        .then(function (b) {
          h.update(new Uint8Array(b));
          onBytes(end - pos);
          pos = end;
          return step();
        });
    }
    return step();
  }

  function pemToDer(pem) {
    var m = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pem);
    if (!m) throw new Error('public-key.pem holds no PUBLIC KEY block');
    var bin = atob(m[1].replace(/\s+/g, ''));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function fingerprint(der) {
    return crypto.subtle.digest('SHA-256', der).then(function (d) {
      return 'SHA256:' + hex(d).match(/../g).join(':');
    });
  }

  function safePath(p) {
    return typeof p === 'string' && p.length > 0 && p[0] !== '/' && p.indexOf('\\') < 0 && !/^[a-zA-Z]:/.test(p) && p.split('/').every(function (s) {
      return s && s !== '.' && s !== '..';
    });
  }

  /**
   * Check the picked files. Resolves with
   * { ok, signature, fingerprint, manifest, files: [{path, status, detail}], problems: [] }.
   */
  async function run(files, onProgress) {
    var res = { ok: false, signature: 'missing-manifest', fingerprint: null, manifest: null, files: [], problems: [] };
    var progress = onProgress || function () {};
    var mf = files.get('manifest.json');
    if (!mf) {
      res.problems.push('manifest.json is missing: pick the export folder (the one with manifest.json in it)');
      files.forEach(function (_f, p) {
        res.files.push({ path: p, status: 'extra', detail: 'not covered by any manifest' });
      });
      return res;
    }
    var mBytes = await readBytes(mf);
    var manifest = null;
    try {
      manifest = JSON.parse(new TextDecoder().decode(mBytes));
      if (!manifest || manifest.format !== 'gatehouse-evidence-export' || !Array.isArray(manifest.files)) throw new Error('not a Gatehouse export manifest');
      res.manifest = manifest;
    } catch (e) {
      res.signature = 'malformed-manifest';
      res.problems.push('manifest.json cannot be read: ' + e.message);
      manifest = null;
    }
    var sigFile = files.get('manifest.sig');
    var keyFile = files.get('public-key.pem');
    var der = null;
    if (keyFile) {
      try {
        der = pemToDer(await keyFile.text());
        res.fingerprint = await fingerprint(der);
      } catch (e) {
        res.problems.push('public-key.pem: ' + e.message);
        der = null;
      }
    }
    if (manifest) {
      if (!sigFile) {
        res.signature = 'missing-signature';
        res.problems.push('manifest.sig is missing: the manifest is not signed');
      } else if (sigFile.size !== 64) {
        res.signature = 'malformed-signature';
        res.problems.push('manifest.sig has ' + sigFile.size + ' bytes, an Ed25519 signature has 64: it was changed');
      } else if (!keyFile) {
        res.signature = 'missing-key';
        res.problems.push('public-key.pem is missing: the signature cannot be checked');
      } else if (!der) {
        res.signature = 'malformed-key';
      } else {
        var key;
        try {
          key = await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
        } catch (e) {
          res.signature = 'unsupported';
          res.problems.push('this browser cannot check Ed25519 signatures (' + e.message + '); use a current Chrome, Edge, Firefox or Safari, or check by hand as README.txt says');
        }
        if (key) {
          var good = await crypto.subtle.verify({ name: 'Ed25519' }, key, await readBytes(sigFile), mBytes);
          if (!good) {
            res.signature = 'invalid';
            res.problems.push('manifest.json: the signature does not verify (manifest.json or manifest.sig was changed)');
          } else if (!manifest.signature || manifest.signature.fingerprint !== res.fingerprint) {
            res.signature = 'key-mismatch';
            res.problems.push('public-key.pem (' + res.fingerprint + ') is not the key the manifest names');
          } else res.signature = 'valid';
        }
      }
    }
    var listed = new Set(['manifest.json', 'manifest.sig']);
    if (manifest) {
      var total = 0;
      var done = 0;
      manifest.files.forEach(function (f) {
        total += typeof f.bytes === 'number' ? f.bytes : 0;
      });
      for (var i = 0; i < manifest.files.length; i++) {
        var f = manifest.files[i];
        if (!safePath(f.path) || !/^[0-9a-f]{64}$/.test(String(f.sha256))) {
          res.problems.push('manifest.json lists an unusable entry ' + JSON.stringify(f.path));
          continue;
        }
        listed.add(f.path);
        var file = files.get(f.path);
        if (!file) {
          res.files.push({ path: f.path, status: 'missing' });
          res.problems.push(f.path + ': missing');
          continue;
        }
        progress(done, total, f.path);
        var sha = await hashFile(file, function (n) {
          done += n;
          progress(done, total, f.path);
        });
        if (sha === f.sha256 && file.size === f.bytes) res.files.push({ path: f.path, status: 'ok' });
        else {
          var detail = file.size !== f.bytes ? file.size + ' bytes, the manifest says ' + f.bytes : 'its SHA-256 differs from the manifest';
          res.files.push({ path: f.path, status: 'changed', detail: detail });
          res.problems.push(f.path + ': changed (' + detail + ')');
        }
      }
    }
    files.forEach(function (_f, p) {
      if (listed.has(p)) return;
      var base = p.split('/').pop();
      var detail = HARMLESS[base] ? 'added by a file browser; delete it and verify again' : 'not listed in the manifest';
      res.files.push({ path: p, status: 'extra', detail: detail });
      res.problems.push(p + ': extra file (' + detail + ')');
    });
    res.ok = res.signature === 'valid' && res.problems.length === 0;
    return res;
  }

  return { collect: collect, fromDrop: fromDrop, run: run, hashFile: hashFile, limits: limits };
})();
