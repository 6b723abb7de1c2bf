// The questionnaire step's progressive part: a follow-up question (data-show-if) is shown and
// enabled as soon as the answer it depends on matches, and hidden and disabled (so it is not
// sent) when it no longer does. Without scripts the server does the same on each submission.
(function () {
  "use strict";
  var form = document.querySelector("#questionnaire form");
  if (!form) return;
  var wraps = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  if (!wraps.length) return;

  // value is the current answer to a question as the server compares it.
  function value(id) {
    var wrap = document.getElementById("wrap-" + id);
    if (!wrap || wrap.hidden) return undefined;
    var els = form.elements[id];
    if (!els) return undefined;
    if (els.length !== undefined && els.tagName !== "SELECT") {
      var list = [];
      for (var i = 0; i < els.length; i++) if (els[i].checked) list.push(els[i].value);
      if (els[0] && els[0].type === "checkbox") return list;
      return list.length ? convert(wrap, list[0]) : undefined;
    }
    if (els.type === "checkbox") return els.checked ? [els.value] : [];
    if (els.type === "radio") return els.checked ? convert(wrap, els.value) : undefined;
    return els.value === "" ? undefined : convert(wrap, els.value);
  }
  function convert(wrap, v) {
    if (wrap.classList.contains("q-yes_no")) return v === "yes";
    if (wrap.classList.contains("q-number")) { var n = parseFloat(v); return isNaN(n) ? v : n; }
    return v;
  }
  function holds(cond) {
    var a = value(cond.question);
    if (a === undefined) return false;
    if (cond.equals !== undefined) return a === cond.equals;
    if (Array.isArray(a)) return a.indexOf(cond.includes) >= 0;
    return a === cond.includes;
  }
  function update() {
    // In order: a follow-up of a follow-up sees its parent's new state.
    wraps.forEach(function (w) {
      var show = holds(JSON.parse(w.getAttribute("data-show-if")));
      w.hidden = !show;
      Array.prototype.forEach.call(w.querySelectorAll("input, select, textarea"), function (el) { el.disabled = !show; });
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
  // After a refused submission, the list of answers to check is read first.
  var errors = document.getElementById("questionnaire-errors");
  if (errors) {
    errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
})();
