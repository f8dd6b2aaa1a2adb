// Runs a scenario's replications slice by slice through the step endpoint, moving the
// <progress> bar after each, then opens the results. Without this script the page's
// "Continue the run" button does the same one slice at a time.
const form = document.querySelector("form[data-run-step]");

async function advance(bar, status, token) {
  const response = await fetch(form.action, {
    method: "POST",
    headers: { "X-CSRFToken": token, Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    throw new Error(`the server answered ${response.status}`);
  }
  const body = await response.json();
  bar.max = body.replications;
  bar.value = body.done;
  bar.textContent = `${body.done} of ${body.replications}`;
  status.textContent = `${body.done.toLocaleString("en-GB")} of ${body.replications.toLocaleString("en-GB")} replications done`;
  return body;
}

async function runAll() {
  const bar = document.getElementById("run-progress");
  const status = document.getElementById("run-status");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const button = form.querySelector("button");
  button.hidden = true;
  try {
    let body = { finished: false };
    while (!body.finished) {
      body = await advance(bar, status, token);
    }
    status.textContent = "Finished: opening the results";
    window.location.assign(body.url);
  } catch (error) {
    status.textContent = `The run stopped (${error.message}). Continue it with the button.`;
    button.hidden = false;
  }
}

if (form) {
  runAll();
}
