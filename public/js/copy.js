// A copy button for a value shown once (an API key, a webhook secret): progressive enhancement.
// Without JavaScript, or without the Clipboard API, the button stays hidden and the value can be
// selected by hand; it is shown whole, wrapped, at any width. Served from /assets (the CSP allows
// scripts of the register itself only, none inline).
(function () {
  'use strict';
  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') return;
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    var status = button.parentElement && button.parentElement.querySelector('[data-copy-status]');
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) status.textContent = button.getAttribute('data-copied-text') || '';
        },
        function () {
          // Refused (no permission): select the value so that the keyboard can copy it.
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        },
      );
    });
  });
})();
