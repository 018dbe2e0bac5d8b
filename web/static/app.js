// Rounds — progressive enhancement only. Every page works without this file.
// Plain ES2020, no dependencies, no inline handlers (the CSP forbids inline script).
'use strict';

(() => {
  const POSTS_PER_PAGE = 30; // server/forum/rules.ts
  const PREVIEW_DELAY_MS = 400;
  const RESUBMIT_LOCK_MS = 4000;

  // (c) A permalink "#pN" whose post is not on this page: go to the page of the thread that holds
  // it, so links keep working after a thread grows past a page.
  function followPostPermalink() {
    const match = /^#p([1-9]\d{0,8})$/.exec(window.location.hash);
    if (!match) return;
    const id = `p${match[1]}`;
    if (document.getElementById(id)) return;
    const page = Math.ceil(Number(match[1]) / POSTS_PER_PAGE);
    const params = new URLSearchParams(window.location.search);
    // Already on the page that should hold it: the post is gone or hidden, so stay (no loop).
    if (Number(params.get('page') || '1') === page) return;
    if (page > 1) params.set('page', String(page));
    else params.delete('page');
    const query = params.toString();
    window.location.replace(`${window.location.pathname}${query ? `?${query}` : ''}#${id}`);
  }

  // (a) Live preview for form[data-composer]. The server renders with the same sanitizing pipeline
  // as posting, so its HTML is inserted as it comes.
  function enhanceComposer(form) {
    const textarea = form.querySelector('textarea[name="body"]');
    const section = form.querySelector('[data-preview]');
    const csrfInput = form.querySelector('input[name="_csrf"]');
    if (!textarea || !section || !csrfInput) return;

    let timer = 0;
    let sequence = 0;
    let lastSent = null;

    const contentArea = () => {
      let area = section.querySelector('.prose');
      if (!area) {
        area = document.createElement('div');
        area.className = 'prose';
        section.appendChild(area);
      }
      return area;
    };

    const render = async () => {
      const text = textarea.value;
      if (text === lastSent) return;
      lastSent = text;
      const mine = ++sequence;
      const token = csrfInput.value;
      try {
        // The blog editor previews through the entry pipeline (heading anchors): exactly what readers see.
        const response = await fetch(form.getAttribute('data-preview-url') || '/preview', {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            accept: 'application/json',
            'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
            'x-csrf-token': token,
          },
          body: new URLSearchParams({ body: text, _csrf: token }).toString(),
        });
        if (!response.ok) throw new Error(`preview failed: ${response.status}`);
        const data = await response.json();
        // A slow answer to an older request must not replace a newer preview.
        if (mine !== sequence || !data || typeof data.html !== 'string') return;
        contentArea().innerHTML = data.html;
        section.hidden = false;
      } catch {
        // Do nothing: the Preview button (rendered by the server) still works. Allow a retry.
        if (mine === sequence) lastSent = null;
      }
    };

    textarea.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY_MS);
    });
  }

  // (f) Autosave for the blog editor (form[data-autosave]): a few seconds after typing stops, the
  // form is sent to the autosave address; the answer's revision becomes the form's, so the next save
  // (auto or explicit) builds on it. A 409 means another tab saved: autosave stops and says so.
  const AUTOSAVE_DELAY_MS = 2000;
  function enhanceAutosave(form) {
    const url = form.getAttribute('data-autosave');
    const revision = form.querySelector('input[name="baseRevision"]');
    const csrfInput = form.querySelector('input[name="_csrf"]');
    const status = form.querySelector('[data-autosave-status]');
    if (!url || !revision || !csrfInput) return;
    let timer = 0;
    let stopped = false;
    let inFlight = false;
    let dirty = false;
    const say = (text) => {
      if (status) status.textContent = text;
    };
    const send = async () => {
      if (stopped) return;
      if (inFlight) {
        dirty = true;
        return;
      }
      inFlight = true;
      dirty = false;
      const data = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (name !== 'intent' && typeof value === 'string') data.append(name, value);
      try {
        const response = await fetch(url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'x-csrf-token': csrfInput.value },
          body: data.toString(),
        });
        if (response.status === 409) {
          stopped = true;
          say('Not saved automatically: a newer version was saved elsewhere. Save to keep this text anyway.');
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        const answer = await response.json();
        if (answer && typeof answer.revision === 'number') revision.value = String(answer.revision);
        say(`Draft saved ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`);
      } catch {
        say('Not saved automatically (offline?). Use Save.');
      } finally {
        inFlight = false;
        if (dirty) window.setTimeout(send, AUTOSAVE_DELAY_MS);
      }
    };
    form.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, AUTOSAVE_DELAY_MS);
    });
    // An explicit Save, Publish or Preview replaces any pending autosave.
    form.addEventListener('submit', () => {
      window.clearTimeout(timer);
      stopped = true;
    });
  }

  // (b) Forms with data-confirm ask before they are sent.
  function confirmBeforeSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  // (d) After a form is sent, its submit buttons rest for a few seconds (no double posts; the
  // server de-duplicates as well).
  function lockAfterSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    const buttons = Array.from(form.elements).filter(
      (el) => (el instanceof HTMLButtonElement || el instanceof HTMLInputElement) && el.type === 'submit' && !el.disabled,
    );
    // Disabling inside the submit event would drop the clicked button's name=value (intent=preview)
    // from the request; one tick later the form data is already built.
    window.setTimeout(() => {
      for (const button of buttons) {
        button.disabled = true;
        button.setAttribute('data-resting', '');
      }
    }, 0);
    window.setTimeout(release, RESUBMIT_LOCK_MS, buttons);
  }

  function release(buttons) {
    for (const button of buttons) {
      if (!button.hasAttribute('data-resting')) continue;
      button.disabled = false;
      button.removeAttribute('data-resting');
    }
  }

  // (e) Keyboard shortcuts for moderators. Never while typing in a field, never with a modifier.
  function typing(event) {
    const el = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return true;
    return el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // The queue: j / k move between items, Enter opens the current one (it is a focused link).
  function enhanceQueue(list) {
    const items = Array.from(list.querySelectorAll('[data-queue-item]'));
    if (items.length === 0) return;
    let current = -1;
    const move = (to) => {
      if (current >= 0) items[current].classList.remove('is-current');
      current = Math.max(0, Math.min(items.length - 1, to));
      const item = items[current];
      item.classList.add('is-current');
      const link = item.querySelector('[data-queue-link]');
      if (link) link.focus();
      item.scrollIntoView({ block: 'nearest' });
    };
    // Starting from wherever focus is (a click, a Tab) keeps j/k from jumping back to the top.
    list.addEventListener('focusin', (event) => {
      const index = items.findIndex((item) => item.contains(event.target));
      if (index < 0 || index === current) return;
      if (current >= 0) items[current].classList.remove('is-current');
      current = index;
      items[current].classList.add('is-current');
    });
    document.addEventListener('keydown', (event) => {
      if (typing(event)) return;
      if (event.key === 'j') {
        event.preventDefault();
        move(current + 1);
      } else if (event.key === 'k') {
        event.preventDefault();
        move(current < 0 ? 0 : current - 1);
      }
    });
  }

  // A decision form: the digit shown beside a decision chooses it and moves to the reason.
  function enhanceDecisionForm(form) {
    const reason = form.querySelector('textarea[name="reason"]');
    document.addEventListener('keydown', (event) => {
      if (typing(event) || !/^[1-9]$/.test(event.key)) return;
      const radio = form.querySelector(`input[type="radio"][data-key="${event.key}"]`);
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      radio.dispatchEvent(new Event('change', { bubbles: true }));
      const body = form.querySelector('details.edit-keep');
      if (body && radio.value === 'edit_keep') body.open = true;
      if (reason) reason.focus();
    });
  }

  followPostPermalink();
  window.addEventListener('hashchange', followPostPermalink);

  // Capture phase, so the question is asked before anything else sees the submit.
  document.addEventListener('submit', confirmBeforeSubmit, true);
  document.addEventListener('submit', lockAfterSubmit);

  // The Back button can restore a page from the cache with its buttons still resting.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) release(document.querySelectorAll('[data-resting]'));
  });

  const start = () => {
    document.querySelectorAll('form[data-composer]').forEach(enhanceComposer);
    document.querySelectorAll('form[data-autosave]').forEach(enhanceAutosave);
    document.querySelectorAll('[data-queue]').forEach(enhanceQueue);
    document.querySelectorAll('form[data-decision-form]').forEach(enhanceDecisionForm);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
