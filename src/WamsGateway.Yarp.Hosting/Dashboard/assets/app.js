// Reads /dashboard/api/state every few seconds and renders it. Text only (textContent): nothing from the
// state is ever parsed as HTML.
(() => {
  const refreshMs = 3000;

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  const list = (values) => {
    if (!values || values.length === 0) return el('span', '—');
    const ul = el('ul');
    for (const v of values) ul.append(el('li', v));
    return ul;
  };
  const row = (cells) => {
    const tr = el('tr');
    for (const c of cells) {
      const td = el('td');
      if (c instanceof Node) td.append(c); else td.textContent = c === null || c === undefined || c === '' ? '—' : String(c);
      tr.append(td);
    }
    return tr;
  };
  const fill = (id, rows) => {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren(...rows);
  };
  const counts = (object) => {
    const entries = Object.entries(object || {});
    return entries.length ? list(entries.map(([k, v]) => `${k}: ${v}`)) : el('span', '—');
  };
  const status = (s) => el('span', s, s === 'Healthy' ? 'ok' : s === 'Degraded' ? 'warn' : 'bad');

  const settings = (object) => {
    const ul = el('ul');
    for (const [name, value] of Object.entries(object || {})) {
      if (value === null || value === undefined) continue;
      const shown = typeof value === 'object' && !Array.isArray(value) && 'set' in value
        ? (value.set ? 'set' : 'not set')
        : Array.isArray(value) ? value.join(', ') : value;
      ul.append(el('li', `${name}: ${shown}`));
    }
    return ul.childElementCount ? ul : el('span', '—');
  };

  const render = (state) => {
    document.getElementById('version').textContent = `version ${state.version}`;
    const c = state.configuration;
    const conf = document.getElementById('configuration');
    conf.replaceChildren(
      el('p', `Generation ${c.generation}. ` + (c.reloadRefused
        ? 'The last reload was refused; the last valid configuration is serving.'
        : c.routesRefused ? "YARP refused the last edit's routes; each route serves with the configuration it was loaded with."
        : c.waitingForRoutes ? `YARP has not loaded the newest edit's routes (see its log); routes serve generation ${c.appliedGeneration} and older.`
        : 'The newest configuration is serving.'),
        c.reloadRefused || c.routesRefused || c.waitingForRoutes ? 'warn' : 'ok'),
      list(c.problems));
    if (!c.problems || c.problems.length === 0) conf.lastChild.remove();

    fill('routes', state.routes.map((r) => row([
      r.id,
      [r.match.path, r.match.hosts && r.match.hosts.join(', '), r.match.methods && r.match.methods.join(', ')].filter(Boolean).join(' · '),
      r.api, r.cluster, list(r.destinations),
      list([
        r.authorizationPolicy && `authorization: ${r.authorizationPolicy}`,
        r.rateLimiterPolicy && `rate limit: ${r.rateLimiterPolicy}`,
        r.corsPolicy && `CORS: ${r.corsPolicy}`,
        r.timeoutPolicy && `timeout: ${r.timeoutPolicy}`,
        r.timeout && `timeout: ${r.timeout}`,
      ].filter(Boolean)),
      counts(r.requests),
    ])));

    fill('apis', state.apis.map((a) => row([
      a.name, a.exchange, list(a.allowedClients), list(a.requiredScopes), list(a.authorities), list(a.audiences),
      a.assertion ? `${a.assertion.audience}${a.assertion.bindRequest ? ' (bound)' : ''}` : null,
      list([a.rateLimit && `requests: ${a.rateLimit}`, a.exchangeRateLimit && `exchanges: ${a.exchangeRateLimit}`].filter(Boolean)),
      settings(a.settings), list(a.routes), counts(a.exchanges),
    ])));

    fill('authorities', state.authorities.map((a) => row([a.name, a.issuer, list(a.keyIds), a.lastRefreshed, status(a.status)])));

    const r = state.redis;
    document.getElementById('redis').replaceChildren(r.configured
      ? el('p', `${r.connected ? 'Connected' : 'Not connected'}; used for ${r.uses.join(', ')}; key ring ${r.keyRingProtected ? 'protected' : 'NOT protected'}.`, r.connected ? 'ok' : 'bad')
      : el('p', 'Not configured: the cache is in memory only.'));

    const c2 = state.counts || {};
    const refusals = document.getElementById('counts');
    refusals.replaceChildren(el('h3', 'Tokens refused, by reason'), counts(c2.authFailures), el('h3', 'Rate-limit refusals, by policy'), counts(c2.rateLimited));

    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = 'true';
  };

  const refresh = async () => {
    try {
      const response = await fetch('api/state', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json());
    } catch (error) {
      document.getElementById('updated').textContent = `update failed: ${error.message}`;
    }
  };

  refresh();
  setInterval(refresh, refreshMs);
})();
