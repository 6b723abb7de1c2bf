// kycd hosted flow: camera capture with client-side downscaling, following the status (server-sent
// events, polling as the fallback), the QR hand-off refresh and the kycd:complete message to an
// embedding page. No framework, no third-party code; everything else is rendered on the server.
(function () {
  'use strict';
  var body = document.body;
  var base = body.getAttribute('data-base') || '';
  var csrf = body.getAttribute('data-csrf') || '';
  var pollMs = parseInt(body.getAttribute('data-poll'), 10) || 2000;
  var msgs = {};
  try { msgs = JSON.parse(document.getElementById('kycd-msgs').textContent) || {}; } catch (e) { msgs = {}; }
  function m(k) { return msgs[k] || ''; }
  function $(id) { return document.getElementById(id); }

  // Embedding. The page that frames us says its origin in the fragment (#origin=…, never sent
  // to a server); we post only to an origin on the server's allow-list, and remember it for
  // this tab so later pages of the flow know it too.
  var allowed = (body.getAttribute('data-embed') || '').split(' ').filter(Boolean);
  var embedded = window.parent !== window;
  var parentOrigin = null;
  var hm = /(?:^#|&)origin=([^&]+)/.exec(location.hash);
  if (hm) {
    var o = decodeURIComponent(hm[1]);
    if (allowed.indexOf(o) >= 0) { try { sessionStorage.setItem('kycd.origin', o); } catch (e) { /* storage off: no message */ } }
    history.replaceState(null, '', location.pathname + location.search);
  }
  try { parentOrigin = sessionStorage.getItem('kycd.origin'); } catch (e) { parentOrigin = null; }
  if (parentOrigin && allowed.indexOf(parentOrigin) < 0) { parentOrigin = null; }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error('status ' + r.status); }
      return r.json();
    });
  }
  function api(op, payload) {
    return fetch(base + '/api/' + op, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Kycd-CSRF': csrf },
      body: JSON.stringify(payload || {})
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: m('error.generic') }; });
    }, function () { return { ok: false, message: m('error.unavailable') }; });
  }
  // follow calls f with each status until f returns true: from the server's event stream
  // (/events, sent as the status changes), else by polling /status — without EventSource, or
  // when the stream fails three times in a row without a message (a buffering proxy).
  function follow(f) {
    if (!window.EventSource) { poll(f); return; }
    var es = new EventSource(base + '/events'), failures = 0, done = false;
    es.addEventListener('status', function (e) {
      failures = 0;
      var s;
      try { s = JSON.parse(e.data); } catch (err) { return; }
      if (!done && f(s)) { done = true; es.close(); }
    });
    es.onerror = function () {
      failures++;
      if (done) { return; }
      if (es.readyState === EventSource.CLOSED || failures >= 3) { es.close(); done = true; poll(f); }
    };
  }
  // poll calls f with each status until f returns true or the link stops working.
  function poll(f) {
    var stopped = false;
    function once() {
      getJSON(base + '/status').then(function (s) {
        if (f(s)) { stopped = true; }
      }, function () { /* network blip: keep trying */ }).then(function () {
        if (!stopped) { setTimeout(once, pollMs); }
      });
    }
    setTimeout(once, pollMs);
  }

  // Result page: report to the embedding page, or take a top-level applicant back.
  var result = $('result');
  if (result) {
    var t = $('result-title');
    if (t) { t.focus(); }
    if (result.getAttribute('data-final') === 'true') {
      var status = result.getAttribute('data-status');
      var reference = result.getAttribute('data-reference');
      var redirect = result.getAttribute('data-redirect');
      if (embedded) {
        if (parentOrigin) { window.parent.postMessage({ type: 'kycd:complete', status: status, reference: reference }, parentOrigin); }
      } else if (redirect) {
        var note = $('redirecting');
        if (note) { note.hidden = false; }
        setTimeout(function () { location.assign(redirect); }, 2500);
      }
    } else {
      follow(function (s) { if (s.final) { location.reload(); return true; } return false; });
    }
  }

  // Intro page on a desktop: follow a phone that took over through the QR code, and keep the
  // code fresh (a hand-off token lives 10 minutes).
  if (body.getAttribute('data-step') === 'intro') {
    follow(function (s) {
      if (s.final || s.status === 'processing') { location.assign(base + '/result'); return true; }
      if (s.status === 'in_progress') { var f = $('following'); if (f) { f.hidden = false; } }
      return false;
    });
    var qr = $('qr');
    if (qr) {
      setInterval(function () {
        fetch(base + '/handoff', { method: 'POST', credentials: 'same-origin', headers: { 'X-Kycd-CSRF': csrf } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) { if (d && d.qr) { qr.src = d.qr; var u = $('handoff-url'); if (u) { u.value = d.url; } } }, function () {});
      }, 9 * 60 * 1000);
    }
  }

  var cap = $('capture');
  if (cap) { setupCapture(cap); }

  // The chip step: the integrator's app reads the chip; this page waits until the read is
  // attached to the verification, then moves on.
  var nfc = $('nfc');
  if (nfc) {
    (function waitForChip() {
      getJSON(nfc.getAttribute('data-status')).then(function (r) {
        if (r.ok && r.next) { $('message').textContent = m('nfc.done'); location.href = r.next; return; }
        setTimeout(waitForChip, pollMs);
      }, function () { setTimeout(waitForChip, pollMs * 2); });
    })();
  }

  function setupCapture(cap) {
    var kind = cap.getAttribute('data-capture');
    var next = cap.getAttribute('data-next');
    var sides = (cap.getAttribute('data-sides') || '').split(' ').filter(Boolean);
    var side = 0;
    var video = $('video'), finder = video.parentNode;
    var camBtn = $('camera'), takeBtn = $('take'), msg = $('message'), instr = $('instruction'), file = $('file'), title = $('cap-title');
    var stream = null;
    // Downscale before upload: documents need detail for the MRZ, faces much less; frames of
    // the liveness check are small so 30 of them stay light on a phone connection.
    var maxSide = kind === 'document' ? 1600 : 1024;

    function say(text, isError) { msg.textContent = text || ''; msg.className = isError ? 'message error' : 'message'; }
    function busy(b) { takeBtn.disabled = b; if (file) { file.disabled = b; } }
    function stop() { if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; } }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camBtn.hidden = true;
      say(m('capture.no_camera'));
    }
    camBtn.addEventListener('click', function () {
      navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: kind === 'document' ? 'environment' : 'user', width: { ideal: 1280 }, height: { ideal: 720 } }
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        finder.hidden = false;
        camBtn.hidden = true;
        takeBtn.hidden = false;
        takeBtn.focus();
      }, function () {
        camBtn.hidden = true;
        say(m('capture.no_camera'), true);
        if (file) { file.focus(); }
      });
    });
    takeBtn.addEventListener('click', function () {
      if (kind === 'liveness') { runLiveness(); } else { send(grab(maxSide)); }
    });
    if (file) {
      file.addEventListener('change', function () {
        var f = file.files && file.files[0];
        if (!f) { return; }
        loadFile(f, maxSide).then(send, function () { say(m('capture.reason.generic'), true); });
        file.value = '';
      });
    }

    function scaled(w, h, limit) { var s = Math.min(1, limit / Math.max(w, h)); return [Math.round(w * s), Math.round(h * s)]; }
    function grab(limit) {
      var d = scaled(video.videoWidth || 640, video.videoHeight || 480, limit);
      var c = document.createElement('canvas');
      c.width = d[0]; c.height = d[1];
      c.getContext('2d').drawImage(video, 0, 0, d[0], d[1]);
      return c.toDataURL('image/jpeg', 0.88);
    }
    function loadFile(f, limit) {
      return new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(f), img = new Image();
        img.onload = function () {
          var d = scaled(img.naturalWidth, img.naturalHeight, limit), c = document.createElement('canvas');
          c.width = d[0]; c.height = d[1];
          c.getContext('2d').drawImage(img, 0, 0, d[0], d[1]);
          URL.revokeObjectURL(url);
          resolve(c.toDataURL('image/jpeg', 0.88));
        };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error('unreadable image')); };
        img.src = url;
      });
    }
    function handle(r) {
      busy(false);
      if (r.ok) {
        if (kind === 'document' && side + 1 < sides.length) {
          side++;
          title.textContent = m('capture.document.' + sides[side]);
          title.focus();
          say('');
          return;
        }
        say(m('capture.accepted'));
        stop();
        location.assign(r.next || next);
        return;
      }
      if (r.next) { stop(); location.assign(r.next); return; }
      say(r.message || m('capture.reason.generic'), true);
      if (kind !== 'liveness') { takeBtn.textContent = m('capture.retry'); }
    }
    function send(image) {
      busy(true);
      say(m('capture.checking'));
      var payload = { image: image };
      if (kind === 'document') { payload.side = sides[side] || 'front'; }
      api(kind, payload).then(handle);
    }
    function runLiveness() {
      busy(true);
      say('');
      api('liveness-challenge', {}).then(function (r) {
        if (!r.ok || !r.challenge) { handle(r); return; }
        // A steady 5 frames a second, each with its capture time: the server checks the
        // timing (a blink lasts a moment), and frames without times are held to a stricter policy.
        var ch = r.challenge, frames = [], times = [], i = 0, k = 0;
        var per = Math.max(6, Math.ceil(ch.min_frames / ch.instructions.length));
        per = Math.min(per, Math.floor(ch.max_frames / ch.instructions.length));
        say(m('capture.liveness.recording'));
        var timer;
        function tick() {
          if (k === 0) { instr.textContent = ch.instructions[i]; }
          times.push(Math.round(performance.now()));
          frames.push(grab(480));
          k++;
          if (k >= per) { k = 0; i++; }
          if (i < ch.instructions.length && frames.length < ch.max_frames) { return; }
          clearInterval(timer);
          instr.textContent = '';
          say(m('capture.checking'));
          api('liveness', { nonce: ch.nonce, frames: frames, timestamps_ms: times }).then(handle);
        }
        setTimeout(function () { timer = setInterval(tick, 200); }, 600);
      });
    }
  }
}());
