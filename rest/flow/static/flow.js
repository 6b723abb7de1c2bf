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
  // Tell the Web SDK the page loaded (its watchdog reports a blocked frame otherwise), and hand
  // it Escape, which a modal must honour wherever the focus is.
  if (embedded && parentOrigin) {
    window.parent.postMessage({ type: 'kycd:ready' }, parentOrigin);
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { window.parent.postMessage({ type: 'kycd:escape' }, parentOrigin); }
    });
  }

  // Expiry: the intro's time in the applicant's own time zone and language, a countdown in
  // the last two minutes, and the result page ("expired") when it passes, on the server's clock.
  var expAt = parseInt(body.getAttribute('data-expires'), 10);
  if (expAt > 0) {
    var skew = (parseInt(body.getAttribute('data-now'), 10) || Date.now()) - Date.now();
    var expLine = $('expires');
    if (expLine && window.Intl && Intl.DateTimeFormat) {
      try {
        var when = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(expAt));
        expLine.textContent = m('intro.expires').replace('{time}', when);
      } catch (e) { /* keep the server's UTC text */ }
    }
    var warn = $('expiry-warning'), announced = false;
    var session = body.getAttribute('data-session') === '1'; // a started session: its time left is always shown
    (function tick() {
      var left = expAt - (Date.now() + skew);
      if (left <= 0) { location.assign(base + '/result'); return; }
      if (session && left > 120000 && warn) {
        var s = Math.ceil(left / 1000);
        warn.hidden = false;
        warn.textContent = m('session.left').replace('{time}', Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2));
        setTimeout(tick, 1000);
        return;
      }
      if (left <= 120000 && warn) {
        var secs = Math.ceil(left / 1000);
        warn.hidden = false;
        warn.textContent = m('expiry.soon').replace('{time}', Math.floor(secs / 60) + ':' + ('0' + (secs % 60)).slice(-2));
        if (!announced) { announced = true; var a = $('expiry-announce'); if (a) { a.textContent = m('expiry.announce'); } }
      }
      setTimeout(tick, left <= 121000 ? 1000 : Math.min(left - 120000, 60000));
    })();
  }

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
    // An additional document is read like a page; the picture holding a document needs the
    // held document's photo (and MRZ) legible too.
    var extraDoc = kind.indexOf('additional_document_') === 0;
    var maxSide = (kind === 'document' || kind === 'selfie_with_document' || extraDoc) ? 1600 : 1024;
    // A document step offering several types: the applicant's choice says which sides to take.
    var choice = document.querySelectorAll('#doc-types input[name="document_type"]');
    function chosenType() {
      for (var i = 0; i < choice.length; i++) { if (choice[i].checked) { return choice[i].value; } }
      return '';
    }
    Array.prototype.forEach.call(choice, function (c) {
      c.addEventListener('change', function () {
        sides = chosenType() === 'passport' ? ['front'] : ['front', 'back'];
        side = 0;
        title.textContent = m(sides.length === 1 ? 'capture.document.passport' : 'capture.document.front');
      });
    });

    function say(text, isError) { msg.textContent = text || ''; msg.className = isError ? 'message error' : 'message'; }
    function busy(b) { takeBtn.disabled = b; if (file) { file.disabled = b; } }
    function stop() { if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; } }

    // Without a camera the page never leaves the applicant stuck: it says why (blocked,
    // insecure page, unsupported browser), offers to try again (three times) and to continue on
    // a phone through a hand-off link, and keeps the upload where a photo will do.
    var help = $('camera-help'), retries = 0;
    function cameraFailed(why) {
      camBtn.hidden = true;
      finder.hidden = true;
      ['denied', 'insecure', 'unsupported'].forEach(function (k) { var el = $('camera-' + k); if (el) { el.hidden = k !== why; } });
      if (help) {
        help.hidden = false;
        var retry = $('camera-retry');
        if (retry) { retry.hidden = why !== 'denied' || retries >= 3; }
        var focusTo = (retry && !retry.hidden) ? retry : $('camera-phone');
        if (focusTo) { focusTo.focus(); }
      } else {
        say(m('capture.no_camera'), true);
      }
    }
    function startCamera() {
      if (!window.isSecureContext) { cameraFailed('insecure'); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { cameraFailed('unsupported'); return; }
      navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: (kind === 'document' || extraDoc) ? 'environment' : 'user', width: { ideal: 1280 }, height: { ideal: 720 } }
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        if (help) { help.hidden = true; }
        finder.hidden = false;
        camBtn.hidden = true;
        takeBtn.hidden = false;
        takeBtn.focus();
        if (kind !== 'liveness') { guide(); }
      }, function (e) {
        cameraFailed(e && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError') ? 'unsupported' : 'denied');
      });
    }
    // Test mode: sample documents, read by the real engine like an upload.
    Array.prototype.forEach.call(document.querySelectorAll('.sample-btn'), function (b) {
      b.addEventListener('click', function () {
        busy(true);
        say(m('capture.checking'));
        api(b.getAttribute('data-op'), {}).then(handle);
      });
    });
    if (!window.isSecureContext) { cameraFailed('insecure'); }
    else if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { cameraFailed('unsupported'); }
    camBtn.addEventListener('click', startCamera);
    if ($('camera-retry')) { $('camera-retry').addEventListener('click', function () { retries++; startCamera(); }); }
    if ($('camera-phone')) {
      $('camera-phone').addEventListener('click', function () {
        fetch(base + '/handoff', { method: 'POST', credentials: 'same-origin', headers: { 'X-Kycd-CSRF': csrf } })
          .then(function (r) { return r.json(); })
          .then(function (d) {
            if (!d || !d.qr) { say(m('error.generic'), true); return; }
            $('camera-qr').src = d.qr;
            $('camera-handoff-url').value = d.url;
            $('camera-handoff').hidden = false;
            // The phone takes over: this page follows the verification to its result.
            follow(function (st) { if (st.final) { location.assign(base + '/result'); return true; } return false; });
          }, function () { say(m('error.generic'), true); });
      });
    }
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

    // Live guidance before the shutter, on a small copy of each video frame four times a
    // second: sharpness as the variance of the Laplacian, glare as the share of saturated
    // pixels, steadiness as the mean change from the previous frame. A document is taken by
    // itself once a second of frames is sharp, glare-free and steady; the button stays.
    var prevGray = null, goodRun = 0, sending = false;
    function frameStats() {
      var w = 160, h = Math.round(160 * (video.videoHeight || 480) / (video.videoWidth || 640));
      var c = frameStats.c || (frameStats.c = document.createElement('canvas'));
      c.width = w; c.height = h;
      var g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(video, 0, 0, w, h);
      var px = g.getImageData(0, 0, w, h).data, gray = new Float32Array(w * h), sat = 0, i;
      for (i = 0; i < w * h; i++) {
        var r = px[4 * i], gg = px[4 * i + 1], b = px[4 * i + 2];
        gray[i] = 0.299 * r + 0.587 * gg + 0.114 * b;
        if (r > 250 && gg > 250 && b > 250) { sat++; }
      }
      var sum = 0, sum2 = 0, n = 0, diff = 0;
      for (var y = 1; y < h - 1; y++) {
        for (var x = 1; x < w - 1; x++) {
          var k = y * w + x, lap = gray[k - 1] + gray[k + 1] + gray[k - w] + gray[k + w] - 4 * gray[k];
          sum += lap; sum2 += lap * lap; n++;
        }
      }
      if (prevGray && prevGray.length === gray.length) {
        for (i = 0; i < gray.length; i++) { diff += Math.abs(gray[i] - prevGray[i]); }
        diff /= gray.length;
      } else { diff = 255; }
      prevGray = gray;
      return { sharp: n ? sum2 / n - (sum / n) * (sum / n) : 0, glare: sat / (w * h), motion: diff };
    }
    function guide() {
      if (!stream || sending) { if (stream) { setTimeout(guide, 250); } return; }
      if (video.readyState >= 2) {
        var st = frameStats(), frame = finder.querySelector('.frame');
        var hint = st.glare > 0.02 ? 'glare' : (st.sharp < 60 ? 'blurry' : (st.motion > 6 ? 'blurry' : 'hold'));
        // Visual only (aria-hidden): it changes four times a second, too often to announce.
        if ($('hint')) { $('hint').textContent = m('capture.hint.' + hint); }
        goodRun = hint === 'hold' ? goodRun + 1 : 0;
        if (frame) { frame.classList.toggle('ready', hint === 'hold'); }
        if (kind === 'document' && goodRun >= 4 && !takeBtn.disabled) {
          goodRun = 0;
          if ($('hint')) { $('hint').textContent = ''; }
          send(grab(maxSide));
        }
      }
      setTimeout(guide, 250);
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
      sending = false;
      busy(false);
      if (r.ok) {
        // The server says which side it needs next (none for a passport, whatever the page
        // expected); only while it has not read the upload yet does the page's list decide.
        if (kind === 'document' && r.next_side) {
          var at = sides.indexOf(r.next_side);
          if (at < 0) { sides.push(r.next_side); at = sides.length - 1; }
          side = at;
          title.textContent = m('capture.document.' + sides[side]);
          title.focus();
          say('');
          return;
        }
        if (kind === 'document' && r.pending && side + 1 < sides.length) {
          side++;
          title.textContent = m('capture.document.' + sides[side]);
          title.focus();
          say('');
          return;
        }
        if (extraDoc && r.pages) {
          // Kept: another page (a card's back) may follow, or the applicant continues.
          say(m('capture.additional.added').replace('{n}', r.pages));
          takeBtn.textContent = m('capture.additional.more');
          var cont = $('continue');
          if (cont) { cont.hidden = false; cont.focus(); }
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
      sending = true;
      busy(true);
      say(m('capture.checking'));
      var payload = { image: image };
      if (kind === 'document') {
        payload.side = sides[side] || 'front';
        if (chosenType()) { payload.document_type = chosenType(); }
      }
      api(kind, payload).then(handle);
    }
    function runLiveness() {
      busy(true);
      say('');
      api('liveness-challenge', {}).then(function (r) {
        if (!r.ok || !r.challenge) { handle(r); return; }
        // A steady 8 frames a second, each with its capture time: the server checks the timing
        // (a blink lasts a moment), and frames without times are held to a stricter policy. At 5
        // a second a quick blink fell between frames too often (docs/benchmarks/face.md, "Real
        // recordings"). The steps are judged in order, not against the time each instruction
        // was on screen, so the instructions come 8 frames (1 s) apart and the last stays up for
        // 6 more: someone who reads and moves slowly still finishes the last step on camera.
        var ch = r.challenge, frames = [], times = [], n = ch.instructions.length, tail = 6;
        var per = Math.max(6, Math.floor((ch.max_frames - tail) / n));
        per = Math.min(per, Math.floor(ch.max_frames / n));
        var total = Math.min(ch.max_frames, Math.max(ch.min_frames, per * n + tail));
        say(m('capture.liveness.recording'));
        var timer;
        function tick() {
          if (frames.length % per === 0 && frames.length / per < n) {
            instr.textContent = ch.instructions[frames.length / per];
          }
          times.push(Math.round(performance.now()));
          frames.push(grab(480));
          if (frames.length < total) { return; }
          clearInterval(timer);
          instr.textContent = '';
          say(m('capture.checking'));
          api('liveness', { nonce: ch.nonce, frames: frames, timestamps_ms: times }).then(handle);
        }
        setTimeout(function () { timer = setInterval(tick, 125); }, 600);
      });
    }
  }
}());
