// Boots the self-hosted GraphiQL page. Loaded as a same-origin file so the
// page works under `script-src 'self'` (no inline scripts).
//
// Expects the UMD globals React, ReactDOM (18.x) and GraphiQL (3.x) to be
// defined by the <script defer> tags that precede this one in index.html.
(function () {
  'use strict';

  var container = document.getElementById('graphiql');
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    container.textContent = 'GraphiQL failed to load (missing React, ReactDOM or GraphiQL).';
    return;
  }

  // Optional: if the server templates a per-response CSP nonce into
  // <meta name="graphiql-style-nonce" content="...">, hand it to the bundled
  // react-remove-scroll (Radix dialogs), which reads the global
  // __webpack_nonce__ when it injects its one <style> element. Without it that
  // <style> is blocked by `style-src 'self'`, which is harmless here
  // (page.css already stops the body from scrolling).
  var nonceMeta = document.querySelector('meta[name="graphiql-style-nonce"]');
  if (nonceMeta && nonceMeta.content) {
    window.__webpack_nonce__ = nonceMeta.content;
  }

  // GraphiQL 3.x keeps `headers` out of the persisted tab state when
  // shouldPersistHeaders is false, but its query history ("graphiql:queries",
  // "graphiql:favorites") still saves the headers text of every executed
  // query, and so bearer tokens. This storage wraps localStorage and strips
  // every `headers` value before anything is written.
  var PREFIX = 'graphiql:';

  function scrub(value) {
    if (Array.isArray(value)) {
      value.forEach(scrub);
    } else if (value && typeof value === 'object') {
      Object.keys(value).forEach(function (key) {
        if (key === 'headers') {
          value[key] = null;
        } else {
          scrub(value[key]);
        }
      });
    }
    return value;
  }

  function scrubbed(key, text) {
    if (key === PREFIX + 'headers') return null; // never store the headers editor
    try {
      return JSON.stringify(scrub(JSON.parse(text)));
    } catch (e) {
      return text; // not JSON: no headers in it
    }
  }

  function ownKeys() {
    var keys = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  var storage = null; // null: GraphiQL keeps nothing (e.g. storage disabled)
  try {
    var ls = window.localStorage;
    storage = {
      getItem: function (key) { return ls.getItem(key); },
      setItem: function (key, value) {
        var clean = scrubbed(key, value);
        if (clean === null) ls.removeItem(key);
        else ls.setItem(key, clean);
      },
      removeItem: function (key) { ls.removeItem(key); },
      clear: function () { ownKeys().forEach(function (key) { ls.removeItem(key); }); },
      get length() { return ownKeys().length; },
    };
    // Clean whatever an earlier page (or another GraphiQL) left behind.
    ownKeys().forEach(function (key) { storage.setItem(key, ls.getItem(key)); });
  } catch (e) {
    storage = null;
  }

  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });

  var root = ReactDOM.createRoot(container);
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      // Hint shown in the headers editor. Replace <token> with a real token.
      // Note: it is sent as is until edited, including with the schema
      // introspection request.
      defaultHeaders: '{"Authorization": "Bearer <token>"}',
      // Never write the headers editor (and so tokens) to localStorage.
      shouldPersistHeaders: false,
      // Open the tools pane on the headers tab so the hint is visible.
      defaultEditorToolsVisibility: 'headers',
    })
  );
})();
