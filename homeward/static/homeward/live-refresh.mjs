// Refreshes the live system view in place every minute: fetches the page again and swaps the
// figures, so the page keeps its scroll position on a wall screen or a phone. Without
// JavaScript a <noscript> meta refresh reloads the whole page instead. The header marks the
// request as a refresh, which the server does not audit again.
const board = document.getElementById("live-board");

async function refresh() {
  const status = document.getElementById("live-updated");
  try {
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { Accept: "text/html", "X-Homeward-Refresh": "1" },
    });
    if (!response.ok) {
      throw new Error(`the server answered ${response.status}`);
    }
    const fresh = new DOMParser()
      .parseFromString(await response.text(), "text/html")
      .getElementById("live-board");
    if (!fresh) {
      throw new Error("the answer had no figures");
    }
    board.replaceChildren(...fresh.childNodes);
  } catch (error) {
    if (status) {
      status.dataset.figures ??= status.textContent;
      status.textContent = `${status.dataset.figures} Could not refresh (${error.message}); trying again in a minute.`;
    }
  }
}

if (board) {
  const seconds = Number(board.dataset.refreshSeconds) || 60;
  window.setInterval(refresh, seconds * 1000);
}
