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
        scrollStops(section);
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

  // (f) Autosave, for the blog editor (form[data-autosave]) and for reply and new-thread drafts
  // (form[data-draft]): a couple of seconds after typing stops, and as the page closes, the text is
  // sent to the form's save address with the revision it builds on; the answer's revision becomes
  // the form's. A 409 means another tab or device saved since: saving stops and says so, the text
  // stays. The status is a live region, so it changes (and is read out) only when there is news.
  // The address is asked for at each save: a new blog entry's changes once its first save made it.
  const AUTOSAVE_DELAY_MS = 2000;
  function keepSaving(form, { url, revision, status, fields, current, answered, conflict }) {
    let timer = 0;
    let inFlight = false;
    let again = false;
    let stopped = false;
    let lastKept = current();
    const say = (text) => {
      if (status && status.textContent !== text) status.textContent = text;
    };
    const stop = (text) => {
      stopped = true;
      say(text);
    };
    const send = async () => {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      const text = current();
      if (text === lastKept) return;
      inFlight = true;
      again = false;
      try {
        const response = await fetch(url(), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
          body: fields().toString(),
        });
        if (response.status === 409) {
          const answer = await response.json().catch(() => null);
          stop(conflict || (answer && answer.error && answer.error.message) || 'Not saved: a newer version was saved elsewhere since this page was opened.');
          return;
        }
        // Sent to sign in (a redirect the fetch followed), or refused as a visitor: the session is over.
        if (response.status === 401 || response.redirected) {
          stop('You are signed out, so this draft is not being saved. Copy your text, then sign in again.');
          return;
        }
        if (response.status === 403) {
          stop('This page has expired, so this draft is not being saved. Copy your text, then reload the page.');
          return;
        }
        // Something typed cannot be kept as it is (a title too short, a text too long): say what,
        // and try again with the next change.
        if (response.status === 422) {
          const answer = await response.json().catch(() => null);
          const problem = answer && answer.error ? Object.values(answer.error.fields || {})[0] || answer.error.message : '';
          say(`Not saved yet. ${problem || 'Something in the form needs a change.'}`);
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        const answer = await response.json();
        lastKept = text;
        if (answer && typeof answer.revision === 'number') revision.value = String(answer.revision);
        say(answered(answer, new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
      } catch {
        say('Not saved: no connection. Your text is still here, and is saved once the connection is back.');
      } finally {
        inFlight = false;
        if (again) timer = window.setTimeout(send, AUTOSAVE_DELAY_MS);
      }
    };
    form.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, AUTOSAVE_DELAY_MS);
    });
    window.addEventListener('online', () => send());
    // Posting, saving, previewing or discarding: the form itself carries the text from here.
    form.addEventListener('submit', () => {
      window.clearTimeout(timer);
      stopped = true;
    });
    // Leaving before the delay ran out (a link, the tab closed): the last words go too. A beacon
    // carries the CSRF token in its body, as a form does.
    window.addEventListener('pagehide', () => {
      if (stopped || current() === lastKept) return;
      window.clearTimeout(timer);
      if (navigator.sendBeacon(url(), fields())) lastKept = current();
    });
  }

  /** What a form sends, as a form post would (without the button that was pressed). */
  function formFields(form) {
    const data = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (name !== 'intent' && typeof value === 'string') data.append(name, value);
    return data;
  }

  // A published or scheduled entry's editor saves nothing by itself (readers would see it half
  // written), so leaving it with changes not saved asks first.
  function guardUnsaved(form) {
    let changed = false;
    form.addEventListener('input', () => {
      changed = true;
    });
    form.addEventListener('submit', () => {
      changed = false;
    });
    window.addEventListener('beforeunload', (event) => {
      if (!changed) return;
      event.preventDefault();
      event.returnValue = '';
    });
  }

  function enhanceAutosave(form) {
    const revision = form.querySelector('input[name="baseRevision"]');
    if (!form.getAttribute('data-autosave') || !revision || !form.querySelector('input[name="_csrf"]')) return;
    keepSaving(form, {
      // A new entry's first save makes it (POST /blog/autosave); the answer says where it lives.
      url: () => form.getAttribute('data-autosave'),
      revision,
      status: form.querySelector('[data-autosave-status]'),
      fields: () => formFields(form),
      // The entry as typed, less what changes with each save.
      current: () => {
        const data = formFields(form);
        data.delete('baseRevision');
        return data.toString();
      },
      answered: (answer, time) => {
        if (answer && answer.editUrl) {
          form.setAttribute('data-autosave', answer.autosaveUrl);
          form.setAttribute('action', answer.editUrl);
          // A reload, or Back after leaving, now finds the entry instead of an empty form.
          history.replaceState(history.state, '', answer.editUrl);
          form.querySelectorAll('[data-publish-once-saved], [data-drafts-link]').forEach((element) => {
            element.hidden = false;
          });
        }
        return `Draft saved ${time}. Only you can see it.`;
      },
      conflict: 'Not saved automatically: a newer version was saved elsewhere. Save to keep this text anyway.',
    });
  }

  // Reply and new-thread drafts are kept on the server for the member alone and are in the form when
  // they come back (from any device). Not in the browser's storage: on a shared ward computer they
  // must not outlive signing out. Posting ends the draft on the server.
  function enhanceDraft(form) {
    const url = form.getAttribute('data-draft');
    const textarea = form.querySelector('textarea[name="body"]');
    const titleInput = form.querySelector('input[name="title"]');
    const csrfInput = form.querySelector('input[name="_csrf"]');
    const keyInput = form.querySelector('input[name="idempotencyKey"]');
    // The post a reply answers goes with its draft, as it goes with the reply.
    const replyToInput = form.querySelector('input[name="replyTo"]');
    const revision = form.querySelector('input[name="draftRevision"]');
    const discard = form.querySelector('[data-draft-discard]');
    if (!url || !textarea || !csrfInput || !revision) return;
    keepSaving(form, {
      url: () => url,
      revision,
      status: form.querySelector('[data-draft-status]'),
      fields: () => {
        const data = new URLSearchParams({ body: textarea.value, _csrf: csrfInput.value, draftRevision: revision.value });
        if (titleInput) data.set('title', titleInput.value);
        if (keyInput) data.set('idempotencyKey', keyInput.value);
        if (replyToInput && (replyToInput.type !== 'checkbox' || replyToInput.checked)) data.set('replyTo', replyToInput.value);
        return data;
      },
      // A new thread's draft is its title and its text; a reply's, its text and the post it answers.
      current: () => {
        const answers = replyToInput && (replyToInput.type !== 'checkbox' || replyToInput.checked) ? replyToInput.value : '';
        return titleInput ? `${titleInput.value}\n${textarea.value}` : `${answers}\n${textarea.value}`;
      },
      answered: (answer, time) => {
        const kept = Boolean(answer && answer.kept);
        if (!kept && answer && answer.why === 'ended') revision.value = '0';
        if (discard) discard.hidden = !kept;
        return kept ? `Draft saved at ${time}. Only you can see it.` : '';
      },
    });
  }

  // (m) Code blocks and tables in posts come as tab stops, so a keyboard can scroll them sideways
  // (the server cannot know the reader's width). One that fits its column has nothing to scroll:
  // it leaves the tab order, and comes back when the window narrows.
  function scrollStops(root) {
    for (const block of root.querySelectorAll('.prose pre[tabindex], .prose table[tabindex], [data-scroll-stop]')) {
      block.setAttribute('data-scroll-stop', '');
      if (block.scrollWidth > block.clientWidth + 1) block.setAttribute('tabindex', '0');
      else block.removeAttribute('tabindex');
    }
  }

  // (b) Forms with data-confirm ask before they are sent.
  function confirmBeforeSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // A button may ask its own question (Discard draft in a composer whose other buttons ask none).
    const question = (event.submitter && event.submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
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

  // (e) Keyboard shortcuts for moderators. Never while typing in a field, never with a modifier,
  // and only while focus is in what they act on or on something holding it (the page, <main>), not
  // on a link or button elsewhere (WCAG 2.1.4: a key pressed there, or by speech input, must not
  // choose a decision).
  function shortcutFor(event, scope) {
    const el = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    if (el instanceof HTMLElement && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName))) return false;
    if (el instanceof HTMLInputElement && el.type !== 'radio' && el.type !== 'checkbox') return false;
    // "Nothing" includes <main>, which a click on plain text or the skip link focuses.
    return !(el instanceof Node) || el.contains(scope) || scope.contains(el);
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
      if (!shortcutFor(event, list)) return;
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
      if (!shortcutFor(event, form) || !/^[1-9]$/.test(event.key)) return;
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

  // (g) @mention autocomplete for a composer with data-mentionable: typing "@ab" lists handles of
  // members who can read the thread (the server decides who), under the textarea. Arrow keys move,
  // Enter or Tab picks, Escape closes; a click picks too. Without JavaScript one types the handle.
  function enhanceMentions(form) {
    const url = form.getAttribute('data-mentionable');
    const textarea = form.querySelector('textarea[name="body"]');
    if (!url || !textarea) return;
    const list = document.createElement('ul');
    list.className = 'mention-list';
    list.id = `${textarea.id || 'body'}-mentions`;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Members you can mention');
    list.hidden = true;
    textarea.insertAdjacentElement('afterend', list);
    // A textarea cannot be a combobox, so screen readers are told in words that suggestions opened.
    const said = document.createElement('p');
    said.className = 'sr-only';
    said.setAttribute('aria-live', 'polite');
    list.insertAdjacentElement('afterend', said);
    textarea.setAttribute('aria-controls', list.id);
    textarea.setAttribute('aria-autocomplete', 'list');
    let options = [];
    let active = -1;
    let sequence = 0;
    let timer = 0;

    const wordAtCaret = () => {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const match = /(?:^|[^\w@/.])@([a-z0-9_-]{0,30})$/i.exec(before);
      return match ? { prefix: match[1], start: before.length - match[1].length - 1 } : null;
    };
    const close = () => {
      said.textContent = '';
      list.hidden = true;
      list.replaceChildren();
      options = [];
      active = -1;
      textarea.removeAttribute('aria-activedescendant');
    };
    const highlight = (index) => {
      active = index;
      Array.from(list.children).forEach((li, i) => li.setAttribute('aria-selected', i === index ? 'true' : 'false'));
      if (index >= 0) textarea.setAttribute('aria-activedescendant', `${list.id}-${index}`);
    };
    const pick = (index) => {
      const word = wordAtCaret();
      const option = options[index];
      if (!word || !option) return close();
      const after = textarea.value.slice(textarea.selectionStart);
      const inserted = `@${option.handle} `;
      textarea.value = textarea.value.slice(0, word.start) + inserted + after;
      const caret = word.start + inserted.length;
      textarea.setSelectionRange(caret, caret);
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    };
    const lookup = async () => {
      const word = wordAtCaret();
      if (!word || word.prefix.length < 1) return close();
      const mine = ++sequence;
      try {
        const response = await fetch(`${url}&prefix=${encodeURIComponent(word.prefix)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        if (mine !== sequence) return;
        options = Array.isArray(data.handles) ? data.handles : [];
        if (options.length === 0) return close();
        list.replaceChildren(
          ...options.map((option, i) => {
            const li = document.createElement('li');
            li.id = `${list.id}-${i}`;
            li.setAttribute('role', 'option');
            li.textContent = `@${option.handle} — ${option.displayName}`;
            li.addEventListener('mousedown', (event) => {
              event.preventDefault();
              pick(i);
            });
            return li;
          }),
        );
        list.hidden = false;
        highlight(0);
        said.textContent = `${options.length} ${options.length === 1 ? 'member' : 'members'} to mention: Enter inserts @${options[0].handle}, arrow keys choose another, Escape closes.`;
      } catch {
        close();
      }
    };
    textarea.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 150);
    });
    textarea.addEventListener('keydown', (event) => {
      if (list.hidden || options.length === 0) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        pick(active < 0 ? 0 : active);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        close();
      }
    });
    textarea.addEventListener('blur', () => window.setTimeout(close, 100));
  }

  // (h) Live updates for signed-in members (server-sent events): the bell's count follows new
  // notifications, and an open thread says how many replies arrived, with a link to show them.
  // Events carry ids and counts only; the page fetches nothing else by itself.
  function liveUpdates() {
    const bell = document.querySelector('[data-bell-count]');
    if (!bell || typeof window.EventSource !== 'function') return;
    const posts = document.querySelector('[data-live-thread]');
    const params = new URLSearchParams();
    if (posts) params.set('thread', posts.getAttribute('data-live-thread'));
    const source = new EventSource(`/events${params.toString() ? `?${params}` : ''}`);
    source.addEventListener('notifications', (event) => {
      const data = JSON.parse(event.data);
      if (typeof data.unread !== 'number') return;
      bell.textContent = String(data.unread);
      bell.classList.toggle('count-busy', data.unread > 0);
    });
    const region = document.querySelector('[data-live-region]');
    if (posts && region) {
      const shown = Number(posts.getAttribute('data-post-count') || '0');
      let bar = null;
      source.addEventListener('thread', (event) => {
        const data = JSON.parse(event.data);
        if (typeof data.postCount !== 'number' || data.postCount <= shown) return;
        const fresh = data.postCount - shown;
        if (!bar) {
          bar = document.createElement('a');
          bar.className = 'button live-bar';
          region.appendChild(bar);
        }
        bar.href = `${window.location.pathname.replace(/\/unread$/, '')}?page=${Math.ceil((shown + 1) / POSTS_PER_PAGE)}#p${shown + 1}`;
        bar.textContent = `${fresh} new ${fresh === 1 ? 'reply' : 'replies'} — show`;
      });
    }
    // The server ends the stream when the session is gone; do not keep knocking after that.
    source.addEventListener('end', () => source.close());
    window.addEventListener('pagehide', () => source.close());
  }

  // (i) Times in the reader's own time zone. The server writes UTC, which is what a page without
  // this file shows; here every time's tooltip, and the text of absolute times, become local.
  function localTimes() {
    const format = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    document.querySelectorAll('time[datetime]').forEach((el) => {
      const at = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(at.getTime())) return;
      el.title = format.format(at);
      if (el.hasAttribute('data-absolute')) el.textContent = format.format(at);
    });
  }

  // (j) A date-and-time field ([data-local-time]) in the author's time zone: the stored UTC value is
  // shown in local time, and the form sends the browser's offset from UTC at the chosen moment
  // (daylight saving included), which the server applies.
  function enhanceLocalDateTime(box) {
    const input = box.querySelector('input[type="datetime-local"]');
    const offset = box.querySelector('input[name="utcOffset"]');
    if (!input || !offset || !input.form) return;
    const pad = (n) => String(n).padStart(2, '0');
    if (offset.dataset.zone === 'utc' && input.value) {
      const at = new Date(`${input.value}Z`);
      if (!Number.isNaN(at.getTime())) input.value = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    }
    offset.dataset.zone = 'local';
    const hint = box.querySelector('.hint');
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (hint) hint.textContent = `In your time zone${zone ? ` (${zone})` : ''}. Leave empty to publish now.`;
    // The button says what it will do: publish now, or at the chosen time.
    const publish = input.form.querySelector('button[name="intent"][value="publish"]');
    if (publish) input.addEventListener('input', () => (publish.textContent = input.value ? 'Schedule' : 'Publish'));
    input.form.addEventListener('submit', () => {
      // A datetime-local value without a zone is read as local time.
      const at = new Date(input.value);
      offset.value = input.value && !Number.isNaN(at.getTime()) ? String(at.getTimezoneOffset()) : '';
    });
  }

  // (n) A notice about what was just done (a reply held for approval, a mention that reached
  // nobody) is printed at the top of the page, but the page opens at what it concerns (#p12,
  // #reply), often a screen or more below: it is moved there, where the eye is.
  function noticesToTarget() {
    const notices = document.querySelectorAll('main > [data-flash]');
    if (notices.length === 0 || window.location.hash.length < 2) return;
    let target;
    try {
      target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch {
      return; // a malformed fragment names nothing
    }
    if (!target || target.id === 'main') return;
    const box = document.createElement('div');
    box.className = 'notices-at-target';
    box.append(...notices);
    // Into a post or a form, at its top; after an empty anchor.
    if (target.childElementCount === 0) target.after(box);
    else target.prepend(box);
    // Once loaded: the browser's own scroll to the fragment comes late, and would leave it above.
    // Near the top of the page (an opening post), from the top: the title stays in view with it.
    const show = () => {
      if (box.getBoundingClientRect().bottom + window.scrollY <= window.innerHeight * 0.8) window.scrollTo({ top: 0 });
      else box.scrollIntoView({ block: 'start' });
    };
    if (document.readyState === 'complete') show();
    else window.addEventListener('load', show, { once: true });
  }

  // (o) A page that is only a composer starts with the cursor in its text (the autofocus
  // attribute): after a quote or the text being edited, not before it, which is where the browser
  // puts it.
  function caretAtEnd() {
    const area = document.querySelector('textarea[autofocus]');
    if (!area || !area.value) return;
    const place = () => {
      if (document.activeElement !== area || area.selectionStart !== 0 || area.selectionEnd !== 0) return;
      area.setSelectionRange(area.value.length, area.value.length);
      area.scrollTop = area.scrollHeight;
    };
    place();
    // Browsers apply autofocus at their next rendering, after this script.
    window.requestAnimationFrame(() => window.requestAnimationFrame(place));
  }

  // (k) A refused form's summary lists each marked field's problem as a link to the field, so a
  // screen reader hears them all at once and a keyboard goes straight to each (without this file
  // the problems are beside their fields, which name them through aria-describedby).
  function listFieldErrors(summary) {
    const form = summary.closest('form');
    if (!form || summary.querySelector('ul')) return;
    const items = Array.from(form.querySelectorAll('.field.has-error')).flatMap((field) => {
      const control = field.querySelector('input, textarea, select');
      const label = field.querySelector('label');
      const error = field.querySelector('.field-error');
      if (!control || !control.id || !label || !error) return [];
      const link = document.createElement('a');
      link.href = `#${control.id}`;
      link.textContent = `${label.textContent.trim()}: ${error.textContent.trim()}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        control.focus();
      });
      const li = document.createElement('li');
      li.appendChild(link);
      return [li];
    });
    if (items.length === 0) return;
    const list = document.createElement('ul');
    list.replaceChildren(...items);
    summary.appendChild(list);
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
    noticesToTarget();
    caretAtEnd();
    document.querySelectorAll('form[data-composer]').forEach(enhanceComposer);
    document.querySelectorAll('form[data-autosave]').forEach(enhanceAutosave);
    document.querySelectorAll('form.blog-editor:not([data-autosave])').forEach(guardUnsaved);
    document.querySelectorAll('form[data-draft]').forEach(enhanceDraft);
    document.querySelectorAll('[data-queue]').forEach(enhanceQueue);
    document.querySelectorAll('form[data-decision-form]').forEach(enhanceDecisionForm);
    document.querySelectorAll('form[data-mentionable]').forEach(enhanceMentions);
    document.querySelectorAll('[data-local-time]').forEach(enhanceLocalDateTime);
    document.querySelectorAll('form .notice-error[role="alert"]').forEach(listFieldErrors);
    localTimes();
    liveUpdates();
    scrollStops(document);
    let resized = 0;
    window.addEventListener('resize', () => {
      window.clearTimeout(resized);
      resized = window.setTimeout(() => scrollStops(document), 200);
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
