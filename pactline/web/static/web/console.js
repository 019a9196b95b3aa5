// A refused action (400: bad input) comes back as the work panel with the reason in it:
// let htmx swap it in like a success instead of dropping it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var panel = event.detail.target && event.detail.target.closest("#console-work");
  if (panel && status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
