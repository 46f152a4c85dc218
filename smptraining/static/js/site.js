// Progressive enhancements only: every page works without this file. Its words come from the
// page (data attributes), so they are translated with the templates.
"use strict";

// The countdown of a timed attempt. The server keeps the real deadline; this only shows it.
// Under 5 minutes the box turns orange, under 1 minute red, and each change is announced.
function startCountdown(box) {
  const value = box.querySelector(".countdown-value");
  const announcer = box.querySelector(".countdown-announcer");
  const endsAt = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  let stage = "";

  function show(left) {
    const next = left <= 60 ? "critical" : left <= 300 ? "low" : "";
    if (next !== stage) {
      box.classList.toggle("countdown-low", next === "low");
      box.classList.toggle("countdown-critical", next === "critical");
      if (next === "low") {
        announcer.textContent = box.dataset.fiveMinutes;
      } else if (next === "critical") {
        announcer.textContent = box.dataset.oneMinute;
      }
      stage = next;
    }
  }

  function tick() {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    value.textContent = `${minutes}:${seconds}`;
    show(left);
    if (left === 0) {
      clearInterval(timer);
      announcer.textContent = box.dataset.timeUp;
      // Reloading lets the server grade the attempt and show the result.
      setTimeout(() => window.location.reload(), 1500);
    }
  }
  const timer = setInterval(tick, 1000);
  tick();
}

// Save an answer the moment it is picked, so leaving the page by any link loses nothing.
// "Saved" is said only when the server answers that it saved: a redirect (a login page after
// the session ended) or an error is "not saved". Without this script the answer is saved by
// Previous, Next, the navigator or Review.
function autosaveAnswers(form) {
  const status = form.querySelector(".autosave-status");
  const count = document.querySelector(".answered-count");
  const progress = document.querySelector(".quiz-progress");
  form.addEventListener("change", async (event) => {
    if (event.target.name !== "choice") {
      return;
    }
    const body = new FormData(form);
    body.set("go", "stay");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
      const answer = response.ok ? await response.json() : null;
      if (answer && answer.saved === true) {
        status.textContent = status.dataset.saved;
        if (count) {
          count.textContent = answer.answered;
        }
        if (progress) {
          progress.value = answer.answered;
        }
      } else {
        status.textContent = status.dataset.notSaved;
      }
    } catch {
      status.textContent = status.dataset.offline;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const countdown = document.getElementById("countdown");
  if (countdown) {
    startCountdown(countdown);
  }
  const form = document.querySelector("form.question-form");
  if (form) {
    autosaveAnswers(form);
  }
});

// "Copy the public link": shown only when this script runs; the link stays visible as text.
function copyLinks() {
  document.querySelectorAll("button.copy-link").forEach((button) => {
    const box = button.closest("section");
    const link = box.querySelector("a.verify-link");
    const status = box.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(link.href);
        status.textContent = button.dataset.copied;
      } catch {
        status.textContent = button.dataset.notCopied;
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", copyLinks);
