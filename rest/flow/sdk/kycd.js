/*! kycd Web SDK. Opens a verification's hosted_url in a modal iframe over your page.
 *
 *   var h = Kycd.open({
 *     url: hostedURL,                       // from create_verification (keep it secret)
 *     onComplete: function (r) { … },       // r = {status, reference}; nothing else crosses
 *     onClose: function () { … },           // the applicant closed the modal
 *     onError: function (err) { … }
 *   });
 *   h.close();
 *
 * Your page's origin must be on the server's embedding allow-list (frame-ancestors). Messages
 * are accepted only from the flow's origin and its iframe; the result itself stays on the
 * server: read it with get_verification or a webhook.
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
  function style(el, css) {
    for (var k in css) { if (Object.prototype.hasOwnProperty.call(css, k)) { el.style[k] = css[k]; } }
  }

  function open(opts) {
    opts = opts || {};
    var url = String(opts.url || '');
    var flowOrigin = originOf(url);
    if (!flowOrigin || !/^https?:\/\//.test(flowOrigin) || url.indexOf('/verify/') < 0) {
      var err = new Error('Kycd.open: url must be a verification hosted_url');
      call(opts.onError, err);
      throw err;
    }
    if (current) { current.close(); }
    var doc = root.document;
    var lastFocus = doc.activeElement;
    var prevOverflow = doc.body.style.overflow;

    var overlay = doc.createElement('div');
    style(overlay, { position: 'fixed', inset: '0', background: 'rgba(0,0,0,.55)', zIndex: '2147483646',
      display: 'flex', alignItems: 'center', justifyContent: 'center' });
    var dialog = doc.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-label', opts.title || 'Identity verification');
    style(dialog, { position: 'relative', width: '100%', maxWidth: '760px', height: '100%', maxHeight: '900px',
      background: '#fff', borderRadius: '8px', overflow: 'hidden', boxShadow: '0 8px 30px rgba(0,0,0,.3)' });
    var iframe = doc.createElement('iframe');
    iframe.src = url.split('#')[0] + '#origin=' + encodeURIComponent(root.location.origin);
    iframe.setAttribute('allow', 'camera');
    iframe.setAttribute('title', opts.title || 'Identity verification');
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    style(iframe, { border: '0', width: '100%', height: '100%', display: 'block' });
    var closeBtn = doc.createElement('button');
    closeBtn.type = 'button';
    closeBtn.setAttribute('aria-label', opts.closeLabel || 'Close');
    closeBtn.textContent = '\u00d7';
    style(closeBtn, { position: 'absolute', top: '6px', right: '8px', width: '40px', height: '40px', fontSize: '26px',
      lineHeight: '1', border: '0', borderRadius: '20px', background: 'rgba(255,255,255,.9)', cursor: 'pointer', zIndex: '1' });

    function onMessage(e) {
      // Only the flow's own iframe, from the flow's origin, is listened to.
      if (e.origin !== flowOrigin || e.source !== iframe.contentWindow) { return; }
      var d = e.data;
      if (!d || typeof d !== 'object') { return; }
      if (d.type === 'kycd:complete') {
        teardown();
        call(opts.onComplete, { status: String(d.status), reference: String(d.reference) });
      } else if (d.type === 'kycd:error') {
        call(opts.onError, new Error(String(d.message || 'verification error')));
      }
    }
    function onKey(e) { if (e.key === 'Escape') { closeByUser(); } }
    function teardown() {
      if (!overlay.parentNode) { return; }
      root.removeEventListener('message', onMessage);
      doc.removeEventListener('keydown', onKey);
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
