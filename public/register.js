// The /register page's uploader: photos dropped on the page or chosen are uploaded to
// POST /register/upload, at most three at a time (the others wait in a queue, so a hundred
// photos do not freeze the page), each with a progress line. Once registered, each photo's
// status is polled at /e/{id}/status.json with a growing delay until it is anchored; then its
// certificate is linked. The texts come from the page (data-* of the form), in its language.
'use strict';

(() => {
  const form = document.getElementById('register-form');
  if (!form) return;
  const text = form.dataset;
  const csrf = form.querySelector('input[name=csrf]').value;
  const input = document.getElementById('files');
  const zone = document.getElementById('dropzone');
  const list = document.getElementById('uploads');
  const summary = document.getElementById('summary');

  const maxBytes = Number(text.maxBytes);
  const MAX_IN_FLIGHT = 3;
  const POLL_FIRST_MS = 400;
  const POLL_MAX_MS = 5000;
  const POLL_GIVE_UP_MS = 10 * 60 * 1000;

  const queue = [];
  let inFlight = 0;
  const counts = { total: 0, anchored: 0, failed: 0 };

  function showSummary() {
    summary.hidden = counts.total === 0;
    summary.textContent = text.summary
      .replace('{anchored}', counts.anchored)
      .replace('{total}', counts.total)
      .replace('{failed}', counts.failed);
  }

  /** One line of the list: the file's name, a progress bar and its state in words. */
  function line(file) {
    const li = document.createElement('li');
    li.className = 'queued';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = file.name;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = text.queued;
    li.append(name, bar, state);
    list.append(li);
    return { li, bar, state };
  }

  function setState(row, className, words) {
    row.li.className = className;
    row.state.textContent = words;
  }

  function certificateLink(row, link) {
    const a = document.createElement('a');
    a.className = 'certificate-link';
    a.href = link;
    a.textContent = text.open;
    row.li.append(' ', a);
  }

  /** Queues `files` with the batch's title, author and public flag as they are now. */
  function add(files) {
    const fields = {
      title: form.elements.title.value,
      author: form.elements.author.value,
      public: form.elements.public.checked ? 'true' : 'false',
    };
    for (const file of files) {
      const row = line(file);
      counts.total += 1;
      // Refused here rather than after sending it all: the server stops reading at the limit.
      if (file.size > maxBytes) fail(row, text.tooLarge);
      else queue.push({ file, fields, row });
    }
    showSummary();
    pump();
  }

  function pump() {
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const job = queue.shift();
      inFlight += 1;
      upload(job).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  function fail(row, words) {
    row.bar.hidden = true;
    setState(row, 'failed', `${text.failed} ${words}`);
    counts.failed += 1;
    showSummary();
  }

  /** Uploads one photo; resolves when the upload is answered (polling goes on alone). */
  function upload({ file, fields, row }) {
    return new Promise((resolve) => {
      const body = new FormData();
      body.append('title', fields.title);
      body.append('author', fields.author);
      body.append('public', fields.public);
      body.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/register/upload');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.responseType = 'json';
      setState(row, 'sending', text.sending);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          const percent = Math.floor((100 * e.loaded) / e.total);
          row.bar.value = percent;
          row.state.textContent = `${text.sending} ${percent} %`;
        }
      };
      xhr.onload = () => {
        const answer = xhr.response || {};
        row.bar.value = 100;
        if (xhr.status === 201 && answer.id) {
          setState(row, 'registered', text.registered);
          poll(row, answer.id, answer.link);
        } else {
          fail(row, answer.message || answer.detail || `HTTP ${xhr.status}`);
        }
        resolve();
      };
      xhr.onerror = () => {
        fail(row, text.network);
        resolve();
      };
      xhr.send(body);
    });
  }

  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  /** Polls the record's status with a growing delay until it is anchored. */
  async function poll(row, id, link) {
    const giveUp = Date.now() + POLL_GIVE_UP_MS;
    let delay = POLL_FIRST_MS;
    while (Date.now() < giveUp) {
      await sleep(delay);
      delay = Math.min(delay * 1.6, POLL_MAX_MS);
      let status;
      try {
        const res = await fetch(`/e/${encodeURIComponent(id)}/status.json`, { cache: 'no-store' });
        if (!res.ok) continue;
        status = (await res.json()).status;
      } catch (_) {
        continue; // a network hiccup: try again after the delay
      }
      if (status === 'anchored') {
        setState(row, 'anchored', text.anchored);
        certificateLink(row, link);
        counts.anchored += 1;
        showSummary();
        return;
      }
      if (status === 'sealed') setState(row, 'sealed', text.sealed);
    }
    setState(row, 'slow', text.slow);
    certificateLink(row, link);
  }

  form.addEventListener('submit', (e) => e.preventDefault());
  input.addEventListener('change', () => {
    add(Array.from(input.files));
    input.value = '';
  });
  // A photo dropped anywhere on the page is taken (a browser would otherwise open it).
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  document.addEventListener('dragleave', (e) => {
    if (!e.relatedTarget) zone.classList.remove('over');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length > 0) add(Array.from(e.dataTransfer.files));
  });
})();
