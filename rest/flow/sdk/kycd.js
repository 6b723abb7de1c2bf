/*! kycd Web SDK. Opens a verification's hosted_url in a modal iframe over your page.
 *
 *   var h = Kycd.open({
 *     url: hostedURL,                       // from create_verification (keep it secret)
 *     onComplete: function (r) { … },       // r = {status, reference}; nothing else crosses
 *     onClose: function () { … },           // the applicant closed the modal
 *     onError: function (err) { … },        // err.code: embed_blocked, invalid_url, flow_error
 *     title: 'Identity verification',      // the dialog's accessible name (default: in the
 *     closeLabel: 'Close',                  //   page's language: en, de, pt, pt-BR)
 *     timeout: 15000                        // ms to wait for the flow to answer (embed_blocked)
 *   });
 *   h.close();
 *
 * Your page's origin must be on the server's embedding allow-list (frame-ancestors): a page
 * that is not gets onError with code embed_blocked when the flow does not say it loaded within
 * timeout (the browser shows its own error inside the frame and tells the page nothing else).
 * Escape closes the modal wherever the focus is (the flow forwards it from inside the frame),
 * and Tab stays inside the dialog. Messages are accepted only from the flow's origin and its
 * iframe; the result itself stays on the server: read it with get_verification or a webhook.
 */
(function (root) {
  'use strict';
  var current = null;

  function call(f, arg) {
    if (typeof f === 'function') {
      try { f(arg); } catch (e) { setTimeout(function () { throw e; }); }
    }
  }
  function originOf(u) {
    try { return new URL(u, root.location.href).origin; } catch (e) { return null; }
  }
  // Default texts by the page's language.
  var texts = {
    en: { title: 'Identity verification', close: 'Close' },
    de: { title: 'Identitätsprüfung', close: 'Schließen' },
    pt: { title: 'Verificação de identidade', close: 'Fechar' }
  };
  function defaults(doc) {
    var lang = String((doc.documentElement && doc.documentElement.lang) || (root.navigator && root.navigator.language) || 'en').toLowerCase();
    return texts[lang.split('-')[0]] || texts.en;
  }
  function fail(opts, code, message) {
    var err = new Error(message);
    err.code = code;
    call(opts.onError, err);
    return err;
  }
  function style(el, css) {
    for (var k in css) { if (Object.prototype.hasOwnProperty.call(css, k)) { el.style[k] = css[k]; } }
  }

  function open(opts) {
    opts = opts || {};
    var url = String(opts.url || '');
    var flowOrigin = originOf(url);
    if (!flowOrigin || !/^https?:\/\//.test(flowOrigin) || url.indexOf('/verify/') < 0) {
      throw fail(opts, 'invalid_url', 'Kycd.open: url must be a verification hosted_url');
    }
    if (current) { current.close(); }
    var doc = root.document;
    var txt = defaults(doc);
    var title = opts.title || txt.title;
    var lastFocus = doc.activeElement;
    var prevOverflow = doc.body.style.overflow;

    var overlay = doc.createElement('div');
    style(overlay, { position: 'fixed', inset: '0', background: 'rgba(0,0,0,.55)', zIndex: '2147483646',
      display: 'flex', alignItems: 'center', justifyContent: 'center' });
    var dialog = doc.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-label', title);
    style(dialog, { position: 'relative', width: '100%', maxWidth: '760px', height: '100%', maxHeight: '900px',
      background: '#fff', borderRadius: '8px', overflow: 'hidden', boxShadow: '0 8px 30px rgba(0,0,0,.3)' });
    var iframe = doc.createElement('iframe');
    iframe.src = url.split('#')[0] + '#origin=' + encodeURIComponent(root.location.origin);
    iframe.setAttribute('allow', 'camera');
    iframe.setAttribute('title', title);
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    style(iframe, { border: '0', width: '100%', height: '100%', display: 'block' });
    var closeBtn = doc.createElement('button');
    closeBtn.type = 'button';
    closeBtn.setAttribute('aria-label', opts.closeLabel || txt.close);
    closeBtn.textContent = '\u00d7';
    style(closeBtn, { position: 'absolute', top: '6px', right: '8px', width: '40px', height: '40px', fontSize: '26px',
      lineHeight: '1', border: '0', borderRadius: '20px', background: 'rgba(255,255,255,.9)', cursor: 'pointer', zIndex: '1' });

    function onMessage(e) {
      // Only the flow's own iframe, from the flow's origin, is listened to.
      if (e.origin !== flowOrigin || e.source !== iframe.contentWindow) { return; }
      var d = e.data;
      if (!d || typeof d !== 'object') { return; }
      if (d.type === 'kycd:ready') {
        clearTimeout(watchdog);
      } else if (d.type === 'kycd:complete') {
        teardown();
        call(opts.onComplete, { status: String(d.status), reference: String(d.reference) });
      } else if (d.type === 'kycd:escape') {
        closeByUser();
      } else if (d.type === 'kycd:error') {
        fail(opts, 'flow_error', String(d.message || 'verification error'));
      }
    }
    function onKey(e) { if (e.key === 'Escape') { closeByUser(); } }
    // Tab must not leave an aria-modal dialog: focus that lands outside it goes back in.
    function onFocus(e) {
      if (overlay.parentNode && !dialog.contains(e.target)) { closeBtn.focus(); }
    }
    // The flow says kycd:ready on every page it shows. Without it, the frame shows the
    // browser's error page: the origin is not allowed to embed the flow, or the network failed.
    var watchdog = setTimeout(function () {
      if (!overlay.parentNode) { return; }
      fail(opts, 'embed_blocked', 'the verification page did not load in the frame: this page\'s origin (' + root.location.origin +
        ') may not be allowed to embed it (the server\'s --embed-origins or the key\'s embed origins), or the network failed');
    }, opts.timeout > 0 ? opts.timeout : 15000);
    function teardown() {
      if (!overlay.parentNode) { return; }
      clearTimeout(watchdog);
      root.removeEventListener('message', onMessage);
      doc.removeEventListener('keydown', onKey);
      doc.removeEventListener('focusin', onFocus, true);
      overlay.parentNode.removeChild(overlay);
      doc.body.style.overflow = prevOverflow;
      if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
      current = null;
    }
    function closeByUser() {
      if (!overlay.parentNode) { return; }
      teardown();
      call(opts.onClose);
    }
    closeBtn.addEventListener('click', closeByUser);
    root.addEventListener('message', onMessage);
    doc.addEventListener('keydown', onKey);
    doc.addEventListener('focusin', onFocus, true);

    dialog.appendChild(closeBtn);
    dialog.appendChild(iframe);
    overlay.appendChild(dialog);
    doc.body.appendChild(overlay);
    doc.body.style.overflow = 'hidden';
    iframe.focus();
    current = { close: closeByUser, iframe: iframe };
    return current;
  }

  root.Kycd = { open: open, version: '1' };
}(window));
