// Citizens' chat widget: talks to Rasa's socket.io channel directly.
// Bot and user text is only ever inserted as text nodes (textContent), never as HTML.
(() => {
  "use strict";

  const STRINGS = {
    busy: "Hệ thống đang bận, bạn vui lòng thử lại sau ít phút.",
    locationSent: "Đã gửi vị trí",
    locationUnsupported: "Trình duyệt của bạn không hỗ trợ lấy vị trí. Bạn vui lòng nhập địa chỉ cụ thể.",
    locationDenied: "Bạn chưa cho phép truy cập vị trí. Bạn có thể bật quyền vị trí hoặc nhập địa chỉ cụ thể.",
    locationFailed: "Không lấy được vị trí hiện tại. Bạn vui lòng thử lại hoặc nhập địa chỉ cụ thể.",
    uploading: "Đang tải ảnh lên…",
    uploadFailed: "Không tải được ảnh lên. Bạn vui lòng kiểm tra kết nối và thử lại.",
    uploadTooLarge: "Ảnh quá lớn. Bạn vui lòng gửi ảnh có dung lượng dưới 10 MB.",
    uploadNotImage: "Tệp bạn chọn không phải là ảnh. Bạn vui lòng chọn ảnh khác.",
    photoAlt: "Ảnh bạn đã gửi",
    botImageAlt: "Ảnh từ hệ thống",
    newChatConfirm: "Bắt đầu cuộc trò chuyện mới? Nội dung đang trao đổi sẽ được xóa khỏi màn hình.",
    photoSent: "Đã gửi ảnh",
  };

  const REPLY_TIMEOUT_MS = 15000;

  const root = document.getElementById("chat-app");
  const config = {
    rasaUrl: root.dataset.rasaUrl,
    socketPath: root.dataset.socketPath || "/socket.io/",
    uploadUrl: root.dataset.uploadUrl,
    maxUploadBytes: Number(root.dataset.maxUploadBytes),
    maxChars: Number(root.dataset.maxChars),
    maxPhotos: Number(root.dataset.maxPhotos),
  };
  const el = {
    messages: document.getElementById("messages"),
    form: document.getElementById("composer"),
    input: document.getElementById("chat-input"),
    send: document.getElementById("send-button"),
    counter: document.getElementById("char-counter"),
    attachButton: document.getElementById("attach-button"),
    attachInput: document.getElementById("attach-input"),
    locationButton: document.getElementById("location-button"),
    typing: document.getElementById("typing-indicator"),
    banner: document.getElementById("connection-banner"),
    newChat: document.getElementById("new-chat-button"),
  };

  // --------------------------------------------------------------- identity
  // Our web server issues this browser a citizen id and its key (kept in localStorage): they
  // prove to Rasa's socket.io channel, the notifications and the uploads that the conversations
  // and reports are this browser's own. The conversation id is Rasa's; "Trò chuyện mới" asks
  // for a new one, for the same citizen.

  const CITIZEN_KEY = "phananh.citizen";
  const CONVERSATION_KEY = "phananh.conversation";

  function readStored(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Private mode: the identity simply lasts as long as the page.
    }
  }

  function readCitizen() {
    try {
      const value = JSON.parse(readStored(CITIZEN_KEY) || "null");
      return value && typeof value.citizen === "string" && typeof value.key === "string" ? value : null;
    } catch {
      return null;
    }
  }

  let citizen = readCitizen();
  let conversationId = readStored(CONVERSATION_KEY);

  // ---------------------------------------------------------------- history
  // What the current conversation showed survives a reload: its bubbles are kept in
  // localStorage under the conversation id (the last HISTORY_LIMIT of them). "Trò chuyện mới"
  // starts an empty one; the citizen's identity (and so "phản ánh của tôi") stays.

  const HISTORY_PREFIX = "phananh.history.";
  const HISTORY_LIMIT = 100;
  let history = [];

  function historyKey(id) {
    return HISTORY_PREFIX + id;
  }

  function readHistory(id) {
    if (!id) return [];
    try {
      const entries = JSON.parse(readStored(historyKey(id)) || "[]");
      return Array.isArray(entries) ? entries.filter((e) => e && (e.kind === "bot" || e.kind === "user")) : [];
    } catch {
      return [];
    }
  }

  function saveHistory() {
    if (!conversationId) return; // kept in memory until the server names the conversation
    store(historyKey(conversationId), JSON.stringify(history));
  }

  function remember(entry) {
    history.push(entry);
    if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
    saveHistory();
  }

  /** Older conversations' histories (e.g. after "Trò chuyện mới" offline) are not kept. */
  function forgetOtherHistories() {
    try {
      const stale = [];
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key && key.startsWith(HISTORY_PREFIX) && key !== historyKey(conversationId)) stale.push(key);
      }
      stale.forEach((key) => localStorage.removeItem(key));
    } catch {
      // No storage: nothing was kept.
    }
  }

  async function ensureCitizen() {
    if (citizen) return citizen;
    const answer = await fetch("/api/chat/identity", { method: "POST", cache: "no-store" });
    if (!answer.ok) throw new Error(`identity: HTTP ${answer.status}`);
    citizen = await answer.json();
    store(CITIZEN_KEY, JSON.stringify(citizen));
    return citizen;
  }

  function citizenHeaders() {
    return citizen ? { "X-Citizen": citizen.citizen, "X-Citizen-Key": citizen.key } : {};
  }

  // -------------------------------------------------------------- rendering

  function scrollToBottom() {
    el.messages.scrollTop = el.messages.scrollHeight;
  }

  function safeImageUrl(src) {
    if (typeof src !== "string" || !src) return null;
    try {
      const url = new URL(src, window.location.href);
      return ["http:", "https:", "blob:"].includes(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  }

  // A report code as the bot writes it (bot/codes.py: no 0, O, 1 or I); kept on one line.
  const CODE_PATTERN = /\bPA-[23456789A-HJ-NP-Z]{6}\b/g;

  /** Put `text` into `parent` as text nodes, each report code in a <span class="code">. */
  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(CODE_PATTERN)) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = match[0];
      parent.appendChild(code);
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Append a bubble; kind is "bot", "user" or "system". */
  function addBubble(kind, { text = "", imageSrc = null, alt = "", extraClass = "" } = {}) {
    const bubble = document.createElement("div");
    bubble.className = `msg ${kind} ${extraClass}`.trim();
    if (imageSrc) {
      const img = document.createElement("img");
      img.src = imageSrc;
      img.alt = alt;
      img.loading = "lazy";
      img.addEventListener("load", scrollToBottom, { once: true });
      bubble.appendChild(img);
    }
    if (text) {
      const body = document.createElement("div");
      body.className = "msg-text";
      appendText(body, text);
      bubble.appendChild(body);
    }
    el.messages.appendChild(bubble);
    scrollToBottom();
    return bubble;
  }

  function addNotice(text) {
    return addBubble("system", { text, extraClass: "notice" });
  }

  function normaliseReplies(replies) {
    if (!Array.isArray(replies)) return [];
    return replies
      .filter((r) => r && typeof r.title === "string" && r.title.trim())
      .map((r) => ({ title: r.title, payload: typeof r.payload === "string" && r.payload ? r.payload : r.title }));
  }

  function addQuickReplies(replies, { used = false } = {}) {
    const group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    for (const reply of replies) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.dataset.testid = "quick-reply";
      button.dataset.payload = reply.payload;
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        if (group.classList.contains("used")) return;
        button.classList.add("chosen");
        sendUserMessage(reply.title, reply.payload);
      });
      group.appendChild(button);
    }
    if (used) {
      group.classList.add("used");
      for (const button of group.querySelectorAll("button")) button.disabled = true;
    }
    el.messages.appendChild(group);
    scrollToBottom();
  }

  /** Quick replies answer one question only: retire them once the user says anything. */
  function retireQuickReplies() {
    for (const group of el.messages.querySelectorAll(".quick-replies:not(.used)")) {
      group.classList.add("used");
      for (const button of group.querySelectorAll("button")) button.disabled = true;
    }
  }

  /** Show one entry of the history: a bot message (text, image, buttons) or the user's. */
  function showEntry(entry, { repliesUsed = false } = {}) {
    const text = typeof entry.text === "string" ? entry.text : "";
    if (entry.kind === "user") {
      if (entry.photo) addBubble("user", { text: STRINGS.photoSent, extraClass: "photo-sent" });
      else if (text) addBubble("user", { text });
      return;
    }
    const imageSrc = typeof entry.image === "string" ? safeImageUrl(entry.image) : null;
    if (text || imageSrc) addBubble("bot", { text, imageSrc, alt: STRINGS.botImageAlt });
    const replies = normaliseReplies(entry.replies);
    if (replies.length) addQuickReplies(replies, { used: repliesUsed });
  }

  function renderBotMessage(message) {
    replyArrived();
    if (!message || typeof message !== "object") return;
    const text = typeof message.text === "string" ? message.text : "";
    const attachment = message.attachment;
    const imageSrc =
      attachment && attachment.type === "image" ? safeImageUrl(attachment.payload && attachment.payload.src) : null;
    const replies = normaliseReplies(message.quick_replies || message.buttons);
    if (!text && !imageSrc && !replies.length) return;
    const entry = { kind: "bot", text };
    if (imageSrc && !imageSrc.startsWith("blob:")) entry.image = imageSrc;
    if (replies.length) entry.replies = replies;
    remember(entry);
    showEntry(entry);
  }

  /** The stored bubbles of the current conversation; only the last message's buttons still work. */
  function restoreHistory() {
    const stored = readHistory(conversationId);
    history = stored.slice(-HISTORY_LIMIT);
    if (stored.length > history.length) saveHistory();
    history.forEach((entry, n) => showEntry(entry, { repliesUsed: n < history.length - 1 }));
  }

  forgetOtherHistories();
  restoreHistory();

  // ---------------------------------------------------- typing and timeout

  let replyTimer = null;

  function expectReply() {
    el.typing.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(() => {
      el.typing.hidden = true;
      addNotice(STRINGS.busy);
    }, REPLY_TIMEOUT_MS);
    scrollToBottom();
  }

  function replyArrived() {
    clearTimeout(replyTimer);
    el.typing.hidden = true;
  }

  // ------------------------------------------------------------ connection

  let ready = false; // true once Rasa confirmed our session
  const outbox = [];

  function setConnection(state) {
    root.dataset.connection = state;
    el.banner.hidden = state !== "disconnected";
  }

  if (typeof window.io !== "function") {
    setConnection("disconnected");
    return;
  }

  // With several Rasa servers behind HAProxy, every request of this socket (socket.io's
  // long-polling too) must reach the same one: HAProxy hashes this parameter.
  const sticky = conversationId || Math.random().toString(36).slice(2) + Date.now().toString(36);
  const socket = window.io(config.rasaUrl, { path: config.socketPath, query: { sticky } });

  async function requestSession() {
    ready = false;
    try {
      await ensureCitizen();
    } catch {
      setConnection("disconnected");
      setTimeout(() => { if (socket.connected) requestSession(); }, 5000);
      return;
    }
    socket.emit("session_request", { session_id: conversationId, citizen: citizen.citizen, key: citizen.key });
  }

  function flushOutbox() {
    while (ready && outbox.length) {
      socket.emit("user_uttered", { message: outbox.shift(), session_id: conversationId });
    }
  }

  socket.on("connect", () => {
    setConnection("connecting");
    requestSession();
  });

  socket.on("session_confirm", (data) => {
    const confirmed = typeof data === "string" ? data : data && data.session_id;
    if (confirmed && confirmed !== conversationId) {
      if (conversationId) store(historyKey(conversationId), null);
      conversationId = confirmed;
      store(CONVERSATION_KEY, conversationId);
      saveHistory(); // what the page shows now belongs to this conversation
    }
    ready = true;
    setConnection("ready");
    flushOutbox();
  });

  socket.on("disconnect", (reason) => {
    ready = false;
    setConnection("disconnected");
    // The client reconnects by itself except when the server closed the socket.
    if (reason === "io server disconnect") socket.connect();
  });

  socket.on("connect_error", () => setConnection("disconnected"));
  socket.on("bot_uttered", renderBotMessage);

  // ------------------------------------------------------- status notifications
  // News about the citizen's reports waits on our server; fetch it while the chat is open.
  const NOTIFICATION_POLL_MS = 15000;

  async function fetchNotifications() {
    try {
      const answer = await fetch("/api/notifications", { cache: "no-store", headers: citizenHeaders() });
      if (!answer.ok) return;
      const { messages } = await answer.json();
      (messages || []).forEach((message) => renderBotMessage({ text: message.text, buttons: message.buttons }));
    } catch (error) {
      /* offline: try again at the next tick */
    }
  }

  socket.on("session_confirm", fetchNotifications);
  setInterval(() => { if (ready) fetchNotifications(); }, NOTIFICATION_POLL_MS);

  function sendToBot(message) {
    outbox.push(message);
    expectReply();
    flushOutbox();
  }

  /** Show `shown` as the user's bubble and send `payload` (defaults to the same text). */
  function sendUserMessage(shown, payload = shown) {
    retireQuickReplies();
    addBubble("user", { text: shown });
    remember({ kind: "user", text: shown });
    sendToBot(payload);
  }

  function informMessage(entities) {
    return `/inform${JSON.stringify(entities)}`;
  }

  // -------------------------------------------------------------- composer

  function updateComposer() {
    const length = Array.from(el.input.value).length;
    el.counter.textContent = `${length}/${config.maxChars}`;
    el.counter.classList.toggle("near-limit", length >= config.maxChars * 0.9);
    el.send.disabled = el.input.value.trim() === "";
    // Grow with the text (the placeholder alone must not make it taller).
    el.input.style.height = "auto";
    if (el.input.value) el.input.style.height = `${Math.min(el.input.scrollHeight + 2, 160)}px`;
  }

  function submitComposer() {
    // Cut on characters (code points), never inside a surrogate pair; the server cuts too.
    const text = Array.from(el.input.value.trim()).slice(0, config.maxChars).join("");
    if (!text) return;
    el.input.value = "";
    updateComposer();
    sendUserMessage(text);
    el.input.focus();
  }

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitComposer();
  });

  el.input.addEventListener("input", updateComposer);
  el.input.addEventListener("keydown", (event) => {
    // Vietnamese input methods compose characters with Enter-free key sequences; never
    // send in the middle of a composition.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitComposer();
    }
  });

  // ---------------------------------------------------------------- photos

  class UploadError extends Error {}

  async function postPhoto(file) {
    const body = new FormData();
    body.append("file", file);
    let response;
    try {
      await ensureCitizen();
      response = await fetch(config.uploadUrl, { method: "POST", body, headers: citizenHeaders() });
    } catch {
      throw new UploadError(STRINGS.uploadFailed);
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok || typeof data.url !== "string") {
      throw new UploadError(typeof data.error === "string" ? data.error : STRINGS.uploadFailed);
    }
    return data.url;
  }

  async function uploadPhoto(file) {
    if (file.type && !file.type.startsWith("image/")) {
      addNotice(STRINGS.uploadNotImage);
      return;
    }
    if (file.size > config.maxUploadBytes) {
      addNotice(STRINGS.uploadTooLarge);
      return;
    }
    retireQuickReplies();
    const preview = URL.createObjectURL(file);
    const bubble = addBubble("user", { imageSrc: preview, alt: STRINGS.photoAlt, text: STRINGS.uploading, extraClass: "photo uploading" });
    try {
      const url = await postPhoto(file);
      bubble.classList.remove("uploading");
      bubble.querySelector(".msg-text").remove();
      remember({ kind: "user", photo: true }); // the photo itself is private: a reload shows a note
      sendToBot(informMessage({ photo_url: url }));
    } catch (error) {
      bubble.remove();
      URL.revokeObjectURL(preview);
      addNotice(error instanceof UploadError ? error.message : STRINGS.uploadFailed);
    }
  }

  el.attachButton.addEventListener("click", () => el.attachInput.click());
  el.attachInput.addEventListener("change", async () => {
    // Several photos at once (a report keeps up to maxPhotos): sent one after another, in order.
    const files = Array.from(el.attachInput.files || []).slice(0, config.maxPhotos);
    el.attachInput.value = ""; // allow choosing the same file again
    for (const file of files) await uploadPhoto(file);
  });

  // -------------------------------------------------------------- location

  el.locationButton.addEventListener("click", () => {
    if (!("geolocation" in navigator)) {
      addNotice(STRINGS.locationUnsupported);
      return;
    }
    el.locationButton.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        el.locationButton.disabled = false;
        const { latitude, longitude } = position.coords;
        sendUserMessage(STRINGS.locationSent, informMessage({ latitude, longitude }));
      },
      (error) => {
        el.locationButton.disabled = false;
        addNotice(error.code === error.PERMISSION_DENIED ? STRINGS.locationDenied : STRINGS.locationFailed);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });

  // -------------------------------------------------------------- new chat

  el.newChat.addEventListener("click", () => {
    if (el.messages.querySelector(".msg.user") && !window.confirm(STRINGS.newChatConfirm)) return;
    if (conversationId) store(historyKey(conversationId), null);
    history = [];
    conversationId = null; // the server starts a new conversation for the same citizen
    store(CONVERSATION_KEY, null);
    outbox.length = 0;
    replyArrived();
    for (const node of [...el.messages.children]) {
      if (!node.classList.contains("welcome")) node.remove();
    }
    if (socket.connected) requestSession();
  });

  updateComposer();
})();
