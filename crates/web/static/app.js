// Pickers: inputs with data-picker search the embedded code tables as you type.
(function () {
  var timers = {};
  document.querySelectorAll('input[data-picker]').forEach(function (input) {
    var kind = input.getAttribute('data-picker');
    var list = document.getElementById(input.getAttribute('list'));
    if (!list) return;
    input.addEventListener('input', function () {
      clearTimeout(timers[kind]);
      var q = input.value.trim();
      if (!q) return;
      timers[kind] = setTimeout(function () {
        fetch('/picker/' + kind + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.textContent = '';
            items.forEach(function (it) {
              var o = document.createElement('option');
              o.value = it.code;
              o.label = it.code + ' ' + it.name;
              o.textContent = it.name;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();

// Print buttons (招商指南): inline handlers are barred by the content security policy.
document.querySelectorAll('[data-print]').forEach(function (b) {
  b.addEventListener('click', function () { window.print(); });
});

// Forms with data-busy: once sent, the button says what is under way and cannot send twice.
// A page shown again from the browser's history gets its buttons back.
document.querySelectorAll('form[data-busy]').forEach(function (form) {
  var buttons = form.querySelectorAll('button[type="submit"]');
  var labels = Array.prototype.map.call(buttons, function (b) { return b.textContent; });
  form.addEventListener('submit', function () {
    buttons.forEach(function (b) {
      b.disabled = true;
      b.textContent = form.getAttribute('data-busy');
    });
  });
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return;
    buttons.forEach(function (b, i) {
      b.disabled = false;
      b.textContent = labels[i];
    });
  });
});
