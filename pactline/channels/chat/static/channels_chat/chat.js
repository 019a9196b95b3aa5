// A refused message (400, 409) comes back as the conversation panel with the reason in it:
// let htmx swap it in like a success instead of dropping it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var panel = event.detail.target && event.detail.target.closest("#chat-panel");
  if (panel && (status === 400 || status === 409)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
