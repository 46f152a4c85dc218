// Progressive enhancements only: every page works without this file.
"use strict";

// The countdown of a timed attempt. The server keeps the real deadline; this only shows it.
function startCountdown(box) {
  const value = box.querySelector(".countdown-value");
  const announcer = box.querySelector(".countdown-announcer");
  const endsAt = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  const announceAt = { 300: "5 minutes left.", 60: "1 minute left." };

  function tick() {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    value.textContent = `${minutes}:${seconds}`;
    if (announceAt[left]) {
      announcer.textContent = announceAt[left];
    }
    if (left === 0) {
      clearInterval(timer);
      announcer.textContent = "Time is up. Your saved answers are being graded.";
      // Reloading lets the server grade the attempt and show the result.
      setTimeout(() => window.location.reload(), 1500);
    }
  }
  const timer = setInterval(tick, 1000);
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  const countdown = document.getElementById("countdown");
  if (countdown) {
    startCountdown(countdown);
  }
});

// Save an answer the moment it is picked, so leaving the page by any link loses nothing.
// Without this script the answer is saved by Previous, Next, the navigator or Review.
function autosaveAnswers(form) {
  const status = form.querySelector(".autosave-status");
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
        redirect: "follow",
      });
      status.textContent = response.ok ? "Answer saved." : "Not saved: use Next to save.";
    } catch {
      status.textContent = "Not saved: check your connection, then use Next.";
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.question-form");
  if (form) {
    autosaveAnswers(form);
  }
});
