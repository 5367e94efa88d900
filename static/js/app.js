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
