// kycd dashboard: progressive enhancement only — every page works without it.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  // The steps to redo matter only for a resubmission request.
  var form = document.getElementById('review-form');
  if (form) {
    var box = form.querySelector('.resubmit');
    var sync = function () {
      var d = form.querySelector('input[name=decision]:checked');
      box.hidden = !(d && d.value === 'request_resubmission');
    };
    form.addEventListener('change', sync);
    sync();
  }
  // Forms that need a confirmation (revoking a key).
  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); }
    });
  });
  // Copy buttons (the new key's secret).
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.addEventListener('click', function () {
      var el = document.getElementById(b.getAttribute('data-copy'));
      if (el && navigator.clipboard) { navigator.clipboard.writeText(el.textContent).then(function () { b.textContent = 'Copied'; }); }
    });
  });
  // Focus the first error so keyboard and screen-reader users hear it.
  var err = document.getElementById('page-error');
  if (err) { err.setAttribute('tabindex', '-1'); err.focus(); }
})();
