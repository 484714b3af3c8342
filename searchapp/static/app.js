/* newsearch: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  /* ---------- search page ---------- */
  function initSearch(form) {
    // Leave empty fields out of the URL, so shared links stay short.
    // One submission at a time: leaving a date field and clicking 应用筛选 both submit, and
    // the second would abort the first.
    var sent = false;
    form.addEventListener("submit", function (e) {
      if (sent) { e.preventDefault(); return; }
      sent = true;
      setTimeout(function () { sent = false; }, 3000);     // a stopped load must not lock the form
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && !el.value && el.type !== "checkbox") el.disabled = true;
      });
    });
    // Coming back through the history must not find those fields still disabled.
    window.addEventListener("pageshow", function () {
      sent = false;
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
    });
    function submit() {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
    // Ticking a facet value or changing the sort applies at once.
    form.querySelectorAll(".sidebar input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", submit);
    });
    var sort = form.querySelector("select[name=sort]");
    if (sort) sort.addEventListener("change", submit);
    var size = form.querySelector("select[name=size]");
    if (size) size.addEventListener("change", submit);
    // The date range applies when a field is changed and left (the button stays for Enter-less use).
    form.querySelectorAll(".date-range input").forEach(function (input) {
      input.addEventListener("change", submit);
    });
    // Phone width: the filter button opens the sidebar as a drawer above the hits.
    var toggle = form.querySelector(".filter-toggle");
    var columns = form.querySelector(".columns");
    if (toggle && columns) {
      toggle.addEventListener("click", function (e) {
        e.preventDefault();
        var open = columns.classList.toggle("filters-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // A filter box for long facet lists ("show more" open).
    form.querySelectorAll(".facet").forEach(function (facet) {
      var more = facet.querySelector(".facet-more");
      var items = facet.querySelectorAll(".facet-value");
      if (!more || items.length < 15) return;
      var input = document.createElement("input");
      input.type = "search";
      input.className = "facet-filter";
      input.placeholder = "在" + facet.querySelector(".facet-title").textContent + "中查找…";
      input.setAttribute("aria-label", input.placeholder);
      more.insertBefore(input, more.querySelector("ul"));
      input.addEventListener("input", function () {
        var needle = input.value.trim();
        items.forEach(function (li) {
          li.hidden = needle && li.textContent.indexOf(needle) < 0;
        });
        if (needle) more.open = true;
      });
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    });
  }

  /* ---------- article page: previous / next match ---------- */
  function initMatches(nav) {
    var marks = Array.prototype.slice.call(document.querySelectorAll(".article-body mark"));
    if (!marks.length) return;
    var pos = nav.querySelector(".match-pos");
    var current = -1;
    var m = /^#m(\d+)$/.exec(location.hash);
    if (m) {
      var target = document.getElementById("m" + m[1]);
      current = marks.indexOf(target);
    }
    function show(i) {
      if (current >= 0 && marks[current]) marks[current].classList.remove("current");
      current = (i + marks.length) % marks.length;
      var mark = marks[current];
      mark.classList.add("current");
      mark.scrollIntoView({ block: "center" });
      if (pos) pos.textContent = "（第 " + (current + 1) + " / " + marks.length + " 处）";
      if (mark.id && history.replaceState) history.replaceState(null, "", "#" + mark.id);
    }
    function step(delta) { show(current < 0 ? (delta > 0 ? 0 : marks.length - 1) : current + delta); }
    var next = document.getElementById("match-next");
    var prev = document.getElementById("match-prev");
    if (next) next.addEventListener("click", function (e) { e.preventDefault(); step(1); });
    if (prev) prev.addEventListener("click", function (e) { e.preventDefault(); step(-1); });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "n" || e.key === "j") { e.preventDefault(); step(1); }
      if (e.key === "p" || e.key === "k") { e.preventDefault(); step(-1); }
    });
    if (current >= 0) show(current);
  }

  /* ---------- everywhere: "/" focuses the search box ---------- */
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || typing(e)) return;
    var q = document.querySelector("input[name=q]");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });

  function init() {
    var form = document.getElementById("search-form");
    if (form) initSearch(form);
    var kwicForm = document.getElementById("kwic-form");
    if (kwicForm) {
      var order = kwicForm.querySelector("select[name=order]");
      if (order) order.addEventListener("change", function () {
        if (kwicForm.requestSubmit) kwicForm.requestSubmit(); else kwicForm.submit();
      });
    }
    var nav = document.getElementById("match-nav");
    if (nav) initMatches(nav);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
