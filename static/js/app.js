// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});

// Autosave: say "not saved yet" as soon as someone types; the server's answer replaces it.
document.addEventListener("input", function (event) {
  var form = event.target.closest && event.target.closest("form[data-autosave]");
  if (!form) { return; }
  var state = document.getElementById("save-state");
  if (state && state.dataset.unsaved) {
    state.textContent = state.dataset.unsaved;
    state.className = "save-state unsaved";
  }
});

// The coalition menu: one disclosure on a phone, the full row of links on wider screens.
// The markup ships it open, so without this file every link shows as before.
(function () {
  var narrow = window.matchMedia("(max-width: 40rem)");
  function fit() {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (menu) {
      menu.open = !narrow.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", fit);
  narrow.addEventListener("change", fit);
})();
