// The signed-in session, kept in localStorage so that a returning visitor
// stays signed in: { token, user }.

const KEY = "parley.session";

export function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || "null");
    return s && typeof s.token === "string" && s.token ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}
