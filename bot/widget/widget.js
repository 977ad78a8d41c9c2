// Minimal chat page over Rasa's REST channel; the conversation id is kept in localStorage.
(function () {
  "use strict";
  const config = window.ADVISOR_CONFIG || { rasaUrl: "http://127.0.0.1:5005" };
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  let senderId = localStorage.getItem("advisor-sender");
  if (!senderId) {
    senderId = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem("advisor-sender", senderId);
  }

  function add(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    return item;
  }

  function showBot(message) {
    if (message.text) {
      const item = add("bot", message.text);
      if (Array.isArray(message.buttons) && message.buttons.length) {
        const row = document.createElement("div");
        row.className = "buttons";
        message.buttons.forEach(function (button) {
          const element = document.createElement("button");
          element.type = "button";
          element.textContent = button.title;
          element.addEventListener("click", function () { send(button.payload, button.title); });
          row.appendChild(element);
        });
        item.appendChild(row);
      }
    }
  }

  async function send(payload, shown) {
    add("user", shown || payload);
    try {
      const response = await fetch(config.rasaUrl + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: senderId, message: payload }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      (await response.json()).forEach(showBot);
    } catch (error) {
      add("error", "Le conseiller est momentanément injoignable. Réessayez dans un instant.");
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
