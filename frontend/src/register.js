// The register on a phone at the side of a pitch: a tap keeps the mark on the device first
// (localStorage, with a key of its own) and sends it when there is a connection, one at a time,
// so a mark is never lost and, the server taking each key once, never counted twice. Without
// JavaScript each tap posts the form.
const form = document.querySelector("form[data-register]");

function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

if (form) {
  const url = form.dataset.marksUrl;
  const storeKey = `resettle:marks:${url}`;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const waiting = document.querySelector("[data-register-waiting]");
  const load = () => JSON.parse(window.localStorage.getItem(storeKey) || "[]");
  const save = (queue) => window.localStorage.setItem(storeKey, JSON.stringify(queue));

  const showWaiting = () => {
    const count = load().length;
    waiting.hidden = count === 0;
    waiting.textContent = count === 1 ? "1 mark waiting to send" : `${count} marks waiting to send`;
  };

  // Marks that mean the person was there, as the server counts them.
  const PRESENT = new Set(["attended", "late", "left_early"]);
  const summary = document.getElementById("register-summary");
  const showSummary = () => {
    if (!summary) return;
    const rows = [...form.querySelectorAll("[data-person]")];
    const marked = rows.filter((row) => row.dataset.mark).length;
    const present = rows.filter((row) => PRESENT.has(row.dataset.mark)).length;
    const places = summary.dataset.capacity ? ` (${summary.dataset.capacity} places)` : "";
    const headcount =
      summary.dataset.headcount === undefined ? "" : `, ${summary.dataset.headcount} not on the register`;
    summary.textContent = `${present} here${places}, ${marked} of ${rows.length} marked${headcount}.`;
  };

  const showMark = (person, status, label) => {
    const row = form.querySelector(`[data-person="${person}"]`);
    if (!row) return;
    row.dataset.mark = status;
    showSummary();
    for (const button of row.querySelectorAll("button[name=mark]")) {
      button.classList.toggle("govuk-button--secondary", button.value !== `${person}:${status}`);
    }
    const tag = row.querySelector("[data-status]");
    tag.textContent = label;
    tag.className = "govuk-tag govuk-tag--grey";
    row.querySelector("[data-error]").hidden = true;
  };

  const showRefusal = (person, detail) => {
    const error = form.querySelector(`[data-person="${person}"] [data-error]`);
    if (!error) return;
    error.textContent = detail;
    error.hidden = false;
  };

  let sending = false;
  const send = async () => {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      for (let queue = load(); queue.length; queue = load()) {
        const mark = queue[0];
        let response;
        try {
          response = await fetch(url, {
            method: "POST",
            credentials: "same-origin",
            redirect: "manual",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
            body: JSON.stringify({ marks: [mark] }),
          });
        } catch {
          break; // No connection: keep it for when there is one.
        }
        const isJson = (response.headers.get("Content-Type") || "").includes("json");
        // A server error, or a sign-in page instead of an answer: keep it and try later.
        if (!isJson || response.status >= 500) break;
        save(load().filter((queued) => queued.key !== mark.key));
        if (!response.ok) {
          const body = await response.json();
          showRefusal(mark.person, body.detail || "This mark was refused");
        }
      }
    } finally {
      sending = false;
      showWaiting();
    }
  };

  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button || button.name !== "mark") return;
    event.preventDefault();
    const [person, status] = button.value.split(":");
    const reason = form.querySelector("[name=over_capacity_reason]");
    const queue = load();
    queue.push({ key: newKey(), person, status, over_capacity_reason: reason ? reason.value : "" });
    save(queue);
    showMark(person, status, button.firstChild.textContent.trim());
    showWaiting();
    send();
  });
  window.addEventListener("online", send);
  showWaiting();
  send();
}
