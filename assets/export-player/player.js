/*
 * The offline player of a Gatehouse evidence export (index.html). Plain
 * browser JavaScript, no network: the clips play from the bundle's video/
 * folder beside this file, in sync on one wall-clock timeline.
 *
 * Model: one master clock in wall-clock milliseconds (UTC). Every 50 ms each
 * camera's <video> is steered towards the master: the run of its file that
 * holds the master time gives the media time (mediaStart + (wall − start));
 * a drift under half a frame is left alone, up to 0.4 s is closed by playing
 * up to 10 % faster or slower, more is a seek. A camera with no recording at
 * the master time pauses and says why (the gap's reason). When no camera has
 * footage, playback skips to the next recorded moment.
 *
 * Test hook: window.__exportPlayer.state() → { wallMs, playing, speed, clips: [...] }.
 */
/* global GatehouseVerify */
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('gatehouse-export-data').textContent);
  var $ = function (sel, el) {
    return (el || document).querySelector(sel);
  };
  var h = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  var pad = function (n, w) {
    return String(n).padStart(w || 2, '0');
  };
  var REASONS = {
    camera_unreachable: 'camera unreachable',
    auth_failed: 'camera refused the login',
    ffmpeg_restart: 'recorder restarted',
    stall: 'stream stalled',
    engine_down: 'recorder not running',
    disk_full: 'disk full',
    unsupported: 'unsupported stream',
    disabled: 'camera disabled',
    file_missing: 'recording file missing',
    file_unreadable: 'recording file unreadable',
    unknown: 'no recording',
  };
  var reasonText = function (r) {
    return REASONS[r] || String(r).replace(/_/g, ' ');
  };
  var fmtUtc = function (ms, withMs) {
    var d = new Date(ms);
    var s = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
    return withMs ? s + '.' + pad(d.getUTCMilliseconds(), 3) : s;
  };
  var fmtLocal = function (ms) {
    var d = new Date(ms);
    var off = -d.getTimezoneOffset();
    var zone = 'UTC' + (off >= 0 ? '+' : '−') + pad(Math.floor(Math.abs(off) / 60)) + ':' + pad(Math.abs(off) % 60);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + ' local (' + zone + ')';
  };
  var fmtDur = function (s) {
    s = Math.round(s);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60 ? (s % 60) + ' s' : '');
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  };

  // ------------------------------------------------------------------ model
  var rangeFrom = Date.parse(DATA.range.from);
  var rangeTo = Date.parse(DATA.range.to);
  var spanFrom = rangeFrom;
  var spanTo = rangeTo;
  var cams = DATA.cameras.map(function (c) {
    var files = c.files.map(function (f) {
      var runs = f.runs.map(function (r) {
        return { mediaStart: r.mediaStart, mediaEnd: r.mediaEnd, start: Date.parse(r.start), end: Date.parse(r.end) };
      });
      runs.forEach(function (r) {
        spanFrom = Math.min(spanFrom, r.start);
      });
      return { path: f.path, runs: runs, fps: f.fps || 25, width: f.width, height: f.height, codec: f.codec, reencoded: f.reencoded, part: f.part };
    });
    var gaps = c.gaps.map(function (g) {
      return { start: Date.parse(g.start), end: Date.parse(g.end), reason: g.reason, seconds: g.seconds, detail: g.detail };
    });
    return { id: c.id, name: c.name, files: files, gaps: gaps, video: null, file: null, pending: null, el: null, status: null };
  });
  var markers = (DATA.markers || []).map(function (m) {
    return { time: Date.parse(m.time), end: m.end ? Date.parse(m.end) : null, kind: m.kind, label: m.label, cameraId: m.cameraId || null };
  });
  var fpsMax = 1;
  cams.forEach(function (c) {
    c.files.forEach(function (f) {
      fpsMax = Math.max(fpsMax, f.fps);
    });
  });
  var frameMs = 1000 / fpsMax;

  /** The file and run of camera c at wall time w, or null. */
  function locate(c, w) {
    for (var i = 0; i < c.files.length; i++) {
      var f = c.files[i];
      for (var j = 0; j < f.runs.length; j++) {
        var r = f.runs[j];
        if (w >= r.start && w < r.end) return { file: f, run: r, media: r.mediaStart + (w - r.start) / 1000 };
      }
    }
    return null;
  }
  /** Wall time of media time t in file f, or null. */
  function wallOf(f, t) {
    for (var j = 0; j < f.runs.length; j++) {
      var r = f.runs[j];
      if (t >= r.mediaStart - 0.0005 && t <= r.mediaEnd + 0.0005) return r.start + (t - r.mediaStart) * 1000;
    }
    return null;
  }
  /** The next moment after w at which any camera has footage, or null. */
  function nextRecorded(w) {
    var best = null;
    cams.forEach(function (c) {
      c.files.forEach(function (f) {
        f.runs.forEach(function (r) {
          if (r.end > w && (best === null || Math.max(r.start, w) < best)) best = Math.max(r.start, w);
        });
      });
    });
    return best;
  }
  function gapAt(c, w) {
    for (var i = 0; i < c.gaps.length; i++) if (w >= c.gaps[i].start && w < c.gaps[i].end) return c.gaps[i];
    return null;
  }

  // ------------------------------------------------------------------ clock
  var clock = { playing: false, speed: 1, base: spanFrom, at: performance.now() };
  var firstRecorded = nextRecorded(rangeFrom);
  clock.base = firstRecorded !== null ? Math.min(firstRecorded, rangeTo) : rangeFrom;
  var SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];
  function now() {
    return clock.playing ? clock.base + (performance.now() - clock.at) * clock.speed : clock.base;
  }
  function setClock(w) {
    clock.base = Math.max(spanFrom, Math.min(spanTo, w));
    clock.at = performance.now();
  }
  function play() {
    if (clock.playing) return;
    if (now() >= spanTo - frameMs) setClock(spanFrom);
    clock.base = now();
    clock.at = performance.now();
    clock.playing = true;
    tick();
  }
  function pause() {
    if (!clock.playing) return;
    clock.base = now();
    clock.playing = false;
    tick();
  }
  function seek(w) {
    setClock(w);
    cams.forEach(function (c) {
      c.forceSeek = true;
    });
    tick();
  }
  function setSpeed(s) {
    var w = now();
    clock.speed = s;
    setClock(w);
    $('#speed').textContent = (s < 1 ? (s === 0.25 ? '¼' : '½') : s) + '×';
  }

  // ------------------------------------------------------------------ layout
  document.title = DATA.title + ' · Gatehouse export';
  $('#case-name').textContent = DATA.case.name;
  $('#case-ref').textContent = DATA.case.reference ? DATA.case.reference : '';
  $('#meta').textContent =
    fmtUtc(rangeFrom) + ' – ' + fmtUtc(rangeTo) + ' UTC · ' + DATA.site.name + ' · exported by ' + (DATA.operator.displayName || DATA.operator.username) + ' on ' + fmtUtc(Date.parse(DATA.createdAt)) + ' UTC';
  $('#reason').textContent = DATA.reason;
  $('#fingerprint').textContent = DATA.fingerprint;

  var tiles = $('#tiles');
  tiles.className = 'tiles n' + Math.min(cams.length, 4);
  cams.forEach(function (c) {
    var fig = h('figure', 'tile');
    fig.dataset.cam = c.id;
    var frame = h('div', 'frame');
    var v = document.createElement('video');
    v.preload = 'auto';
    v.muted = true;
    v.playsInline = true;
    v.disablePictureInPicture = true;
    v.addEventListener('loadedmetadata', function () {
      if (c.pending !== null) {
        v.currentTime = c.pending;
        c.pending = null;
      }
    });
    v.addEventListener('error', function () {
      c.error = v.error ? 'this browser cannot play ' + (c.file ? c.file.codec : 'the clip') + ' (' + (v.error.message || 'code ' + v.error.code) + ')' : 'cannot play';
    });
    frame.appendChild(v);
    var over = h('div', 'over');
    frame.appendChild(over);
    fig.appendChild(frame);
    var cap = h('figcaption');
    cap.appendChild(h('span', 'name', c.name));
    var ct = h('span', 'ctime');
    cap.appendChild(ct);
    fig.appendChild(cap);
    tiles.appendChild(fig);
    c.video = v;
    c.over = over;
    c.ctime = ct;
    c.el = fig;
    if (!c.files.length) over.textContent = 'Nothing recorded in this range';
  });

  // ------------------------------------------------------------------ timeline
  var tl = $('#timeline');
  var lanes = h('div', 'lanes');
  var ruler = h('div', 'ruler');
  var head = h('div', 'playhead');
  var pct = function (w) {
    return ((w - spanFrom) / (spanTo - spanFrom)) * 100;
  };
  function place(el, a, b) {
    el.style.left = pct(a) + '%';
    el.style.width = Math.max(0.15, pct(b) - pct(a)) + '%';
  }
  (function buildRuler() {
    var span = (spanTo - spanFrom) / 1000;
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) {
      if (span / steps[i] <= 10) {
        step = steps[i];
        break;
      }
    }
    var t = Math.ceil(spanFrom / 1000 / step) * step * 1000;
    for (; t <= spanTo; t += step * 1000) {
      var tick = h('div', 'tick');
      tick.style.left = pct(t) + '%';
      var d = new Date(t);
      tick.textContent = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + (step < 60 ? ':' + pad(d.getUTCSeconds()) : '');
      ruler.appendChild(tick);
    }
    var sel = h('div', 'requested');
    place(sel, rangeFrom, rangeTo);
    sel.title = 'requested range';
    ruler.appendChild(sel);
  })();
  tl.appendChild(ruler);
  cams.forEach(function (c) {
    var row = h('div', 'lane');
    row.appendChild(h('div', 'label', c.name));
    var track = h('div', 'track');
    c.files.forEach(function (f) {
      f.runs.forEach(function (r) {
        var b = h('div', 'run');
        place(b, r.start, r.end);
        b.title = c.name + ': recorded ' + fmtUtc(r.start) + ' – ' + fmtUtc(r.end) + ' UTC (' + f.path + ')';
        track.appendChild(b);
      });
    });
    c.gaps.forEach(function (g) {
      var b = h('div', 'gap');
      place(b, g.start, g.end);
      b.title = c.name + ': no recording ' + fmtUtc(g.start) + ' – ' + fmtUtc(g.end) + ' UTC, ' + fmtDur(g.seconds) + ' (' + reasonText(g.reason) + (g.detail ? ': ' + g.detail : '') + ')';
      track.appendChild(b);
    });
    markers.forEach(function (m) {
      if (m.cameraId && m.cameraId !== c.id) return;
      var b = h('div', 'marker ' + String(m.kind).replace(/[^a-z0-9-]/gi, ''));
      b.style.left = pct(m.time) + '%';
      b.title = fmtUtc(m.time) + ' UTC · ' + m.kind + ': ' + m.label;
      track.appendChild(b);
    });
    row.appendChild(track);
    lanes.appendChild(row);
  });
  tl.appendChild(lanes);
  tl.appendChild(head);
  var dragging = false;
  function wallFromEvent(ev) {
    var lane = $('.track', tl) || tl;
    var rect = lane.getBoundingClientRect();
    var x = Math.max(0, Math.min(rect.width, ev.clientX - rect.left));
    return spanFrom + (x / rect.width) * (spanTo - spanFrom);
  }
  tl.addEventListener('pointerdown', function (ev) {
    dragging = true;
    tl.setPointerCapture(ev.pointerId);
    seek(wallFromEvent(ev));
  });
  tl.addEventListener('pointermove', function (ev) {
    if (dragging) seek(wallFromEvent(ev));
  });
  tl.addEventListener('pointerup', function () {
    dragging = false;
  });
  var evList = $('#events');
  markers
    .slice()
    .sort(function (a, b) {
      return a.time - b.time;
    })
    .forEach(function (m) {
      var li = h('li');
      var b = h('button', 'event', fmtUtc(m.time) + '  ' + m.kind + ': ' + m.label);
      b.addEventListener('click', function () {
        seek(m.time);
      });
      li.appendChild(b);
      evList.appendChild(li);
    });
  if (!markers.length) $('#events-box').hidden = true;

  // ------------------------------------------------------------------ sync loop
  var notice = $('#notice');
  var noticeUntil = 0;
  function say(text) {
    notice.textContent = text;
    noticeUntil = performance.now() + 4000;
  }
  function tick() {
    var w = now();
    if (clock.playing && w >= spanTo) {
      setClock(spanTo);
      clock.playing = false;
      w = spanTo;
    }
    var any = false;
    cams.forEach(function (c) {
      var loc = locate(c, w);
      var v = c.video;
      if (!loc) {
        if (!v.paused) v.pause();
        var g = gapAt(c, w);
        c.over.textContent = c.files.length ? 'No recording here' + (g ? ': ' + reasonText(g.reason) : '') : 'Nothing recorded in this range';
        c.over.className = 'over on';
        c.ctime.textContent = '';
        c.status = null;
        return;
      }
      any = true;
      c.over.className = c.error ? 'over on' : 'over';
      if (c.error) c.over.textContent = c.error;
      if (c.file !== loc.file) {
        c.file = loc.file;
        c.error = null;
        c.pending = loc.media;
        v.src = loc.file.path;
        v.load();
      }
      var target = loc.media;
      var half = 0.5 / loc.file.fps;
      if (v.readyState < 1) {
        c.pending = target;
      } else {
        var d = v.currentTime - target;
        if (clock.playing) {
          if (Math.abs(d) > 0.4 || c.forceSeek) {
            v.currentTime = target;
            v.playbackRate = clock.speed;
          } else if (Math.abs(d) > half) {
            v.playbackRate = clock.speed * Math.max(0.9, Math.min(1.1, 1 - d));
          } else v.playbackRate = clock.speed;
          if (v.paused) {
            var p = v.play();
            if (p && p.catch) p.catch(function () {});
          }
        } else {
          if (!v.paused) v.pause();
          if (Math.abs(d) > half / 2 || c.forceSeek) v.currentTime = target;
        }
      }
      c.forceSeek = false;
      c.ctime.textContent = fmtUtc(w, true).slice(11) + ' UTC';
    });
    if (clock.playing && !any) {
      var next = nextRecorded(w);
      if (next === null || next >= spanTo) {
        setClock(spanTo);
        clock.playing = false;
      } else {
        say('Skipped ' + fmtDur((next - w) / 1000) + ' without recording');
        seek(next);
        return;
      }
    }
    $('#clock').textContent = fmtUtc(w, true) + ' UTC';
    $('#local').textContent = fmtLocal(w);
    $('#play').textContent = clock.playing ? '❚❚' : '▶';
    $('#play').title = clock.playing ? 'Pause (Space)' : 'Play (Space)';
    head.style.left = 'calc(var(--label) + (100% - var(--label)) * ' + pct(w) / 100 + ')';
    if (noticeUntil && performance.now() > noticeUntil) {
      notice.textContent = '';
      noticeUntil = 0;
    }
  }
  setInterval(tick, 50);

  // ------------------------------------------------------------------ controls
  $('#play').addEventListener('click', function () {
    clock.playing ? pause() : play();
  });
  $('#slower').addEventListener('click', function () {
    setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(clock.speed) - 1)]);
  });
  $('#faster').addEventListener('click', function () {
    setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(clock.speed) + 1)]);
  });
  $('#mute').addEventListener('click', toggleMute);
  function toggleMute() {
    var muted = !cams[0] || !cams[0].video.muted ? true : false;
    cams.forEach(function (c) {
      c.video.muted = muted;
    });
    $('#mute').textContent = muted ? 'Sound off' : 'Sound on';
  }
  function step(dir) {
    pause();
    seek(now() + dir * frameMs);
  }
  function jumpMarker(dir) {
    var w = now();
    var list = markers
      .map(function (m) {
        return m.time;
      })
      .concat(
        cams.reduce(function (a, c) {
          return a.concat(
            c.gaps.map(function (g) {
              return g.end;
            }),
          );
        }, []),
      )
      .sort(function (a, b) {
        return a - b;
      });
    var t = null;
    if (dir > 0) {
      for (var i = 0; i < list.length; i++)
        if (list[i] > w + 500) {
          t = list[i];
          break;
        }
    } else {
      for (var j = list.length - 1; j >= 0; j--)
        if (list[j] < w - 500) {
          t = list[j];
          break;
        }
    }
    if (t !== null) seek(t);
  }
  var KEYS = [
    ['Space', 'play / pause'],
    ['J / K / L', 'slower / pause / faster'],
    ['← / →', 'one frame back / forward (pauses)'],
    ['Shift+← / Shift+→', '10 s back / forward'],
    ['Home / End', 'start / end of the range'],
    ['[ / ]', 'previous / next event or end of a gap'],
    ['M', 'sound on / off'],
    ['V', 'verify this export'],
    ['?', 'show these keys'],
    ['Esc', 'close a panel'],
  ];
  var keyList = $('#keys');
  KEYS.forEach(function (k) {
    var dt = h('dt', null, k[0]);
    var dd = h('dd', null, k[1]);
    keyList.appendChild(dt);
    keyList.appendChild(dd);
  });
  function toggle(id, on) {
    var el = $(id);
    el.hidden = on === undefined ? !el.hidden : !on;
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.target && (ev.target.tagName === 'INPUT' || ev.target.tagName === 'TEXTAREA')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var k = ev.key;
    var handled = true;
    if (k === ' ' || k === 'Spacebar') clock.playing ? pause() : play();
    else if (k === 'ArrowLeft') ev.shiftKey ? seek(now() - 10000) : step(-1);
    else if (k === 'ArrowRight') ev.shiftKey ? seek(now() + 10000) : step(1);
    else if (k === 'Home') seek(spanFrom);
    else if (k === 'End') seek(spanTo - frameMs);
    else if (k === 'k' || k === 'K') pause();
    else if (k === 'l' || k === 'L') {
      if (!clock.playing) {
        setSpeed(1);
        play();
      } else setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(clock.speed) + 1)]);
    } else if (k === 'j' || k === 'J') setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(clock.speed) - 1)]);
    else if (k === '[') jumpMarker(-1);
    else if (k === ']') jumpMarker(1);
    else if (k === 'm' || k === 'M') toggleMute();
    else if (k === 'v' || k === 'V') toggle('#verify', true);
    else if (k === '?') toggle('#help');
    else if (k === 'Escape') {
      toggle('#verify', false);
      toggle('#help', false);
    } else handled = false;
    if (handled) ev.preventDefault();
  });
  $('#help-btn').addEventListener('click', function () {
    toggle('#help');
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-close]'), function (b) {
    b.addEventListener('click', function () {
      toggle('#' + b.dataset.close, false);
    });
  });

  // ------------------------------------------------------------------ verify
  $('#verify-btn').addEventListener('click', function () {
    toggle('#verify', true);
  });
  var picker = $('#pick');
  var out = $('#verify-result');
  var bar = $('#verify-progress');
  async function runVerify(list) {
    var picked = GatehouseVerify.collect(list);
    out.innerHTML = '';
    out.className = 'result busy';
    out.appendChild(h('p', 'verdict', 'Checking ' + picked.files.size + ' files…'));
    bar.hidden = false;
    bar.value = 0;
    var res;
    try {
      res = await GatehouseVerify.run(picked.files, function (done, total) {
        bar.value = total ? done / total : 0;
      });
    } catch (e) {
      res = { ok: false, signature: 'error', files: [], problems: ['the check failed: ' + e.message] };
    }
    bar.hidden = true;
    out.innerHTML = '';
    out.className = 'result ' + (res.ok ? 'valid' : 'invalid');
    var verdict = h('p', 'verdict', res.ok ? 'VALID: the signature and all ' + res.files.length + ' files check out.' : 'NOT VALID: ' + res.problems.length + ' problem' + (res.problems.length === 1 ? '' : 's') + ' found.');
    verdict.id = 'verdict';
    out.appendChild(verdict);
    var sig = h('p', 'sig');
    sig.textContent =
      'Signature: ' +
      (res.signature === 'valid' ? 'valid' : res.signature) +
      (res.fingerprint ? ' · key ' + res.fingerprint + (res.fingerprint === DATA.fingerprint ? ' (the key this export was made with)' : ' (NOT the key this player was made with)') : '');
    out.appendChild(sig);
    if (res.problems.length) {
      var ul = h('ul', 'problems');
      res.problems.forEach(function (p) {
        ul.appendChild(h('li', null, p));
      });
      out.appendChild(ul);
    }
    var table = h('table', 'files');
    res.files.forEach(function (f) {
      var tr = h('tr', f.status);
      tr.appendChild(h('td', 'st', f.status));
      tr.appendChild(h('td', 'path', f.path));
      tr.appendChild(h('td', 'detail', f.detail || ''));
      table.appendChild(tr);
    });
    out.appendChild(table);
    window.__exportPlayer.lastVerify = res;
  }
  picker.addEventListener('change', function () {
    if (picker.files && picker.files.length) runVerify(picker.files);
  });
  var drop = $('#drop');
  drop.addEventListener('dragover', function (ev) {
    ev.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', function () {
    drop.classList.remove('over');
  });
  drop.addEventListener('drop', function (ev) {
    ev.preventDefault();
    drop.classList.remove('over');
    GatehouseVerify.fromDrop(ev.dataTransfer.items).then(runVerify);
  });

  window.__exportPlayer = {
    data: DATA,
    state: function () {
      var w = now();
      return {
        wallMs: w,
        playing: clock.playing,
        speed: clock.speed,
        clips: cams.map(function (c) {
          var v = c.video;
          var ok = c.file && v.readyState >= 1;
          return {
            id: c.id,
            file: c.file ? c.file.path : null,
            currentTime: ok ? v.currentTime : null,
            wallMs: ok ? wallOf(c.file, v.currentTime) : null,
            paused: v.paused,
            readyState: v.readyState,
            error: c.error || null,
          };
        }),
      };
    },
    play: play,
    pause: pause,
    seek: seek,
    lastVerify: null,
  };
  setSpeed(1);
  tick();
})();
