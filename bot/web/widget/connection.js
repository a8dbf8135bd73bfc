// The conversation with Rasa over its socket.io channel, in the channel's own protocol (the
// one rasa-webchat speaks too): `session_request` after each connection, `session_confirm`
// with the session id, `user_uttered` out and `bot_uttered` in. socket.io-client retries a
// lost connection by itself; this class reports each state so the widget can say it.

import { io } from "socket.io-client";

export const Status = Object.freeze({
  connecting: "connecting",
  online: "online",
  offline: "offline",
});

export class RasaConnection {
  constructor({ serverUrl, socketPath, sessionId, onBotMessage, onSession, onStatus }) {
    this.serverUrl = serverUrl;
    this.socketPath = socketPath;
    this.sessionId = sessionId || null;
    this.onBotMessage = onBotMessage;
    this.onSession = onSession;
    this.onStatus = onStatus;
    this.socket = null;
    this.ready = false;
  }

  start() {
    if (this.socket) return;
    this.onStatus(Status.connecting);
    const socket = io(this.serverUrl, {
      path: this.socketPath,
      // WebSocket first: a Rasa server with several workers accepts nothing else
      // (bot/channels/socketio.py); long-polling stays for one that has a single worker.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      timeout: 10000,
    });
    this.socket = socket;
    // A new socket id after every (re)connection: ask again for the same session, so that
    // Rasa puts this socket in the session's room and answers reach it.
    socket.on("connect", () => socket.emit("session_request", { session_id: this.sessionId }));
    socket.on("session_confirm", (data) => {
      this.sessionId = (data && data.session_id) || data;
      this.ready = true;
      this.onSession(this.sessionId);
      this.onStatus(Status.online);
    });
    socket.on("bot_uttered", (message) => this.onBotMessage(message || {}));
    socket.on("connect_error", () => this.lost());
    socket.on("disconnect", (reason) => {
      this.lost();
      // Only a disconnection decided by the server is not retried by socket.io-client itself.
      if (reason === "io server disconnect") socket.connect();
    });
  }

  lost() {
    this.ready = false;
    this.onStatus(Status.offline);
  }

  send(text) {
    if (!this.ready) return false;
    this.socket.emit("user_uttered", { message: text, session_id: this.sessionId });
    return true;
  }

  retryNow() {
    if (this.socket && !this.socket.connected) {
      this.onStatus(Status.connecting);
      this.socket.disconnect().connect();
    }
  }

  restart() {
    this.sessionId = null;
    this.ready = false;
    if (this.socket) {
      this.onStatus(Status.connecting);
      this.socket.disconnect().connect();
    }
  }
}
